"""The web pages: the planner's dashboard and the agent's day, plain HTML and ES modules served
from app/static/pages (nothing is loaded from the internet)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from app.exports import PRINT_STYLE

PAGES_ASSETS_URL = "/static/pages"
PAGES_DIR = Path(__file__).resolve().parents[1] / "static" / "pages"


def _style_hash(style: str) -> str:
    """A CSP source allowing exactly the inline stylesheet ``style``."""
    digest = hashlib.sha256(style.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


_HEADERS = {
    # Scripts, styles and data only from this server; no inline script, no framing.
    # One exception, by hash: the printable day (GET /plans/{id}/itineraries/{agent}/print)
    # needs the token, so the pages fetch it and open it from a Blob URL; a blob: document
    # keeps the policy of the page that made it, and that page's only style is inline. Its
    # hash allows that exact text and no other inline style; no blob: source is needed
    # (opening a tab on a blob: URL and downloading one are navigations, which CSP does not
    # govern, and the printable page loads nothing).
    "Content-Security-Policy": (
        f"default-src 'self'; script-src 'self'; style-src 'self' {_style_hash(PRINT_STYLE)}; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
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
