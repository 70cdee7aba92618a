"""Plans after the day changed: re-plan one as of now, or find where one urgent case fits."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.access import PlannerRole, ScopeDep, audit
from app.deps import PlannerDep, StoreDep
from app.replan_schemas import InsertIn, InsertResponse, ReplanIn, ReplanResponse

router = APIRouter(tags=["plans"])


@router.post(
    "/plans/{plan_id}/replan",
    responses={
        404: {"description": "No such plan."},
        422: {"description": "A field is invalid or names what the plan does not have."},
    },
)
def replan_plan(
    request: Request,
    plan_id: str,
    body: ReplanIn,
    principal: PlannerRole,
    scope: ScopeDep,
    planner: PlannerDep,
    store: StoreDep,
) -> ReplanResponse:
    """Re-plan the day as of ``now``: visits done or in progress stay, absent agents take no
    more visits, changed and new cases are planned, within the churn budget. The answer is a
    new plan (stored as the caller's team's, not published) with its diff against this one,
    and against the version published to the agents when that is an earlier one."""
    base_request, base = store.stored(plan_id, scope)
    published = store.published_version(base, scope)
    new_request, response = planner.replan(base_request, base, body, published)
    store.save(new_request, response, principal.team)
    audit(
        request,
        principal,
        "plan.replan",
        f"plan {plan_id}",
        details={
            "new_plan": response.plan_id,
            "moved": len(response.diff.moved),
            "added": len(response.diff.added),
            "removed": len(response.diff.removed),
        },
    )
    return response


@router.post(
    "/plans/{plan_id}/insert",
    responses={
        404: {"description": "No such plan."},
        422: {"description": "A field is invalid, or the plan already has the case."},
    },
)
def insert_case(
    request: Request,
    plan_id: str,
    body: InsertIn,
    principal: PlannerRole,
    scope: ScopeDep,
    planner: PlannerDep,
    store: StoreDep,
) -> InsertResponse:
    """The best agent and position for one urgent case, and the cost of the alternatives.
    Nothing is stored."""
    answer = planner.insert(*store.stored(plan_id, scope), body)
    audit(request, principal, "plan.insert", f"plan {plan_id}")
    return answer
