"""Plans: make one, read one."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import (
    ExternalGeocoderDep,
    MatrixCacheDep,
    OutcomeStoreDep,
    ProfileLibraryDep,
    RegistryDep,
    SettingsDep,
    StoreDep,
)
from app.planning import PlanningLimits, plan_day
from app.schemas import PlanRequest, PlanResponse
from app.screening import resolve_rules

router = APIRouter(tags=["plans"])


@router.post("/plan", responses={422: {"description": "A field is invalid; `loc` names it."}})
def create_plan(
    body: PlanRequest,
    registry: RegistryDep,
    store: StoreDep,
    settings: SettingsDep,
    matrix_cache: MatrixCacheDep,
    geocoder: ExternalGeocoderDep,
    outcomes: OutcomeStoreDep,
    profiles: ProfileLibraryDep,
) -> PlanResponse:
    """Plan a day's cases for the agents under the compliance profiles of the region, the
    plan and each case, using each case's visit history; store the plan."""
    region = registry.get(body.region)
    rules = resolve_rules(body, settings.region_profiles.get(region.name, []), profiles)
    history = outcomes.planning_history(
        (case.id for case in body.cases), region.name, region.timezone, settings.promise_grace_days
    )
    response = plan_day(
        body,
        region,
        PlanningLimits.for_request(body, settings),
        rules,
        history=history,
        matrix_cache=matrix_cache,
        geocoder=geocoder,
    )
    store.save(body, response)
    return response


@router.get("/plans/{plan_id}", responses={404: {"description": "No such plan."}})
def read_plan(plan_id: str, store: StoreDep) -> PlanResponse:
    """A stored plan, exactly as it was answered."""
    return store.get(plan_id)
