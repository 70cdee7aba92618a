"""An agent's day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.access import AnyRole, ScopeDep, audit
from app.deps import StoreDep
from app.schemas import AgentItineraryResponse, IsoDate

router = APIRouter(tags=["itineraries"])


@router.get(
    "/itinerary/{agent_id}", responses={404: {"description": "No plan of that date has the agent."}}
)
def read_itinerary(
    request: Request,
    agent_id: str,
    principal: AnyRole,
    scope: ScopeDep,
    store: StoreDep,
    date: Annotated[IsoDate, Query()],
) -> AgentItineraryResponse:
    """The agent's stops in the latest plan of the date (an agent: their own, published)."""
    itinerary = store.latest_itinerary(agent_id, date, scope)
    audit(request, principal, "itinerary.read", f"plan {itinerary.plan_id} agent {agent_id}")
    return itinerary
