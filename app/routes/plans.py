"""Plans: make one (at once, or as a background job), read one, evaluate a hand edit of one,
publish one."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from app.access import PlannerRole, ReaderRole, ScopeDep, audit
from app.deps import JobServiceDep, PlannerDep, SettingsDep, StoreDep
from app.errors import ErrorOut
from app.job_schemas import JobAcceptedOut
from app.jobs import JobQueueError
from app.replay import ReplayError
from app.schemas import (
    PlanEditIn,
    PlanEvaluationResponse,
    PlanRequest,
    PlanResponse,
    PublishedOut,
    ReplayOut,
)

router = APIRouter(tags=["plans"])


@router.post(
    "/plan",
    response_model=PlanResponse,
    responses={
        202: {
            "model": JobAcceptedOut,
            "description": (
                'Solving in the background ("async": true, or more cases than the server\'s '
                "ASYNC_ABOVE_CASES): poll `status_url`."
            ),
        },
        422: {"description": "A field is invalid; `loc` names it."},
        503: {"model": ErrorOut, "description": "The background job queue cannot be reached."},
    },
)
def create_plan(
    request: Request,
    body: PlanRequest,
    principal: PlannerRole,
    planner: PlannerDep,
    store: StoreDep,
    settings: SettingsDep,
    jobs: JobServiceDep,
) -> PlanResponse | JSONResponse:
    """Plan a day's cases for the agents under the compliance profiles of the region, the
    plan and each case, using each case's visit history; store the plan as the caller's
    team's. With `"async": true`, or more cases than the server's ASYNC_ABOVE_CASES, the
    answer is 202 with a job at once (the request's fields that need no solving are checked
    first: 422 as usual); `GET /jobs/{job_id}` follows it to the plan."""
    details = {"cases": len(body.cases), "agents": len(body.agents)}
    if body.async_ or len(body.cases) > settings.async_above_cases:
        planner.check(body)
        try:
            job = jobs.submit("plan", body.model_dump(mode="json", by_alias=True), principal)
        except JobQueueError as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
        audit(request, principal, "job.create", f"job {job.id}", details=details)
        accepted = JobAcceptedOut.of(job)
        return JSONResponse(
            accepted.model_dump(mode="json"),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Location": accepted.status_url},
        )
    response = planner.plan(body)
    store.save(body, response, principal.team)
    audit(request, principal, "plan.create", f"plan {response.plan_id}", details=details)
    return response


@router.get("/plans/{plan_id}", responses={404: {"description": "No such plan."}})
def read_plan(
    request: Request, plan_id: str, principal: ReaderRole, scope: ScopeDep, store: StoreDep
) -> PlanResponse:
    """A stored plan, exactly as it was answered (with when it was published)."""
    plan = store.get(plan_id, scope)
    audit(request, principal, "plan.read", f"plan {plan_id}")
    return plan


@router.post(
    "/plans/{plan_id}/evaluate",
    responses={
        404: {"description": "No such plan."},
        422: {"description": "The edit names an agent or case the plan does not have."},
    },
)
def evaluate_plan(
    request: Request,
    plan_id: str,
    body: PlanEditIn,
    principal: PlannerRole,
    scope: ScopeDep,
    planner: PlannerDep,
    store: StoreDep,
) -> PlanEvaluationResponse:
    """Time, cost and check a hand-edited version of the plan without optimising: arrival
    times and every rule it breaks. Nothing is stored; to keep the edit, plan again with
    the moved cases pinned."""
    evaluation = planner.evaluate(store.request_of(plan_id, scope), body, plan_id)
    audit(request, principal, "plan.edit", f"plan {plan_id}")
    return evaluation


@router.post(
    "/plans/{plan_id}/replay",
    responses={
        404: {"description": "No such plan."},
        409: {
            "model": ErrorOut,
            "description": "The plan cannot be made again exactly; `detail` says why.",
        },
    },
)
def replay_plan(
    request: Request,
    plan_id: str,
    principal: ReaderRole,
    scope: ScopeDep,
    planner: PlannerDep,
    store: StoreDep,
) -> ReplayOut:
    """Make the plan again for a dispute: its stored request, the visit history as it was
    when it was made, and its search retraced step for step (single-threaded, as many steps
    as the original took), then compare. Nothing is stored."""
    body, plan = store.stored(plan_id, scope)
    try:
        replayed = planner.replay(body, plan)
    except ReplayError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    audit(request, principal, "plan.replay", f"plan {plan_id}")
    return replayed


@router.post("/plans/{plan_id}/publish", responses={404: {"description": "No such plan."}})
def publish_plan(
    request: Request, plan_id: str, principal: PlannerRole, scope: ScopeDep, store: StoreDep
) -> PublishedOut:
    """Publish the plan: its agents' itineraries of that date now come from it."""
    date, published_at = store.publish(plan_id, scope)
    audit(request, principal, "plan.publish", f"plan {plan_id}")
    return PublishedOut(plan_id=plan_id, date=date, published_at=published_at)
