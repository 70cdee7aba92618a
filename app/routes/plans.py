"""Plans: make one, read one, evaluate a hand edit of one, publish one."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import PlannerDep, StoreDep
from app.schemas import (
    PlanEditIn,
    PlanEvaluationResponse,
    PlanRequest,
    PlanResponse,
    PublishedOut,
)

router = APIRouter(tags=["plans"])


@router.post("/plan", responses={422: {"description": "A field is invalid; `loc` names it."}})
def create_plan(body: PlanRequest, planner: PlannerDep, store: StoreDep) -> PlanResponse:
    """Plan a day's cases for the agents under the compliance profiles of the region, the
    plan and each case, using each case's visit history; store the plan."""
    response = planner.plan(body)
    store.save(body, response)
    return response


@router.get("/plans/{plan_id}", responses={404: {"description": "No such plan."}})
def read_plan(plan_id: str, store: StoreDep) -> PlanResponse:
    """A stored plan, exactly as it was answered (with when it was published)."""
    return store.get(plan_id)


@router.post(
    "/plans/{plan_id}/evaluate",
    responses={
        404: {"description": "No such plan."},
        422: {"description": "The edit names an agent or case the plan does not have."},
    },
)
def evaluate_plan(
    plan_id: str, body: PlanEditIn, planner: PlannerDep, store: StoreDep
) -> PlanEvaluationResponse:
    """Time, cost and check a hand-edited version of the plan without optimising: arrival
    times and every rule it breaks. Nothing is stored; to keep the edit, plan again with
    the moved cases pinned."""
    return planner.evaluate(store.request_of(plan_id), body, plan_id)


@router.post("/plans/{plan_id}/publish", responses={404: {"description": "No such plan."}})
def publish_plan(plan_id: str, store: StoreDep) -> PublishedOut:
    """Publish the plan: its agents' itineraries of that date now come from it."""
    published_at = store.publish(plan_id)
    return PublishedOut(plan_id=plan_id, date=store.get(plan_id).date, published_at=published_at)
