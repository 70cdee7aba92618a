"""What an agent's phone gets of a plan: each stop projected to what the visit needs (where,
when, whom, how much to collect), never the planner's scoring, geocoding details or the
case's history. The projection names every field it keeps: a field added to the plan's
stops stays off the agent's day until it is added here."""

from __future__ import annotations

from app.schemas import (
    AgentItineraryResponse,
    AgentStopOut,
    ItineraryOut,
    PlanRequest,
    PlanResponse,
    StopOut,
)


def agent_stop(stop: StopOut, amount_overdue: float | None) -> AgentStopOut:
    """The agent's view of one planned stop; ``amount_overdue`` comes from the case."""
    return AgentStopOut(
        visit_id=stop.visit_id,
        case_id=stop.case_id,
        location=stop.location,
        address=stop.address,
        borrower_name=stop.borrower_name,
        borrower_phone=stop.borrower_phone,
        arrival=stop.arrival,
        service_start=stop.service_start,
        service_end=stop.service_end,
        travel_seconds=stop.travel_seconds,
        distance_meters=stop.distance_meters,
        geometry=stop.geometry,
        amount_overdue=amount_overdue,
    )


def agent_day(
    plan: PlanResponse, request: PlanRequest, itinerary: ItineraryOut
) -> AgentItineraryResponse:
    """The agent's day of ``itinerary`` in ``plan``, which answered ``request``."""
    overdue = {case.id: case.amount_overdue for case in request.cases}
    return AgentItineraryResponse(
        agent_id=itinerary.agent_id,
        date=itinerary.date,
        plan_id=plan.plan_id,
        published=plan.published_at is not None,
        stops=[agent_stop(stop, overdue.get(stop.case_id)) for stop in itinerary.stops],
        start_time=itinerary.start_time,
        end_time=itinerary.end_time,
        conduct=plan.compliance.conduct,
    )
