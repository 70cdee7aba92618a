"""Plans: make one, read one."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ExternalGeocoderDep, MatrixCacheDep, RegistryDep, SettingsDep, StoreDep
from app.planning import PlanningLimits, plan_day
from app.schemas import PlanRequest, PlanResponse

router = APIRouter(tags=["plans"])


@router.post("/plan", responses={422: {"description": "A field is invalid; `loc` names it."}})
def create_plan(
    body: PlanRequest,
    registry: RegistryDep,
    store: StoreDep,
    settings: SettingsDep,
    matrix_cache: MatrixCacheDep,
    geocoder: ExternalGeocoderDep,
) -> PlanResponse:
    """Plan a day's cases for the agents and store the plan."""
    region = registry.get(body.region)
    response = plan_day(
        body,
        region,
        PlanningLimits.for_request(body, settings),
        matrix_cache=matrix_cache,
        geocoder=geocoder,
    )
    store.save(body, response)
    return response


@router.get("/plans/{plan_id}", responses={404: {"description": "No such plan."}})
def read_plan(plan_id: str, store: StoreDep) -> PlanResponse:
    """A stored plan, exactly as it was answered."""
    return store.get(plan_id)
