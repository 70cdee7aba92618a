"""schedule_route: timing a fixed visit order without OR-Tools."""

from __future__ import annotations

import pytest

from solver import Route, Stop
from solver.schedule import earliest_service_start_s, schedule_route
from tests.solver.solver_testkit import agent, line_problem, visit

# Places on a line (travel seconds from place 0): home, 100, 300, 1000.
POSITIONS = [0, 100, 300, 1000]


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


def test_leaves_home_late_for_a_late_first_window() -> None:
    problem = line_problem(POSITIONS, [visit(1, 10, [(1000, 1100)])], [agent()])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.start_s == 900
    assert route.stops[0].arrival_s == 1000
    assert route.stops[0].wait_s == 0
    assert route.end_s == 1110


def test_waits_at_a_later_door_when_early() -> None:
    problem = line_problem(
        POSITIONS, [visit(1, 10), visit(2, 10, [(2000, 2100)])], [agent(0, 0, (0, 9000))]
    )
    route = schedule_route(problem, 0, [0, 1])
    assert route is not None
    first, second = route.stops
    assert route.start_s == 0
    assert first.service_start_s == 100
    assert second.arrival_s == 310
    assert second.service_start_s == 2000
    assert second.wait_s == 1690
    assert route.end_s == 2010 + 300


def test_takes_the_second_window_when_the_first_has_closed() -> None:
    problem = line_problem(POSITIONS, [visit(2, 10, [(0, 200), (600, 700)])], [agent()])
    route = schedule_route(problem, 0, [0])
    assert route is not None
    assert route.stops[0].service_start_s == 600
    assert route.start_s == 300


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


def test_shift_end_exceeded_is_infeasible() -> None:
    problem = line_problem(POSITIONS, [visit(3, 100)], [agent(0, 0, (0, 2099))])
    assert schedule_route(problem, 0, [0]) is None


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


def test_earliest_service_start() -> None:
    v = visit(1, 10, [(500, 600), (100, 200)])
    assert earliest_service_start_s(v, 50) == 100
    assert earliest_service_start_s(v, 150) == 150
    assert earliest_service_start_s(v, 200) == 200
    assert earliest_service_start_s(v, 201) == 500
    assert earliest_service_start_s(v, 601) is None
    assert earliest_service_start_s(visit(1), 12345) == 12345
