"""An agent's day of a plan as CSV, iCalendar and a printable page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.access import AnyRole, ScopeDep, audit
from app.auth import Principal
from app.deps import StoreDep
from app.errors import NotFoundError
from app.exports import day_csv, day_ics, day_page
from app.schemas import ItineraryOut, PlanResponse
from app.scope import Scope
from app.store import PlanStore

router = APIRouter(tags=["exports"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such plan, or the agent is not in it."}
}


def _day(
    request: Request,
    principal: Principal,
    scope: Scope,
    store: PlanStore,
    plan_id: str,
    agent_id: str,
) -> tuple[PlanResponse, ItineraryOut]:
    plan = store.get(plan_id, scope)
    itinerary = next((i for i in plan.itineraries if i.agent_id == agent_id), None)
    if itinerary is None or not scope.sees_agent(agent_id):
        msg = f"plan {plan_id!r} has no agent {agent_id!r}"
        raise NotFoundError(msg)
    audit(
        request,
        principal,
        "plan.export",
        f"plan {plan_id} agent {agent_id}",
        details={"format": request.url.path.rsplit("/", 1)[-1].rsplit(".", 1)[-1]},
    )
    return plan, itinerary


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **_NOT_FOUND},
)
def itinerary_csv(
    request: Request,
    plan_id: str,
    agent_id: str,
    principal: AnyRole,
    scope: ScopeDep,
    store: StoreDep,
) -> Response:
    """The agent's stops as CSV, one row per visit (cells that look like formulas are
    quoted so spreadsheets do not run them)."""
    _, itinerary = _day(request, principal, scope, store, plan_id, agent_id)
    filename = f"{agent_id}-{plan_id[:8]}.csv"
    return Response(
        day_csv(itinerary),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **_NOT_FOUND},
)
def itinerary_ics(
    request: Request,
    plan_id: str,
    agent_id: str,
    principal: AnyRole,
    scope: ScopeDep,
    store: StoreDep,
) -> Response:
    """The agent's visits as iCalendar events, for a phone's calendar."""
    plan, itinerary = _day(request, principal, scope, store, plan_id, agent_id)
    return Response(day_ics(plan, itinerary), media_type="text/calendar; charset=utf-8")


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}/print",
    response_class=HTMLResponse,
    responses=_NOT_FOUND,
)
def itinerary_print(
    request: Request,
    plan_id: str,
    agent_id: str,
    principal: AnyRole,
    scope: ScopeDep,
    store: StoreDep,
) -> HTMLResponse:
    """A printable page of the agent's day."""
    plan, itinerary = _day(request, principal, scope, store, plan_id, agent_id)
    return HTMLResponse(day_page(plan, itinerary))
