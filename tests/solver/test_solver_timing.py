"""Timing a fixed visit order without OR-Tools (solver.timing through schedule_route and
evaluate_route): earliest services, the latest departure, breaks and the lateness trade-off."""

from __future__ import annotations

import pytest

from solver import Break, Problem, Route, Stop, TakenBreak, evaluate_route, schedule_route
from solver import violations as codes
from tests.solver.solver_testkit import agent, costs, line_problem, visit, window

# Places on a line (travel seconds from place 0): home, 100, 300, 1000.
POSITIONS = [0, 100, 300, 1000]


def lunch(earliest_s: int, latest_s: int, duration_s: int) -> Break:
    return Break(earliest_start_s=earliest_s, latest_start_s=latest_s, duration_s=duration_s)


def test_empty_order_stays_home() -> None:
    problem = line_problem(POSITIONS, [visit(1)], [agent(0, 3, shift=(500, 9000))])
    assert schedule_route(problem, 0, []) == Route(
        agent_idx=0, stops=(), start_s=500, end_s=500, return_travel_s=0, return_distance_m=0
    )


def test_no_windows_runs_back_to_back_from_shift_start() -> None:
    problem = line_problem(POSITIONS, [visit(1, 20), visit(2, 30)], [agent(0, 0, (50, 9000))])
    route = schedule_route(problem, 0, [0, 1])
    assert route == Route(
        agent_idx=0,
        stops=(
            Stop(
                visit_idx=0,
                arrival_s=150,
                service_start_s=150,
                service_end_s=170,
                travel_s=100,
                distance_m=1000,
            ),
            Stop(
                visit_idx=1,
                arrival_s=370,
                service_start_s=370,
                service_end_s=400,
                travel_s=200,
                distance_m=2000,
            ),
        ),
        start_s=50,
        end_s=700,
        return_travel_s=300,
        return_distance_m=3000,
    )
    assert route.travel_s == 600
    assert route.distance_m == 6000
    assert route.working_s == 650


def test_leaves_home_late_for_a_late_first_window() -> None:
    problem = line_problem(POSITIONS, [visit(1, 10, [(1000, 1100)])], [agent()])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.start_s == 900
    assert route.stops[0].arrival_s == 1000
    assert route.stops[0].wait_s == 0
    assert route.end_s == 1110


def test_leaves_as_late_as_later_waits_allow() -> None:
    # Leaving at 0 would mean waiting 1690 s at the second door; leaving at 1690 ends at the
    # same time with a working day 1690 s shorter.
    problem = line_problem(
        POSITIONS, [visit(1, 10), visit(2, 10, [(2000, 2100)])], [agent(0, 0, (0, 9000))]
    )
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    first, second = route.stops
    assert route.start_s == 1690
    assert (first.arrival_s, first.service_start_s) == (1790, 1790)
    assert (second.arrival_s, second.service_start_s) == (2000, 2000)
    assert route.end_s == 2010 + 300


def test_a_window_end_holds_the_departure_back() -> None:
    # The first visit closes at 150, so the agent leaves by 50 and waits at the second door.
    problem = line_problem(
        POSITIONS, [visit(1, 10, [(0, 150)]), visit(2, 10, [(2000, 2100)])], [agent()]
    )
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    assert route.start_s == 50
    assert route.stops[0].service_start_s == 150
    assert route.stops[1].wait_s == 2000 - 360


def test_takes_the_second_window_when_the_first_has_closed() -> None:
    problem = line_problem(POSITIONS, [visit(2, 10, [(0, 200), (600, 700)])], [agent()])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.stops[0].service_start_s == 600
    assert route.start_s == 300


def test_a_later_window_of_the_same_visit_after_a_long_service() -> None:
    # B's first window has closed when A ends at 201: B waits for 500, so the agent leaves
    # 299 s later and B starts at 500 on arrival.
    problem = line_problem(
        POSITIONS, [visit(1, 101), visit(1, 10, [(100, 200), (500, 600)])], [agent()]
    )
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    assert route.start_s == 299
    assert [(s.arrival_s, s.service_start_s) for s in route.stops] == [(399, 399), (500, 500)]
    assert route.end_s == 610


def test_service_may_run_past_the_window_end() -> None:
    problem = line_problem(POSITIONS, [visit(1, 500, [(100, 150)])], [agent()])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.stops[0].service_start_s == 100
    assert route.stops[0].service_end_s == 600


def test_missed_window_is_infeasible() -> None:
    problem = line_problem(POSITIONS, [visit(1, 10), visit(3, 10, [(0, 1000)])], [agent()])
    assert schedule_route(problem, 0, [1]) is not None  # arrives exactly at 1000
    assert schedule_route(problem, 0, [0, 1]) is None  # arrives at 1010
    route, found = evaluate_route(problem, 0, [0, 1])
    assert [(v.code, v.visit_idx) for v in found] == [(codes.WINDOW_MISSED, 1)]
    assert route.stops[1].service_start_s == route.stops[1].arrival_s == 1010


def test_shift_end_exceeded_is_infeasible() -> None:
    problem = line_problem(POSITIONS, [visit(3, 100)], [agent(0, 0, (0, 2099))])
    assert schedule_route(problem, 0, [0]) is None
    _, found = evaluate_route(problem, 0, [0])
    assert [v.code for v in found] == [codes.SHIFT_END]


def test_open_route_ends_at_the_last_service() -> None:
    problem = line_problem(POSITIONS, [visit(3, 100)], [agent(0, None, (0, 1100))])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.end_s == 1100
    assert route.return_travel_s == 0
    assert route.return_distance_m == 0


def test_distinct_end_place() -> None:
    problem = line_problem(POSITIONS, [visit(2, 0)], [agent(1, 3, (0, 9000))])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.stops[0].travel_s == 200
    assert route.return_travel_s == 700
    assert route.end_s == 900


@pytest.mark.parametrize(("agent_idx", "order"), [(1, [0]), (-1, [0]), (0, [1]), (0, [-1])])
def test_out_of_range_indices_raise(agent_idx: int, order: list[int]) -> None:
    problem = line_problem(POSITIONS, [visit(1)], [agent()])
    with pytest.raises(IndexError):
        schedule_route(problem, agent_idx, order)


# -- breaks --------------------------------------------------------------------------------


def test_break_before_the_departure_is_off_the_working_day() -> None:
    # Window at 1500 for a door 1000 s away: leaving at 500 is the latest that keeps the end;
    # the break [200, 300) is then taken at home, before leaving.
    problem = line_problem(
        POSITIONS,
        [visit(3, 10, [(1500, 1600)])],
        [agent(breaks=(lunch(200, 300, 100),))],
    )
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.breaks == (TakenBreak(break_idx=0, start_s=200, end_s=300),)
    assert route.start_s == 500
    assert route.stops[0].arrival_s == 1500
    assert route.end_s == 2510


def test_break_interrupts_travel_and_delays_the_arrival() -> None:
    # The break must start in [100, 150]; the window [1100, 1150] leaves no time to take it at
    # home: the agent drives 100 s, breaks 100 s, drives on and arrives at 1100.
    problem = line_problem(
        POSITIONS,
        [visit(3, 10, [(1100, 1150)])],
        [agent(breaks=(lunch(100, 150, 100),))],
    )
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.start_s == 0
    assert route.breaks == (TakenBreak(break_idx=0, start_s=100, end_s=200),)
    assert route.stops[0].arrival_s == 0 + 1000 + 100
    assert route.end_s == 1110 + 1000


def test_break_while_waiting_between_two_visits() -> None:
    problem = line_problem(
        POSITIONS,
        [visit(1, 10, [(0, 150)]), visit(2, 10, [(1000, 1100)])],
        [agent(breaks=(lunch(400, 600, 300),))],
    )
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    assert route.start_s == 50
    first, second = route.stops
    assert first.service_start_s == 150
    assert second.arrival_s == 360  # arrives before the break: not delayed by it
    assert route.breaks == (TakenBreak(break_idx=0, start_s=400, end_s=700),)
    assert second.service_start_s == 1000
    assert route.end_s == 1310


def test_break_after_the_end_of_a_short_day() -> None:
    problem = line_problem(POSITIONS, [visit(1, 10)], [agent(breaks=(lunch(500, 600, 100),))])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert (route.start_s, route.end_s) == (0, 210)
    assert route.breaks == (TakenBreak(break_idx=0, start_s=500, end_s=600),)


def test_break_that_cannot_fit_in_the_shift() -> None:
    # The break would end after the shift: a used agent breaks the rule, an idle one does not.
    problem = line_problem(
        POSITIONS, [visit(1, 10)], [agent(shift=(0, 10_000), breaks=(lunch(9950, 9990, 100),))]
    )
    route, found = evaluate_route(problem, 0, [0])
    assert [(v.code, v.break_idx) for v in found] == [(codes.BREAK_NOT_PLACEABLE, 0)]
    assert route.breaks == ()
    assert evaluate_route(problem, 0, [])[1] == []


def test_a_break_pushing_the_day_past_the_shift() -> None:
    # The break [200, 300] falls in the only service unless taken at the door first, and then
    # the day ends at 1200 > 1000.
    problem = line_problem(
        POSITIONS, [visit(1, 800)], [agent(shift=(0, 1000), breaks=(lunch(200, 300, 100),))]
    )
    route, found = evaluate_route(problem, 0, [0])
    assert [v.code for v in found] == [codes.SHIFT_END]
    assert route.breaks == (TakenBreak(break_idx=0, start_s=200, end_s=300),)
    assert route.stops[0].service_start_s == 300


# -- departure and costs -------------------------------------------------------------------


def _late_first_problem(per_hour: float, lateness_per_hour: float, **limits: int) -> Problem:
    return line_problem(
        POSITIONS,
        [
            visit(1, 10, preferred_window=window(0, 100), lateness_cost_per_hour=lateness_per_hour),
            visit(2, 10, [(2000, 2100)]),
        ],
        [agent(0, 0, (0, 9000), costs=costs(per_hour=per_hour), **limits)],
    )


def test_leaving_later_is_worth_lateness_when_time_costs_more() -> None:
    problem = _late_first_problem(per_hour=20.0, lateness_per_hour=10.0)
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    assert route.start_s == 1690
    assert route.stops[0].late_s == 1690
    assert route.cost.lateness == pytest.approx(10.0 * 1690 / 3600)
    assert route.cost.time == pytest.approx(20.0 * (2310 - 1690) / 3600)


def test_leaving_early_keeps_a_visit_on_time_when_lateness_costs_more() -> None:
    problem = _late_first_problem(per_hour=5.0, lateness_per_hour=10.0)
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    assert route.start_s == 0
    assert route.stops[0].late_s == 0
    assert route.cost.lateness == 0.0


def test_max_working_time_makes_the_agent_leave_late_enough() -> None:
    # Lateness alone would keep the departure at 0 (a 2310 s day); the limit of 1310 s makes
    # the agent leave at 1000 and be 1000 s late at the first door.
    problem = _late_first_problem(per_hour=0.0, lateness_per_hour=10.0, max_working_s=1310)
    route, found = evaluate_route(problem, 0, [0, 1])
    assert found == []
    assert route.start_s == 1000
    assert route.stops[0].late_s == 1000
