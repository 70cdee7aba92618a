"""Why visits are left out, what single change would let each in, and a last repair pass.

A visit left out is first checked against each agent alone (start -> visit -> end): that
tells structural reasons (skills, windows, shift, limits) from economic ones (the days are
full, or the visit costs more than it is worth). The counterfactual hints then relax one
thing at a time — an agent's shift end, the visit's windows, another visit, a skill, a pin,
the visit's value — and look for the cheapest feasible insertion of the visit into the
plan under that one change, each candidate checked by the evaluator (never OR-Tools).

Insertions are tried at the positions with the smallest detour first (at most
:data:`POSITIONS_PER_ROUTE` per route), so the work grows with visits times agents, not with
the square of the plan; explanations and hints share a time budget and hints stop when it
runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver import violations as codes
from solver.evaluate import balance_cost, evaluate_route
from solver.model import Agent, Problem, TimeWindow, Visit
from solver.solution import Hint, Unassigned

NO_AGENTS = "no_agents"
NO_AGENT_WITH_SKILLS = "no_agent_with_skills"
"""No agent has every skill the visit requires (or its pinned agent lacks one)."""
PINNED_AGENT_UNAVAILABLE = "pinned_agent_unavailable"
"""The visit is pinned to an agent who cannot make it, even as the only visit of the day."""
OUTSIDE_ALL_WINDOWS = "outside_all_windows"
"""No able agent can be there inside one of the visit's windows within its shift."""
SHIFT_TOO_SHORT = "shift_too_short"
"""An agent can start the visit in a window but not finish it and get back within its shift
(or its maximum working time)."""
AGENT_LIMITS = "agent_limits"
"""Alone, the visit would exceed every able agent's capacity, visits or travel limit, or
leave no room for a break."""
CAPACITY = "capacity"
"""An agent could make the visit alone, but no day of the plan has room for it."""
NOT_WORTH_COST = "not_worth_cost"
"""The visit fits into the plan, but its cheapest insertion costs more than its value."""

REASON_CODES = (
    NO_AGENTS,
    NO_AGENT_WITH_SKILLS,
    PINNED_AGENT_UNAVAILABLE,
    OUTSIDE_ALL_WINDOWS,
    SHIFT_TOO_SHORT,
    AGENT_LIMITS,
    CAPACITY,
    NOT_WORTH_COST,
)

EXTEND_SHIFT = "extend_shift"
WIDEN_WINDOW = "widen_window"
DROP_VISIT = "drop_visit"
ADD_SKILL = "add_skill"
UNPIN = "unpin"
RAISE_VALUE = "raise_value"

POSITIONS_PER_ROUTE = 6
"""Insertion positions tried per route, those with the smallest detour first."""

NEAREST_ROUTES = 8
"""Routes tried per insertion: those passing nearest the visit (a far route is never the
cheapest place, and each try times a whole route)."""

SHIFT_RELAXATION_S = 12 * 3600
"""How far a relaxed shift may end later when looking for the smallest extension."""

DROP_CANDIDATES = 12
"""Served visits, cheapest to lose first, tried as the one visit to drop for another."""

_STRUCTURAL_SHIFT = frozenset({codes.SHIFT_END, codes.MAX_WORKING_EXCEEDED})
_STRUCTURAL_LIMITS = frozenset(
    {
        codes.CAPACITY_EXCEEDED,
        codes.MAX_VISITS_EXCEEDED,
        codes.MAX_TRAVEL_EXCEEDED,
        codes.BREAK_NOT_PLACEABLE,
    }
)


@dataclass(frozen=True, slots=True)
class Insertion:
    """Visit placed in an agent's order at a position, and what that adds to the day's cost."""

    agent_idx: int
    position: int
    extra_cost: float
    end_s: int
    service_start_s: int


class StepBudget:
    """Stops the repair at a deadline (a ``time.perf_counter()`` value) or after
    ``max_steps`` checks, counting the checks it passes: a repair cut short by its deadline
    is retraced by giving the next run its count (see :class:`solver.solution.SearchTrace`).
    Once spent, it stays spent."""

    def __init__(self, deadline: float, max_steps: int | None = None) -> None:
        self._deadline = deadline
        self._max_steps = max_steps
        self.steps = 0
        self.cut = False

    def spent(self) -> bool:
        """True when the work must stop; else counts one step."""
        if not self.cut:
            if self._max_steps is not None:
                self.cut = self.steps >= self._max_steps
            else:
                self.cut = time.perf_counter() > self._deadline
        if not self.cut:
            self.steps += 1
        return self.cut


def repair(
    problem: Problem, orders: Sequence[Sequence[int]], *, budget: StepBudget
) -> list[list[int]]:
    """Insert left-out visits wherever that pays, then swap left-out visits for served ones
    where that pays, then leave out one served visit of a route for any number of left-out
    ones that fill its room where that pays, until the ``budget`` is spent. "Pays" counts
    every term of the objective an edit changes: the route's costs (fixed, working time,
    distance, lateness), the balance cost and the values gained and lost.

    A search stopped by its time limit, or one whose penalties for leaving visits out dwarf
    the costs of the day, may leave out a visit that fits, or the wrong one of two that
    compete for a place: each pass puts the most valuable left-out visits first.
    """
    plan = [list(order) for order in orders]
    for visit_idx in _left_out(problem, plan):
        if budget.spent():
            return plan
        best = _best_paying_insertion(problem, plan, visit_idx)
        if best is not None and best.extra_cost < problem.visits[visit_idx].drop_cost:
            plan[best.agent_idx].insert(best.position, visit_idx)
    for visit_idx in _left_out(problem, plan):
        if budget.spent():
            return plan
        swap = _best_swap(problem, plan, visit_idx)
        if swap is not None:
            other_idx, insertion = swap
            plan[insertion.agent_idx].remove(other_idx)
            plan[insertion.agent_idx].insert(insertion.position, visit_idx)
    for agent_idx in range(len(plan)):
        while _eject_and_refill(problem, plan, agent_idx, budget):
            pass
    return plan


def _best_paying_insertion(
    problem: Problem,
    plan: Sequence[Sequence[int]],
    visit_idx: int,
    agents: Sequence[int] | None = None,
) -> Insertion | None:
    """The insertion of ``visit_idx`` that adds the least to the objective: the route's own
    costs (fixed, working time, distance, lateness; see :func:`best_insertion`) plus the
    change in the balance cost, which depends on which agent gets one visit more. The value
    gained is the caller's to compare; the other routes and the values lost do not change.
    ``agents``: those to try (default: every agent able to make the visit)."""
    counts = [len(order) for order in plan]
    before = balance_cost(problem, counts)
    best: Insertion | None = None
    able = _able_agents(problem, visit_idx) if agents is None else list(agents)
    for agent_idx in _nearest_routes(problem, plan, visit_idx, able):
        fit = best_insertion(problem, plan, visit_idx, [agent_idx])
        if fit is None:
            continue
        counts[agent_idx] += 1
        extra = fit.extra_cost + balance_cost(problem, counts) - before
        counts[agent_idx] -= 1
        if best is None or extra < best.extra_cost:
            best = replace(fit, extra_cost=extra)
    return best


def _eject_and_refill(
    problem: Problem, plan: list[list[int]], agent_idx: int, budget: StepBudget
) -> bool:
    """Leave out one served visit of the agent's route and refill the room it frees with
    left-out visits (the most valuable first, each where it pays), keeping the first such
    change that saves money; True if one was made. A one-for-one swap misses a day where one
    long visit is worth less than the two short ones that fit in its place."""
    left_out = [v for v in _left_out(problem, plan) if agent_idx in _able_agents(problem, v)]
    if not left_out:
        return False
    order = plan[agent_idx]
    counts = [len(o) for o in plan]
    base = evaluate_route(problem, agent_idx, order)[0].cost.total + balance_cost(problem, counts)
    for other_idx in sorted(order, key=lambda v: problem.visits[v].drop_cost)[:DROP_CANDIDATES]:
        if budget.spent():
            return False
        trial = [list(o) for o in plan]
        trial[agent_idx].remove(other_idx)
        lost = problem.visits[other_idx].drop_cost
        refill = sorted([*left_out, other_idx], key=lambda v: -problem.visits[v].drop_cost)
        for visit_idx in refill:
            fit = _best_paying_insertion(problem, trial, visit_idx, [agent_idx])
            if fit is not None and fit.extra_cost < problem.visits[visit_idx].drop_cost:
                trial[agent_idx].insert(fit.position, visit_idx)
                lost -= problem.visits[visit_idx].drop_cost
        if trial[agent_idx] == order:
            continue
        cost = evaluate_route(problem, agent_idx, trial[agent_idx])[0].cost.total + balance_cost(
            problem, [len(o) for o in trial]
        )
        if cost + lost < base - 1e-9:
            plan[agent_idx] = trial[agent_idx]
            return True
    return False


def _left_out(problem: Problem, plan: Sequence[Sequence[int]]) -> list[int]:
    served = {v for order in plan for v in order}
    missing = (v for v in range(len(problem.visits)) if v not in served)
    return sorted(missing, key=lambda v: -problem.visits[v].drop_cost)


def _best_swap(
    problem: Problem, plan: Sequence[Sequence[int]], visit_idx: int
) -> tuple[int, Insertion] | None:
    """The served visit to leave out for ``visit_idx`` that saves the most money, if any
    saves some: its route without it and with ``visit_idx`` costs less than the value
    gained minus the value lost."""
    gain = problem.visits[visit_idx].drop_cost
    best: tuple[float, int, Insertion] | None = None
    able = set(_able_agents(problem, visit_idx))
    for agent_idx, order in enumerate(plan):
        if agent_idx not in able:
            continue
        base = evaluate_route(problem, agent_idx, order)[0].cost.total
        cheapest_first = sorted(order, key=lambda v: problem.visits[v].drop_cost)
        for other_idx in cheapest_first[:DROP_CANDIDATES]:
            loss = problem.visits[other_idx].drop_cost
            if loss > gain:
                break
            without = [list(o) for o in plan]
            without[agent_idx].remove(other_idx)
            fit = best_insertion(problem, without, visit_idx, [agent_idx])
            if fit is None:
                continue
            shorter = evaluate_route(problem, agent_idx, without[agent_idx])[0].cost.total
            saving = gain - loss - (shorter + fit.extra_cost - base)
            if saving > 1e-9 and (best is None or saving > best[0]):
                best = (saving, other_idx, fit)
    return None if best is None else (best[1], best[2])


def explain(
    problem: Problem, orders: Sequence[Sequence[int]], left_out: Sequence[int], *, deadline: float
) -> list[Unassigned]:
    """A reason for every visit left out and, while the deadline allows, hints.

    Hints are the smallest single changes found that make the visit fit, one per kind.
    """
    explained = []
    by_value = sorted(left_out, key=lambda v: -problem.visits[v].drop_cost)
    for visit_idx in by_value:
        reason, detail = _reason(problem, orders, visit_idx, deadline)
        hints: tuple[Hint, ...] = ()
        if time.perf_counter() < deadline:
            hints = tuple(_hints(problem, orders, visit_idx, reason, deadline))
        explained.append(Unassigned(visit_idx=visit_idx, reason=reason, detail=detail, hints=hints))
    return sorted(explained, key=lambda u: u.visit_idx)


def best_insertion(
    problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int, agents: Sequence[int]
) -> Insertion | None:
    """The cheapest feasible place for the visit among the given agents' routes, or None."""
    best: Insertion | None = None
    for agent_idx in _nearest_routes(problem, orders, visit_idx, agents):
        order = list(orders[agent_idx])
        base, base_violations = evaluate_route(problem, agent_idx, order)
        if base_violations:
            continue  # a relaxed problem may leave other routes as they were; skip broken ones
        for position in _positions_by_detour(problem, agent_idx, order, visit_idx):
            trial = [*order[:position], visit_idx, *order[position:]]
            route, found = evaluate_route(problem, agent_idx, trial)
            if found:
                continue
            extra = route.cost.total - base.cost.total
            if best is None or extra < best.extra_cost:
                best = Insertion(
                    agent_idx,
                    position,
                    extra,
                    route.end_s,
                    route.stops[position].service_start_s,
                )
    return best


def _nearest_routes(
    problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int, agents: Sequence[int]
) -> list[int]:
    """The :data:`NEAREST_ROUTES` agents whose route passes nearest the visit (travel time
    from any of its places), in that order."""
    if len(agents) <= NEAREST_ROUTES:
        return list(agents)
    here = problem.visits[visit_idx].location_idx

    def nearness(agent_idx: int) -> int:
        agent = problem.agents[agent_idx]
        places = [
            agent.start_location_idx,
            *(problem.visits[v].location_idx for v in orders[agent_idx]),
        ]
        return int(problem.travel_time_of(agent_idx)[places, here].min())

    return sorted(agents, key=nearness)[:NEAREST_ROUTES]


def _positions_by_detour(
    problem: Problem, agent_idx: int, order: Sequence[int], visit_idx: int
) -> list[int]:
    agent = problem.agents[agent_idx]
    travel = problem.travel_time_of(agent_idx)
    places = [agent.start_location_idx, *(problem.visits[v].location_idx for v in order)]
    after = [*places[1:], agent.end_location_idx]
    here = problem.visits[visit_idx].location_idx
    detour = np.array(
        [
            travel[a, here] + (0 if b is None else travel[here, b] - travel[a, b])
            for a, b in zip(places, after, strict=True)
        ]
    )
    return [int(p) for p in np.argsort(detour, kind="stable")[:POSITIONS_PER_ROUTE]]


def _skilled(agent: Agent, visit: Visit) -> bool:
    return visit.required_skills <= agent.skills


def _able_agents(problem: Problem, visit_idx: int) -> list[int]:
    visit = problem.visits[visit_idx]
    if visit.pinned_agent_idx is not None:
        candidates = [visit.pinned_agent_idx]
    else:
        candidates = list(range(len(problem.agents)))
    return [a for a in candidates if _skilled(problem.agents[a], visit)]


def _reason(
    problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int, deadline: float
) -> tuple[str, str]:
    visit = problem.visits[visit_idx]
    if not problem.agents:
        return NO_AGENTS, "There are no agents."
    able = _able_agents(problem, visit_idx)
    if not able:
        missing = ", ".join(sorted(visit.required_skills))
        if visit.pinned_agent_idx is not None:
            pinned = problem.agents[visit.pinned_agent_idx].id
            return (
                NO_AGENT_WITH_SKILLS,
                f"Pinned agent {pinned} lacks a required skill ({missing}).",
            )
        return NO_AGENT_WITH_SKILLS, f"No agent has every required skill ({missing})."
    alone = {}
    starts_in_shift = False
    for agent_idx in able:
        route, found = evaluate_route(problem, agent_idx, [visit_idx])
        alone[agent_idx] = {v.code for v in found}
        starts_in_shift |= route.stops[0].service_start_s <= problem.agents[agent_idx].shift.end_s
    if all(alone.values()):
        if visit.pinned_agent_idx is not None:
            pinned = problem.agents[visit.pinned_agent_idx].id
            broken = ", ".join(sorted(alone[visit.pinned_agent_idx]))
            return PINNED_AGENT_UNAVAILABLE, f"Pinned agent {pinned} cannot make it ({broken})."
        # Waiting for a window that opens after the shift also ends the day too late: that
        # is the window's fault, not the shift's.
        if starts_in_shift and any(found <= _STRUCTURAL_SHIFT for found in alone.values()):
            return (
                SHIFT_TOO_SHORT,
                "An agent can start it in a window but cannot finish and get back in time.",
            )
        if any(found <= _STRUCTURAL_LIMITS for found in alone.values()):
            return AGENT_LIMITS, "It exceeds the able agents' limits even as their only visit."
        return (
            OUTSIDE_ALL_WINDOWS,
            "No agent can be there inside one of its time windows within its shift.",
        )
    free = [a for a, found in alone.items() if not found]
    if time.perf_counter() > deadline:  # no time left to tell full days from costly ones
        return CAPACITY, f"{len(free)} agent(s) could make it alone; the plan has no room for it."
    best = _best_paying_insertion(problem, orders, visit_idx, free)
    if best is not None and best.extra_cost > visit.drop_cost:
        return (
            NOT_WORTH_COST,
            f"Its cheapest place adds {best.extra_cost:.2f} to the costs; it is worth "
            f"{visit.drop_cost:.2f}.",
        )
    return CAPACITY, f"{len(free)} agent(s) could make it alone, but their days are full."


def _hints(
    problem: Problem,
    orders: Sequence[Sequence[int]],
    visit_idx: int,
    reason: str,
    deadline: float,
) -> list[Hint]:
    makers: list[Callable[[Problem, Sequence[Sequence[int]], int], Hint | None]]
    if reason == NOT_WORTH_COST:
        makers = [_raise_value]
    elif reason == NO_AGENT_WITH_SKILLS:
        makers = [_add_skill]
    else:
        makers = [_extend_shift, _widen_window, _drop_visit, _unpin]
    found = []
    for make in makers:
        if time.perf_counter() > deadline:
            break
        hint = make(problem, orders, visit_idx)
        if hint is not None:
            found.append(hint)
    return found


def _with_agent(problem: Problem, agent_idx: int, agent: Agent) -> Problem:
    agents = list(problem.agents)
    agents[agent_idx] = agent
    return replace(problem, agents=tuple(agents))


def _with_visit(problem: Problem, visit_idx: int, visit: Visit) -> Problem:
    visits = list(problem.visits)
    visits[visit_idx] = visit
    return replace(problem, visits=tuple(visits))


def _extend_shift(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """The agent whose shift would need to end least later for the visit to fit."""
    best: tuple[int, int] | None = None
    for agent_idx in _able_agents(problem, visit_idx):
        agent = problem.agents[agent_idx]
        longer = replace(
            agent,
            shift=TimeWindow(
                start_s=agent.shift.start_s, end_s=agent.shift.end_s + SHIFT_RELAXATION_S
            ),
            max_working_s=None,
        )
        fit = best_insertion(
            _with_agent(problem, agent_idx, longer), orders, visit_idx, [agent_idx]
        )
        if fit is not None and fit.end_s > agent.shift.end_s:
            extra_s = fit.end_s - agent.shift.end_s
            if best is None or extra_s < best[1]:
                best = (agent_idx, extra_s)
    if best is None:
        return None
    agent_idx, extra_s = best
    agent = problem.agents[agent_idx]
    return Hint(
        kind=EXTEND_SHIFT,
        agent_idx=agent_idx,
        change_s=extra_s,
        new_time_s=agent.shift.end_s + extra_s,
        detail=f"Agent {agent.id}'s shift ending {_minutes(extra_s)} min later.",
    )


def _widen_window(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """How far the visit's windows would need to reach for it to fit."""
    visit = problem.visits[visit_idx]
    if not visit.time_windows:
        return None
    free = replace(visit, time_windows=())
    fit = best_insertion(
        _with_visit(problem, visit_idx, free), orders, visit_idx, _able_agents(problem, visit_idx)
    )
    if fit is None:
        return None
    start = fit.service_start_s
    first, last = visit.time_windows[0], max(visit.time_windows, key=lambda w: w.end_s)
    if start > last.end_s:
        change_s, bound, side = start - last.end_s, start, "end"
    elif start < first.start_s:
        change_s, bound, side = first.start_s - start, start, "start"
    else:
        return None  # it starts inside a window: the windows are not what keeps it out
    return Hint(
        kind=WIDEN_WINDOW,
        change_s=change_s,
        new_time_s=bound,
        detail=f"Its window widened by {_minutes(change_s)} min at the {side}.",
    )


def _drop_visit(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """The least valuable served visit whose removal makes room for this one."""
    able = set(_able_agents(problem, visit_idx))
    served = sorted(
        ((v, a) for a, order in enumerate(orders) if a in able for v in order),
        key=lambda pair: problem.visits[pair[0]].drop_cost,
    )
    own_value = problem.visits[visit_idx].drop_cost
    for other_idx, agent_idx in served[:DROP_CANDIDATES]:
        if problem.visits[other_idx].drop_cost > own_value:
            return None  # dropping something worth more is not an improvement to suggest
        without = [list(order) for order in orders]
        without[agent_idx].remove(other_idx)
        if best_insertion(problem, without, visit_idx, [agent_idx]) is not None:
            other = problem.visits[other_idx]
            return Hint(
                kind=DROP_VISIT,
                agent_idx=agent_idx,
                visit_idx=other_idx,
                detail=f"Dropping visit {other.id} from agent {problem.agents[agent_idx].id}.",
            )
    return None


def _unpin(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """Another agent who could take a pinned visit."""
    visit = problem.visits[visit_idx]
    if visit.pinned_agent_idx is None:
        return None
    loose = _with_visit(
        problem, visit_idx, replace(visit, pinned_agent_idx=None, locked_order=None)
    )
    fit = best_insertion(loose, orders, visit_idx, _able_agents(loose, visit_idx))
    if fit is None:
        return None
    return Hint(
        kind=UNPIN,
        agent_idx=fit.agent_idx,
        detail=f"Unpinning it: agent {problem.agents[fit.agent_idx].id} could make it.",
    )


def _add_skill(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """The agent who, given the missing skills, could fit the visit most cheaply."""
    visit = problem.visits[visit_idx]
    best: tuple[Insertion, frozenset[str]] | None = None
    candidates = (
        [visit.pinned_agent_idx]
        if visit.pinned_agent_idx is not None
        else range(len(problem.agents))
    )
    for agent_idx in candidates:
        agent = problem.agents[agent_idx]
        missing = visit.required_skills - agent.skills
        trained = _with_agent(problem, agent_idx, replace(agent, skills=agent.skills | missing))
        fit = best_insertion(trained, orders, visit_idx, [agent_idx])
        if fit is not None and (best is None or fit.extra_cost < best[0].extra_cost):
            best = (fit, missing)
    if best is None:
        return None
    fit, missing = best
    skills = ", ".join(sorted(missing))
    return Hint(
        kind=ADD_SKILL,
        agent_idx=fit.agent_idx,
        detail=f"Agent {problem.agents[fit.agent_idx].id} with skill(s) {skills}.",
    )


def _raise_value(problem: Problem, orders: Sequence[Sequence[int]], visit_idx: int) -> Hint | None:
    """The value at which the visit would pay for its cheapest place (balance included)."""
    fit = _best_paying_insertion(problem, orders, visit_idx)
    if fit is None:
        return None
    return Hint(
        kind=RAISE_VALUE,
        agent_idx=fit.agent_idx,
        amount=round(fit.extra_cost, 2),
        detail=f"A value of at least {fit.extra_cost:.2f}.",
    )


def _minutes(seconds: int) -> int:
    return -(-seconds // 60)
