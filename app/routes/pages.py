"""The web pages: the planner's dashboard and the agent's day, plain HTML and ES modules served
from app/static/pages (nothing is loaded from the internet)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

PAGES_ASSETS_URL = "/static/pages"
PAGES_DIR = Path(__file__).resolve().parents[1] / "static" / "pages"

_HEADERS = {
    # Scripts, styles and data only from this server; no inline script, no framing.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    # Links out (OpenStreetMap) must not carry the page's address with its ids.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["pages"], include_in_schema=False)
router.mount(PAGES_ASSETS_URL, StaticFiles(directory=PAGES_DIR), name="pages-assets")


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES_DIR / name, media_type="text/html", headers=_HEADERS)


@router.get("/")
def dashboard() -> FileResponse:
    """The planner's dashboard: import cases and agents, plan, edit, publish."""
    return _page("dashboard.html")


@router.get("/agent/{agent_id}")
def agent_page() -> FileResponse:
    """An agent's day on a phone: stops, directions, outcomes (the page reads the agent id and
    the date from its own address)."""
    return _page("agent.html")
