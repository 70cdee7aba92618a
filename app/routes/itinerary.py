"""An agent's day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import StoreDep
from app.schemas import AgentItineraryResponse, IsoDate

router = APIRouter(tags=["itineraries"])


@router.get(
    "/itinerary/{agent_id}", responses={404: {"description": "No plan of that date has the agent."}}
)
def read_itinerary(
    agent_id: str,
    store: StoreDep,
    date: Annotated[IsoDate, Query()],
) -> AgentItineraryResponse:
    """The agent's stops in the latest plan of the date."""
    return store.latest_itinerary(agent_id, date)
