"""An agent's day of a plan as CSV, iCalendar and a printable page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from app.access import AnyRole, ScopeDep, audit
from app.deps import StoreDep
from app.errors import NotFoundError
from app.exports import day_csv, day_ics, day_page
from app.schemas import IsoDate, ItineraryOut, PlanResponse

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
    date: Annotated[
        IsoDate | None, Query(description="The day, in a plan of several days (required there).")
    ] = None,
) -> tuple[PlanResponse, ItineraryOut]:
    """The plan and the agent's day in it, if the caller may see them; the export audited."""
    plan = store.get(plan_id, scope)
    if date is None and plan.horizon_days > 1:
        missing = {
            "loc": ["query", "date"],
            "msg": f"the plan covers {plan.horizon_days} days from {plan.date}: name one",
            "type": "missing",
        }
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [missing])
    itinerary = next(
        (i for i in plan.itineraries if i.agent_id == agent_id and date in (None, i.date)), None
    )
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
    return Response(day_ics(day[1]), media_type="text/calendar; charset=utf-8")


@router.get(
    "/plans/{plan_id}/itineraries/{agent_id}/print",
    response_class=HTMLResponse,
    responses=_NOT_FOUND,
)
def itinerary_print(day: DayDep) -> HTMLResponse:
    """A printable page of the agent's day."""
    return HTMLResponse(day_page(*day))
