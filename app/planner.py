"""The planning service: a request's region, rules, history and limits gathered, then a
day planned, or a hand-edited plan evaluated. Shared by the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import geo
from app.compliance import ProfileLibrary
from app.config import Settings
from app.errors import PlanInputError
from app.evaluation import evaluate_edit
from app.outcome_store import OutcomeStore
from app.planning import PlanningLimits, PreparedDay, prepare_day, solve_day
from app.regions import RegionRegistry
from app.schemas import PlanEditIn, PlanEvaluationResponse, PlanRequest, PlanResponse
from app.screening import resolve_rules

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
        if on_phase is not None:
            on_phase("preparing", None)
        day, limits = self._prepare(request)
        if on_phase is not None:
            on_phase("solving", limits.time_limit_s)
        return solve_day(day, limits)

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
        day, _ = self._prepare(request)
        return evaluate_edit(day, edit, plan_id)

    def _check_sizes(self, request: PlanRequest) -> None:
        for field, count, limit in (
            ("cases", len(request.cases), self.settings.max_cases_per_plan),
            ("agents", len(request.agents), self.settings.max_agents_per_plan),
        ):
            if count > limit:
                msg = f"{count} {field}: at most {limit} per plan on this server"
                raise PlanInputError((field,), msg, error_type="too_long")

    def _prepare(self, request: PlanRequest) -> tuple[PreparedDay, PlanningLimits]:
        self._check_sizes(request)
        region = self.registry.get(request.region)
        profile_ids = self.settings.region_profiles.get(region.name, [])
        history = self.outcomes.planning_history(
            (case.id for case in request.cases),
            region.name,
            region.timezone,
            self.settings.promise_grace_days,
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
