"""An agent's day of a plan as CSV, iCalendar and a printable page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.access import AnyRole, ScopeDep, audit
from app.deps import StoreDep
from app.errors import NotFoundError
from app.exports import day_csv, day_ics, day_page
from app.schemas import ItineraryOut, PlanResponse

router = APIRouter(tags=["exports"])
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such plan, or the agent is not in it."}
}


def exported_day(
    request: Request,
    plan_id: str,
    agent_id: str,
    principal: AnyRole,
    scope: ScopeDep,
    store: StoreDep,
) -> tuple[PlanResponse, ItineraryOut]:
    """The plan and the agent's day in it, if the caller may see them; the export audited."""
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


DayDep = Annotated[tuple[PlanResponse, ItineraryOut], Depends(exported_day)]


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **_NOT_FOUND},
)
def itinerary_csv(day: DayDep) -> Response:
    """The agent's stops as CSV, one row per visit (cells that look like formulas are
    quoted so spreadsheets do not run them)."""
    plan, itinerary = day
    filename = f"{itinerary.agent_id}-{plan.plan_id[:8]}.csv"
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
def itinerary_ics(day: DayDep) -> Response:
    """The agent's visits as iCalendar events, for a phone's calendar."""
    return Response(day_ics(*day), media_type="text/calendar; charset=utf-8")


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}/print",
    response_class=HTMLResponse,
    responses=_NOT_FOUND,
)
def itinerary_print(day: DayDep) -> HTMLResponse:
    """A printable page of the agent's day."""
    return HTMLResponse(day_page(*day))
