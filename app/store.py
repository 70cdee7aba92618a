"""Plans on disk: save a plan and its visits, read it back, find an agent's latest day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.agent_view import agent_day
from app.db import PlanAgentRecord, PlanRecord, PlanVisitRecord, as_utc
from app.errors import NotFoundError
from app.history import place_key
from app.schemas import AgentItineraryResponse, PlanRequest, PlanResponse
from app.scope import EVERYTHING, Scope


class PlanStore:
    """Stored plans, in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, request: PlanRequest, response: PlanResponse, team: str | None) -> None:
        """Store a plan of ``team`` and the agents it plans, in one transaction."""
        with Session(self._engine) as session, session.begin():
            add_plan(session, request, response, team)

    def get(self, plan_id: str, scope: Scope = EVERYTHING) -> PlanResponse:
        """The stored plan ``plan_id``.

        Raises
        ------
        NotFoundError
            If there is no such plan in ``scope``.
        """
        return self.stored(plan_id, scope)[1]

    def request_of(self, plan_id: str, scope: Scope = EVERYTHING) -> PlanRequest:
        """The request the plan ``plan_id`` answered.

        Raises
        ------
        NotFoundError
            If there is no such plan in ``scope``.
        """
        with Session(self._engine) as session:
            return PlanRequest.model_validate(self._record(session, plan_id, scope).request)

    def stored(self, plan_id: str, scope: Scope = EVERYTHING) -> tuple[PlanRequest, PlanResponse]:
        """The plan ``plan_id`` and the request it answered, in one read.

        Raises
        ------
        NotFoundError
            If there is no such plan in ``scope``.
        """
        with Session(self._engine) as session:
            record = self._record(session, plan_id, scope)
            plan = PlanResponse.model_validate(record.response)
            published_at = record.published_at and as_utc(record.published_at)
            return (
                PlanRequest.model_validate(record.request),
                plan.model_copy(update={"published_at": published_at}),
            )

    def published_version(
        self, plan: PlanResponse, scope: Scope = EVERYTHING
    ) -> PlanResponse | None:
        """The version of ``plan`` its agents have: itself if published, else the nearest
        published plan it re-plans (through ``replan_of``); None if none is."""
        seen: set[str] = set()
        current: PlanResponse | None = plan
        while current is not None and current.plan_id not in seen:
            if current.published_at is not None:
                return current
            seen.add(current.plan_id)
            if current.replan_of is None:
                return None
            try:
                current = self.get(current.replan_of, scope)
            except NotFoundError:  # purged, or out of the caller's scope
                return None
        return None

    def publish(self, plan_id: str, scope: Scope = EVERYTHING) -> tuple[dt.date, dt.datetime]:
        """Publish the plan to its agents (again: the time is renewed); returns the plan's
        date and the time.

        Raises
        ------
        NotFoundError
            If there is no such plan in ``scope``.
        """
        published_at = dt.datetime.now(dt.UTC)
        with Session(self._engine) as session, session.begin():
            record = self._record(session, plan_id, scope)
            record.published_at = published_at
            session.execute(
                update(PlanAgentRecord)
                .where(PlanAgentRecord.plan_id == plan_id)
                .values(published_at=published_at)
            )
            return record.date, published_at

    @staticmethod
    def _record(session: Session, plan_id: str, scope: Scope) -> PlanRecord:
        record = session.scalar(
            select(PlanRecord).where(PlanRecord.id == plan_id, scope.plan_filter())
        )
        if record is None:
            msg = f"no plan {plan_id!r}"
            raise NotFoundError(msg)
        return record

    def latest_itinerary(
        self, agent_id: str, date: dt.date, scope: Scope = EVERYTHING
    ) -> AgentItineraryResponse:
        """The agent's day in the latest published plan of ``date`` that plans this agent,
        else in the latest plan (an agent's own scope sees published plans only): only what
        the visits need (:mod:`app.agent_view`).

        Raises
        ------
        NotFoundError
            If no plan of that date in ``scope`` includes the agent.
        """
        query = (
            select(PlanAgentRecord.plan_id)
            .join(PlanRecord, PlanRecord.id == PlanAgentRecord.plan_id)
            .where(
                PlanAgentRecord.agent_id == agent_id,
                PlanAgentRecord.date == date,
                scope.plan_filter(),
            )
            .order_by(
                PlanAgentRecord.published_at.is_(None),
                PlanAgentRecord.published_at.desc(),
                PlanAgentRecord.created_at.desc(),
                PlanAgentRecord.plan_id.desc(),
            )
            .limit(1)
        )
        with Session(self._engine) as session:
            plan_id = session.scalar(query) if scope.sees_agent(agent_id) else None
        if plan_id is None:
            msg = f"no plan on {date.isoformat()} for agent {agent_id!r}"
            raise NotFoundError(msg)
        request, plan = self.stored(plan_id)
        itinerary = next(i for i in plan.itineraries if i.agent_id == agent_id and i.date == date)
        return agent_day(plan, request, itinerary)


def add_plan(
    session: Session, request: PlanRequest, response: PlanResponse, team: str | None
) -> None:
    """Add a plan of ``team``, its agents and its visits to ``session``'s transaction (which
    the caller commits, with whatever else belongs to it)."""
    created_at = dt.datetime.now(dt.UTC)
    session.add(
        PlanRecord(
            id=response.plan_id,
            date=response.date,
            region=response.region,
            created_at=created_at,
            request=request.model_dump(mode="json", by_alias=True),
            response=response.model_dump(mode="json"),
            team=team,
        )
    )
    session.flush()  # the plan row first: plan_agents references it
    session.add_all(
        PlanAgentRecord(
            plan_id=response.plan_id,
            agent_id=itinerary.agent_id,
            date=itinerary.date,
            created_at=created_at,
        )
        for itinerary in response.itineraries
    )
    session.add_all(
        PlanVisitRecord(
            visit_id=stop.visit_id,
            plan_id=response.plan_id,
            case_id=stop.case_id,
            agent_id=itinerary.agent_id,
            region=response.region,
            date=itinerary.date,
            service_start=stop.service_start,
            place=place_key(stop.address, stop.location.lat, stop.location.lon),
        )
        for itinerary in response.itineraries
        for stop in itinerary.stops
    )
