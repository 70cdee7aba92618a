"""The solver's data as JSON text for a task queue: exact round trips, and nothing but the
solver's data is read."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from solver import PartJob, SolveParams, run_part, wire
from tests.solver.test_decompose import town


def test_a_part_and_its_outcome_go_through_the_wire_unchanged() -> None:
    problem = town(40, 4)
    params = SolveParams(time_limit_s=30, solution_limit=200, split_above_visits=None)
    initial = [[0, 1], [], [2], []]
    job = PartJob(problem, params, initial)
    text = wire.dumps(job)
    json.loads(text)  # plain JSON
    back = wire.loads(text)
    assert isinstance(back, PartJob)
    assert back.params == params
    assert back.initial == initial
    for name in ("travel_time_s", "distance_m"):
        assert np.array_equal(getattr(back.problem, name), getattr(problem, name))
    assert back.problem.visits == problem.visits
    assert back.problem.agents == problem.agents

    outcome = run_part(back)
    again = wire.loads(wire.dumps(outcome))
    assert again == outcome
    assert again.solution.routes == run_part(job).solution.routes
    assert ":" in outcome.solved_by


@pytest.mark.parametrize(
    "text",
    [
        '{"$type": "system", "command": "rm -rf /"}',
        '{"$type": "Visit", "id": "v", "location_idx": 0, "no_such_field": 1}',
        '{"$array": [2, 2], "data": "not base64!"}',
        "not json",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(wire.WireError):
        wire.loads(text)


def test_only_the_solvers_types_are_written() -> None:
    @dataclasses.dataclass
    class Other:
        x: int

    with pytest.raises(wire.WireError, match="Other"):
        wire.dumps(Other(1))
    with pytest.raises(wire.WireError, match="bytes"):
        wire.dumps(b"raw")
