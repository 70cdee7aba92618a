"""Making a stored plan again, exactly, for a dispute: the same inputs (its request, the
visit history as it was, the same rules and roads), the same software, and the search retraced
step for step from the plan's run record (:class:`app.schemas.PlanRunOut`)."""

from __future__ import annotations

from typing import Any

import solver
from app.planning import PreparedDay, present_solution
from app.schemas import PlanResponse, ReplayOut


class ReplayError(Exception):
    """The plan cannot be made again exactly; the message says why (HTTP 409)."""


def replay_day(day: PreparedDay, plan: PlanResponse) -> ReplayOut:
    """Solve ``day`` (prepared again from ``plan``'s request and history) as ``plan``'s run
    did, and say whether the result is the same plan.

    Raises
    ------
    ReplayError
        If the plan has no run record, was split, was made by other software, or its inputs
        have changed since.
    """
    run = plan.run
    if run is None:
        msg = "the plan was stored without a record of its run"
        raise ReplayError(msg)
    if run.search is None:
        msg = (
            "the plan was split into territories solved in parallel against the clock: it "
            "cannot be retraced step for step"
        )
        raise ReplayError(msg)
    version = solver.solver_version()
    if run.solver_version != version:
        msg = f"the plan was made by {run.solver_version}; this server runs {version}"
        raise ReplayError(msg)
    inputs, matrices = solver.problem_digests(day.problem)
    if inputs != run.inputs_sha256:
        roads = (
            "the travel matrices differ too (the region's roads, or which cases are routed)"
            if matrices != run.matrix_sha256
            else "the travel matrices are the same"
        )
        msg = (
            "the solver's inputs differ: the visiting rules, profiles, recorded visits or "
            f"roads the plan was made with have changed (or been purged) since; {roads}"
        )
        raise ReplayError(msg)
    trace = solver.SearchTrace(
        stages=tuple(solver.SearchStage(s.engine, s.seed, s.steps) for s in run.search),
        repair_steps=run.repair_steps,
    )
    replayed = present_solution(
        day, solver.replay(day.problem, trace), plan_id=plan.plan_id, seed=run.seed
    )
    differences = plan_differences(plan, replayed)
    return ReplayOut(
        plan_id=plan.plan_id, identical=not differences, differences=differences, replayed=replayed
    )


def plan_differences(stored: PlanResponse, replayed: PlanResponse) -> list[str]:
    """How two plans of the same request differ: itineraries (ignoring visit ids, which name
    stored visits), unassigned cases and their reasons, key figures. Empty: the same plan."""
    differences = []
    before = {
        (i.agent_id, i.date): _itinerary(i.model_dump(mode="json")) for i in stored.itineraries
    }
    after = {
        (i.agent_id, i.date): _itinerary(i.model_dump(mode="json")) for i in replayed.itineraries
    }
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            agent_id, date = key
            differences.append(f"the itinerary of {agent_id} on {date} differs")
    left_out = {(u.case_id, u.reason) for u in stored.unassigned}
    left_out_again = {(u.case_id, u.reason) for u in replayed.unassigned}
    differences += [
        f"{c} left out ({r}) only in the stored plan" for c, r in sorted(left_out - left_out_again)
    ]
    differences += [
        f"{c} left out ({r}) only in the replay" for c, r in sorted(left_out_again - left_out)
    ]
    if stored.summary != replayed.summary:
        differences.append("the key figures differ")
    return differences


def _itinerary(itinerary: dict[str, Any]) -> dict[str, Any]:
    return itinerary | {"stops": [s | {"visit_id": None} for s in itinerary["stops"]]}
