"""Timing one agent's visits in a given order: arrivals, service starts, breaks, departure.

No optimisation of the order and no OR-Tools: given the order, the times follow from rules.

* The agent leaves a place as soon as its service ends and travels; a break taken during the
  travel interrupts it, and time left before a service (waiting) may hold breaks too.
* Service starts as early as possible: at arrival (or the end of breaks taken at the door),
  or at the opening of the first window that is still open. When every window has closed,
  the rule is broken; the service is timed at arrival and the position reported ``missed``.
* Breaks lie inside the shift and their own start window, never during a service: in a gap
  between two places, before the departure or after the end (then off the working time).
  Among all placements, the one giving the earliest end of the day is used (an exact search
  over gaps and break orders, small for the few breaks of a day).
* The departure is then as late as the earliest end allows, which makes the working time the
  shortest for this order, unless starting services earlier saves more lateness cost
  (``Visit.lateness_cost_per_hour``) than the extra working time costs
  (``AgentCosts.per_hour``); the cheapest departure is chosen, ties going to the later one.
  A ``max_working_s`` limit keeps the departure late enough when it can.

With breaks and several windows per visit these rules give a good, not always the cheapest,
timing; without breaks and with one window per visit they give the cheapest.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from solver.model import Agent, Problem, Visit
from solver.solution import TakenBreak

_FAR_S = 1 << 60
"""A time later than any real one (seconds)."""
_COST_EPS = 1e-9
"""Money differences below this are ties."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTimes:
    """The timing of one route; positions index the visit order.

    ``start_s`` is the departure from the start place, ``end_s`` the arrival at the end place
    (an open route: the end of the last service). ``missed`` are the positions whose service
    could not start inside a window; ``unplaced_breaks`` the breaks (indices into
    ``Agent.breaks``) that fit nowhere and are left out of ``breaks``.
    """

    start_s: int
    end_s: int
    arrivals_s: tuple[int, ...]
    service_starts_s: tuple[int, ...]
    breaks: tuple[TakenBreak, ...]
    missed: tuple[int, ...]
    unplaced_breaks: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Stage:
    """One visit of the order: travel into it, its service and its windows (sorted)."""

    travel_s: int
    service_s: int
    windows: tuple[tuple[int, int], ...]
    preferred_end_s: int | None
    lateness_per_hour: float


@dataclass(frozen=True, slots=True)
class _Break:
    """A break with its start window clamped to the shift: ``[earliest_s, latest_s]``."""

    idx: int
    earliest_s: int
    latest_s: int
    duration_s: int


def break_window_s(agent: Agent, break_idx: int) -> tuple[int, int]:
    """The start window ``(earliest, latest)`` of a break, inside the agent's shift (the break
    must also end within it). Empty (earliest > latest) when the break cannot fit."""
    brk = agent.breaks[break_idx]
    earliest_s = max(brk.earliest_start_s, agent.shift.start_s)
    latest_s = min(brk.latest_start_s, agent.shift.end_s - brk.duration_s)
    return earliest_s, latest_s


def time_route(problem: Problem, agent_idx: int, order: Sequence[int]) -> RouteTimes:
    """Time the visits of ``order`` for agent ``agent_idx`` by the rules of the module.

    Parameters
    ----------
    problem
        The problem holding visits, agents and travel matrices.
    agent_idx
        Index into ``problem.agents`` (must be valid).
    order
        Indices into ``problem.visits`` (must be valid), in service order. Empty: the agent
        stays home, leaving and ending at the start of its shift, without breaks.

    Returns
    -------
    RouteTimes
        Always a timing, also for an infeasible order: see ``missed`` and
        ``unplaced_breaks``; the shift end and the agent's limits are left to the caller.
    """
    agent = problem.agents[agent_idx]
    if not order:
        return RouteTimes(
            start_s=agent.shift.start_s,
            end_s=agent.shift.start_s,
            arrivals_s=(),
            service_starts_s=(),
            breaks=(),
            missed=(),
            unplaced_breaks=(),
        )
    travel = problem.travel_time_of(agent_idx)
    places = [agent.start_location_idx, *(problem.visits[v].location_idx for v in order)]
    stages = [
        _stage(problem.visits[v], int(travel[places[pos], places[pos + 1]]))
        for pos, v in enumerate(order)
    ]
    closed = agent.end_location_idx is not None
    return_s = int(travel[places[-1], agent.end_location_idx]) if closed else 0
    breaks = []
    unplaceable = []
    for idx, brk in enumerate(agent.breaks):
        earliest_s, latest_s = break_window_s(agent, idx)
        if earliest_s > latest_s:
            unplaceable.append(idx)
        else:
            breaks.append(_Break(idx, earliest_s, latest_s, brk.duration_s))
    planner = _Planner(agent, stages, return_s, closed, tuple(breaks))
    times = planner.best()
    if unplaceable:
        unplaced = tuple(sorted((*times.unplaced_breaks, *unplaceable)))
        return RouteTimes(
            start_s=times.start_s,
            end_s=times.end_s,
            arrivals_s=times.arrivals_s,
            service_starts_s=times.service_starts_s,
            breaks=times.breaks,
            missed=times.missed,
            unplaced_breaks=unplaced,
        )
    return times


def _stage(visit: Visit, travel_s: int) -> _Stage:
    preferred = visit.preferred_window
    return _Stage(
        travel_s=travel_s,
        service_s=visit.service_s,
        windows=tuple(sorted((w.start_s, w.end_s) for w in visit.time_windows)),
        preferred_end_s=None if preferred is None else preferred.end_s,
        lateness_per_hour=visit.lateness_cost_per_hour,
    )


def _service_start(windows: tuple[tuple[int, int], ...], ready_s: int) -> tuple[int, int, bool]:
    """``(service start, end of the window used, missed)`` for a visit ready at ``ready_s``;
    when every window has closed: ``(ready_s, ready_s, True)``."""
    if not windows:
        return ready_s, _FAR_S, False
    for start_s, end_s in windows:
        if end_s >= ready_s:
            return max(ready_s, start_s), end_s, False
    return ready_s, ready_s, True


@dataclass(frozen=True, slots=True)
class _Record:
    """What one step of the dynamic programme did: breaks placed ``(break, start)`` and, on
    reaching a visit, ``(arrival, service start, end of the window used, missed)``."""

    placed: tuple[tuple[int, int], ...]
    visit: tuple[int, int, int, bool] | None = None


_History = tuple["_History", _Record] | None
"""The steps so far, as a linked list (parent, last step)."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """A complete timing from one departure; ``key`` orders plans, smaller is better."""

    times: RouteTimes
    window_ends_s: tuple[int, ...]

    @property
    def key(self) -> tuple[int, int, int]:
        return (len(self.times.unplaced_breaks), self.times.end_s, len(self.times.missed))


class _Planner:
    """Times one order for one agent: the earliest end, then the cheapest departure."""

    def __init__(
        self,
        agent: Agent,
        stages: list[_Stage],
        return_s: int,
        closed: bool,
        breaks: tuple[_Break, ...],
    ) -> None:
        self.agent = agent
        self.stages = stages
        self.return_s = return_s
        self.closed = closed
        self.breaks = breaks
        self.lateness = any(
            s.preferred_end_s is not None and s.lateness_per_hour > 0 for s in stages
        )

    def best(self) -> RouteTimes:
        """The timing of the module's rules."""
        earliest_s = self.agent.shift.start_s
        first = self.plan(earliest_s)
        if self.breaks:
            first, segment_s, latest_s = self._latest_departure_with_breaks(first)
        else:
            segment_s, latest_s = earliest_s, earliest_s + self._forward_slack_s(first)
        lowest_s = segment_s
        if self.agent.max_working_s is not None:
            lowest_s = max(lowest_s, first.times.end_s - self.agent.max_working_s)
        lowest_s = min(lowest_s, latest_s)
        if self.lateness:
            departure_s = self._cheapest_departure_s(first, lowest_s, latest_s)
        else:
            departure_s = latest_s
        return first.times if departure_s == first.times.start_s else self.plan(departure_s).times

    # -- departure -------------------------------------------------------------------------

    def _latest_departure_with_breaks(self, first: _Plan) -> tuple[_Plan, int, int]:
        """The best plan over all departures, the start of its segment and the latest
        departure as good as it.

        Leaving later never helps, except that it makes room for breaks before leaving: the
        departures where a set of breaks taken at home just ends ("anchors") start segments
        within which a later departure is never better. Each segment is searched from its
        start by bisection.
        """
        end_s = first.times.end_s
        anchors = {first.times.start_s}
        for size in range(1, len(self.breaks) + 1):
            for chosen in itertools.permutations(range(len(self.breaks)), size):
                placed = _sequential(self.breaks, chosen, self.agent.shift.start_s)
                if placed is not None:
                    ends_s = placed[-1][1] + self.breaks[chosen[-1]].duration_s
                    if first.times.start_s < ends_s <= end_s:
                        anchors.add(ends_s)
        starts = sorted(anchors)
        plans = {a: self.plan(a) for a in starts}
        best = min(plans.values(), key=lambda plan: plan.key)
        found_segment_s, found_s = best.times.start_s, best.times.start_s
        for k, low_s in enumerate(starts):
            if plans[low_s].key > best.key:
                continue
            high_s = starts[k + 1] - 1 if k + 1 < len(starts) else max(low_s, end_s)
            segment_s = low_s
            while low_s < high_s:  # low_s is as good as the best; above high_s none is
                mid_s = (low_s + high_s + 1) // 2
                if self.plan(mid_s).key <= best.key:
                    low_s = mid_s
                else:
                    high_s = mid_s - 1
            if low_s > found_s:
                found_segment_s, found_s = segment_s, low_s
        return best, found_segment_s, found_s

    def _forward_slack_s(self, first: _Plan) -> int:
        """How much later the agent may leave (no breaks) without moving the end or leaving
        any window: the waits absorb the delay until they are used up."""
        times = first.times
        waited_s = 0
        slack_s = _FAR_S
        for pos, start_s in enumerate(times.service_starts_s):
            waited_s += start_s - times.arrivals_s[pos]
            slack_s = min(slack_s, waited_s + first.window_ends_s[pos] - start_s)
        return min(slack_s, waited_s)

    def _cheapest_departure_s(self, first: _Plan, lowest_s: int, latest_s: int) -> int:
        """The departure in ``[lowest_s, latest_s]`` with the lowest working-time plus
        lateness cost; the latest of equally cheap ones."""
        if not self.breaks:
            return self._cheapest_departure_without_breaks_s(first, lowest_s, latest_s)
        # Cost is convex in the departure (each service start is a convex function of it):
        # find the last departure whose one-second delay did not raise the cost.
        low_s, high_s = lowest_s, latest_s
        while low_s < high_s:
            mid_s = (low_s + high_s + 1) // 2
            if self._cost(self.plan(mid_s)) <= self._cost(self.plan(mid_s - 1)) + _COST_EPS:
                low_s = mid_s
            else:
                high_s = mid_s - 1
        return low_s

    def _cheapest_departure_without_breaks_s(
        self, first: _Plan, lowest_s: int, latest_s: int
    ) -> int:
        """Exact: leaving ``delay`` later moves service ``i`` by ``max(0, delay - W_i)``
        (``W_i`` the waits up to it), so the cost is piecewise linear with breakpoints at
        ``W_i`` and where service ``i`` turns late; try them all."""
        times = first.times
        base_s = times.start_s
        pairs = zip(times.service_starts_s, times.arrivals_s, strict=True)
        waits_s = list(itertools.accumulate(start - arrival for start, arrival in pairs))

        def cost(delay_s: int) -> float:
            total = -self.agent.costs.per_hour * delay_s / 3600
            for pos, stage in enumerate(self.stages):
                if stage.preferred_end_s is None:
                    continue
                start_s = times.service_starts_s[pos] + max(0, delay_s - waits_s[pos])
                total += stage.lateness_per_hour * max(0, start_s - stage.preferred_end_s) / 3600
            return total

        candidates = {lowest_s - base_s, latest_s - base_s}
        for pos, stage in enumerate(self.stages):
            candidates.add(waits_s[pos])
            if stage.preferred_end_s is not None:
                on_time_s = stage.preferred_end_s - times.service_starts_s[pos]
                candidates.add(waits_s[pos] + max(0, on_time_s))
        best_delay_s, best_cost = latest_s - base_s, cost(latest_s - base_s)
        for delay_s in sorted(candidates, reverse=True):
            if lowest_s - base_s <= delay_s <= latest_s - base_s:
                value = cost(delay_s)
                if value < best_cost - _COST_EPS:
                    best_delay_s, best_cost = delay_s, value
        return base_s + best_delay_s

    def _cost(self, plan: _Plan) -> float:
        times = plan.times
        total = self.agent.costs.per_hour * (times.end_s - times.start_s) / 3600
        for pos, stage in enumerate(self.stages):
            if stage.preferred_end_s is not None:
                late_s = max(0, times.service_starts_s[pos] - stage.preferred_end_s)
                total += stage.lateness_per_hour * late_s / 3600
        return total

    # -- one departure ---------------------------------------------------------------------

    def plan(self, departure_s: int) -> _Plan:
        """The best timing when leaving at ``departure_s``."""
        if not self.breaks:
            return self._plan_without_breaks(departure_s)
        return self._plan_with_breaks(departure_s)

    def _plan_without_breaks(self, departure_s: int) -> _Plan:
        clock_s = departure_s
        arrivals, starts, window_ends, missed = [], [], [], []
        for pos, stage in enumerate(self.stages):
            arrival_s = clock_s + stage.travel_s
            start_s, window_end_s, miss = _service_start(stage.windows, arrival_s)
            if miss:
                missed.append(pos)
            arrivals.append(arrival_s)
            starts.append(start_s)
            window_ends.append(window_end_s)
            clock_s = start_s + stage.service_s
        times = RouteTimes(
            start_s=departure_s,
            end_s=clock_s + self.return_s,
            arrivals_s=tuple(arrivals),
            service_starts_s=tuple(starts),
            breaks=(),
            missed=tuple(missed),
            unplaced_breaks=(),
        )
        return _Plan(times, tuple(window_ends))

    def _plan_with_breaks(self, departure_s: int) -> _Plan:
        """Dynamic programme over (gap, breaks already placed): the earliest time at each
        state dominates later ones, since the agent may always wait."""
        n_breaks = len(self.breaks)
        # state: mask of breaks placed -> (clock, misses, history)
        states: dict[int, tuple[int, int, _History]] = {}
        for mask, placed in self._before_departure(departure_s).items():
            states[mask] = (departure_s, 0, (None, _Record(placed=tuple(placed))))
        n_gaps = len(self.stages) + (1 if self.closed else 0)
        for gap in range(n_gaps):
            to_visit = gap < len(self.stages)
            travel_s = self.stages[gap].travel_s if to_visit else self.return_s
            nxt: dict[int, tuple[int, int, _History]] = {}
            for mask, (clock_s, misses, history) in states.items():
                remaining = [b for b in range(n_breaks) if not mask >> b & 1]
                for size in range(len(remaining) + 1):
                    for chosen in itertools.permutations(remaining, size):
                        leg = self._gap(clock_s, travel_s, chosen)
                        if leg is None:
                            continue
                        ready_s, arrival_s, placed = leg
                        new_mask = mask | sum(1 << b for b in chosen)
                        if to_visit:
                            stage = self.stages[gap]
                            start_s, window_end_s, miss = _service_start(stage.windows, ready_s)
                            new_clock_s = start_s + stage.service_s
                            record = _Record(
                                placed=tuple(placed),
                                visit=(arrival_s, start_s, window_end_s, miss),
                            )
                        else:
                            miss = False
                            new_clock_s = ready_s
                            record = _Record(placed=tuple(placed))
                        old = nxt.get(new_mask)
                        if old is None or (new_clock_s, misses + miss) < old[:2]:
                            nxt[new_mask] = (new_clock_s, misses + miss, (history, record))
            states = nxt
        best: _Plan | None = None
        for mask, (end_s, _, history) in sorted(states.items()):
            left = [b for b in range(n_breaks) if not mask >> b & 1]
            after, unplaced = self._after_end(end_s, left)
            plan = self._unwind(departure_s, end_s, history, after, unplaced)
            if best is None or plan.key < best.key:
                best = plan
        assert best is not None  # taking no break in any gap always reaches the end
        return best

    def _gap(
        self, clock_s: int, travel_s: int, chosen: tuple[int, ...]
    ) -> tuple[int, int, list[tuple[int, int]]] | None:
        """Travel ``travel_s`` from ``clock_s`` taking the breaks ``chosen`` in that order, as
        early as they may start, travelling whenever not on a break. Returns (time ready,
        arrival, [(break, start)]) or None when a break would start too late."""
        remaining_s = travel_s
        arrival_s = clock_s if travel_s == 0 else -1
        placed = []
        for b in chosen:
            brk = self.breaks[b]
            if clock_s < brk.earliest_s and remaining_s:
                step_s = min(remaining_s, brk.earliest_s - clock_s)
                clock_s += step_s
                remaining_s -= step_s
                if not remaining_s:
                    arrival_s = clock_s
            start_s = max(clock_s, brk.earliest_s)
            if start_s > brk.latest_s:
                return None
            placed.append((b, start_s))
            clock_s = start_s + brk.duration_s
        if remaining_s:
            clock_s += remaining_s
            arrival_s = clock_s
        return clock_s, arrival_s, placed

    def _before_departure(self, departure_s: int) -> dict[int, list[tuple[int, int]]]:
        """Every set of breaks (mask) that fits before ``departure_s``, with a placement."""
        found: dict[int, list[tuple[int, int]]] = {0: []}
        for size in range(1, len(self.breaks) + 1):
            for chosen in itertools.permutations(range(len(self.breaks)), size):
                mask = sum(1 << b for b in chosen)
                if mask in found:
                    continue
                placed = _sequential(self.breaks, chosen, self.agent.shift.start_s)
                if placed is not None and placed[-1][1] + self.breaks[chosen[-1]].duration_s <= (
                    departure_s
                ):
                    found[mask] = placed
        return found

    def _after_end(self, end_s: int, left: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
        """Place the breaks ``left`` after ``end_s``: the largest set that fits, and the rest."""
        for size in range(len(left), -1, -1):
            for chosen in itertools.permutations(left, size):
                placed = _sequential(self.breaks, chosen, end_s)
                if placed is not None:
                    return placed, [b for b in left if b not in chosen]
        return [], list(left)  # pragma: no cover - size 0 always fits

    def _unwind(
        self,
        departure_s: int,
        end_s: int,
        history: _History,
        after: list[tuple[int, int]],
        unplaced: list[int],
    ) -> _Plan:
        records: list[_Record] = []
        while history is not None:
            history, record = history
            records.append(record)
        records.reverse()
        arrivals: list[int] = []
        starts: list[int] = []
        window_ends: list[int] = []
        missed: list[int] = []
        placed: list[tuple[int, int]] = list(after)
        for record in records:
            placed.extend(record.placed)
            if record.visit is not None:
                arrival_s, start_s, window_end_s, miss = record.visit
                if miss:
                    missed.append(len(starts))
                arrivals.append(arrival_s)
                starts.append(start_s)
                window_ends.append(window_end_s)
        taken = tuple(
            sorted(
                (
                    TakenBreak(
                        break_idx=self.breaks[b].idx,
                        start_s=start_s,
                        end_s=start_s + self.breaks[b].duration_s,
                    )
                    for b, start_s in placed
                ),
                key=lambda t: (t.start_s, t.break_idx),
            )
        )
        times = RouteTimes(
            start_s=departure_s,
            end_s=end_s,
            arrivals_s=tuple(arrivals),
            service_starts_s=tuple(starts),
            breaks=taken,
            missed=tuple(missed),
            unplaced_breaks=tuple(sorted(self.breaks[b].idx for b in unplaced)),
        )
        return _Plan(times, tuple(window_ends))


def _sequential(
    breaks: tuple[_Break, ...], chosen: Sequence[int], from_s: int
) -> list[tuple[int, int]] | None:
    """Breaks ``chosen`` one after the other, each as early as possible from ``from_s``; None
    when one would start after its window."""
    clock_s = from_s
    placed = []
    for b in chosen:
        start_s = max(clock_s, breaks[b].earliest_s)
        if start_s > breaks[b].latest_s:
            return None
        placed.append((b, start_s))
        clock_s = start_s + breaks[b].duration_s
    return placed
