"""The planning service: a request's region, rules, history and limits gathered, then a
day planned, or a hand-edited plan evaluated. Shared by the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import geo
from app.compliance import EffectiveRules, ProfileLibrary
from app.config import Settings
from app.evaluation import evaluate_edit
from app.outcome_store import OutcomeStore
from app.planning import PlanningLimits, plan_day, prepare_day
from app.regions import RegionRegistry
from app.schemas import PlanEditIn, PlanEvaluationResponse, PlanRequest, PlanResponse
from app.screening import CaseHistory, resolve_rules


@dataclass(frozen=True, slots=True)
class Planner:
    """What planning needs besides the request."""

    settings: Settings
    registry: RegionRegistry
    profiles: ProfileLibrary
    outcomes: OutcomeStore
    matrix_cache: geo.MatrixCache | None = None
    geocoder: geo.Geocoder | None = None

    def plan(self, request: PlanRequest) -> PlanResponse:
        """Plan the day under its profiles and the cases' visit history.

        Raises
        ------
        PlanInputError
            If a field cannot be used (it names the field).
        """
        region, limits, rules, history = self._inputs(request)
        return plan_day(
            request,
            region,
            limits,
            rules,
            history=history,
            matrix_cache=self.matrix_cache,
            geocoder=self.geocoder,
        )

    def evaluate(
        self, request: PlanRequest, edit: PlanEditIn, plan_id: str
    ) -> PlanEvaluationResponse:
        """Time and check ``edit`` of the plan that answered ``request``, without solving.

        Raises
        ------
        PlanInputError
            If the edit names an agent or case the plan does not have.
        """
        region, limits, rules, history = self._inputs(request)
        day = prepare_day(
            request,
            region,
            limits,
            rules,
            history=history,
            matrix_cache=self.matrix_cache,
            geocoder=self.geocoder,
        )
        return evaluate_edit(day, edit, plan_id)

    def _inputs(
        self, request: PlanRequest
    ) -> tuple[geo.Region, PlanningLimits, list[EffectiveRules], CaseHistory]:
        region = self.registry.get(request.region)
        profile_ids = self.settings.region_profiles.get(region.name, [])
        rules = resolve_rules(request, profile_ids, self.profiles)
        history = self.outcomes.planning_history(
            (case.id for case in request.cases),
            region.name,
            region.timezone,
            self.settings.promise_grace_days,
        )
        return region, PlanningLimits.for_request(request, self.settings), rules, history
