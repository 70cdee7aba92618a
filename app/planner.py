"""The planning service: a request's region, rules, history and limits gathered, then a
day planned, or a hand-edited plan evaluated. Shared by the API and the CLI."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Literal, Protocol

import geo
from app import metrics
from app.compliance import ProfileLibrary
from app.config import Settings
from app.errors import PlanInputError
from app.evaluation import evaluate_edit
from app.insertion import insertion_options
from app.outcome_store import OutcomeStore
from app.planning import PlanningLimits, PreparedDay, prepare_day, solve_day
from app.regions import RegionRegistry
from app.replan_schemas import InsertIn, InsertResponse, ReplanIn, ReplanResponse
from app.replanning import replan
from app.replay import replay_day
from app.schemas import (
    PlanEditIn,
    PlanEvaluationResponse,
    PlanRequest,
    PlanResponse,
    ReplayOut,
)
from app.screening import resolve_rules
from app.territories import territory_executor

PlanPhase = Literal["preparing", "solving"]
"""Phases of planning a day: locating, screening and routing the places (geocoding, snapping,
travel matrices), then the search."""


class PhaseListener(Protocol):
    """Hears that a phase starts, with its expected length in seconds when known."""

    def __call__(self, phase: PlanPhase, expected_s: float | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Planner:
    """What planning needs besides the request."""

    settings: Settings
    registry: RegionRegistry
    profiles: ProfileLibrary
    outcomes: OutcomeStore
    matrix_cache: geo.MatrixCache | None = None
    geocoder: geo.Geocoder | None = None

    def plan(self, request: PlanRequest, on_phase: PhaseListener | None = None) -> PlanResponse:
        """Plan the day under its profiles and the cases' visit history; ``on_phase`` hears
        when each phase starts (for a background job's progress).

        Raises
        ------
        PlanInputError
            If a field cannot be used (it names the field).
        """
        started = time.perf_counter()
        if on_phase is not None:
            on_phase("preparing", None)
        day, limits = self._prepare(request)
        prepared = time.perf_counter()
        if on_phase is not None:
            on_phase("solving", limits.time_limit_s)
        response = solve_day(day, limits, territory_executor(self.settings))
        metrics.record_plan(
            response, prepare_s=prepared - started, solve_s=time.perf_counter() - prepared
        )
        return response

    def check(self, request: PlanRequest) -> None:
        """The checks of :meth:`plan` that need neither geocoding nor solving: sizes, the
        region and the compliance profiles. Run before a plan is queued, so most bad requests
        get their 422 at once.

        Raises
        ------
        PlanInputError
            If a field cannot be used (it names the field).
        """
        self._check_sizes(request)
        region = self.registry.get(request.region)
        resolve_rules(request, self.settings.region_profiles.get(region.name, []), self.profiles)

    def evaluate(
        self, request: PlanRequest, edit: PlanEditIn, plan_id: str
    ) -> PlanEvaluationResponse:
        """Time and check ``edit`` of the plan that answered ``request``, without solving.

        Raises
        ------
        PlanInputError
            If the edit names an agent or case the plan does not have.
        """
        _one_day(request, "evaluating an edit")
        day, _ = self._prepare(request)
        return evaluate_edit(day, edit, plan_id)

    def replan(
        self,
        request: PlanRequest,
        plan: PlanResponse,
        changes: ReplanIn,
        published: PlanResponse | None = None,
    ) -> tuple[PlanRequest, ReplanResponse]:
        """The new version of ``plan`` (which answered ``request``) after ``changes``, and
        the request it answers; diffed against ``published`` too when that is another one.

        Raises
        ------
        PlanInputError
            If the changes name a visit, case or agent the plan does not have.
        """
        _one_day(request, "re-planning")
        return replan(request, plan, changes, self.plan, published)

    def replay(self, request: PlanRequest, plan: PlanResponse) -> ReplayOut:
        """Make the stored ``plan`` (which answered ``request``) again, from the visit history
        as it was and the plan's run record.

        Raises
        ------
        ReplayError
            If it cannot be made again exactly (no record, a split plan, other software or
            changed inputs).
        """
        history_as_of = plan.run.history_as_of if plan.run else None
        day, _ = self._prepare(request, history_as_of)
        return replay_day(day, plan)

    def insert(self, request: PlanRequest, plan: PlanResponse, body: InsertIn) -> InsertResponse:
        """The positions of ``plan`` (which answered ``request``) for one more case.

        Raises
        ------
        PlanInputError
            If the plan already has a case of that id.
        """
        _one_day(request, "inserting a case")
        if any(case.id == body.case.id for case in request.cases):
            msg = f"the plan already has a case {body.case.id!r}"
            raise PlanInputError(("case", "id"), msg)
        if body.case.pinned_agent_id not in {None, *(agent.id for agent in request.agents)}:
            msg = f"pinned to {body.case.pinned_agent_id!r}, who is not among the agents"
            raise PlanInputError(("case", "pinned_agent_id"), msg)
        extended = request.model_copy(update={"cases": [*request.cases, body.case]})
        day, _ = self._prepare(extended)
        return insertion_options(day, plan, body.case.id, body.now, body.max_alternatives)

    def _check_sizes(self, request: PlanRequest) -> None:
        for field, count, limit in (
            ("cases", len(request.cases), self.settings.max_cases_per_plan),
            ("agents", len(request.agents), self.settings.max_agents_per_plan),
        ):
            if count > limit:
                msg = f"{count} {field}: at most {limit} per plan on this server"
                raise PlanInputError((field,), msg, error_type="too_long")

    def _prepare(
        self, request: PlanRequest, history_as_of: dt.datetime | None = None
    ) -> tuple[PreparedDay, PlanningLimits]:
        self._check_sizes(request)
        region = self.registry.get(request.region)
        profile_ids = self.settings.region_profiles.get(region.name, [])
        history = self.outcomes.planning_history(
            (case.id for case in request.cases),
            region.name,
            region.timezone,
            self.settings.promise_grace_days,
            as_of=history_as_of,
        )
        limits = PlanningLimits.for_request(request, self.settings)
        day = prepare_day(
            request,
            region,
            limits,
            resolve_rules(request, profile_ids, self.profiles),
            history=history,
            matrix_cache=self.matrix_cache,
            geocoder=self.geocoder,
        )
        return day, limits


def _one_day(request: PlanRequest, what: str) -> None:
    """Edits, re-plans and inserts work on one day's plan.

    Raises
    ------
    PlanInputError
        If the plan covers several days.
    """
    if request.horizon_days > 1:
        msg = (
            f"{what} works on a plan of one day; this plan covers {request.horizon_days} days "
            f"from {request.date}: plan the days left again"
        )
        raise PlanInputError((), msg, error_type="single_day_only")
