"""Builders for small hand-checkable solver problems (imported by the solver tests).

Places lie on a line: the travel time between two places is the absolute difference of their
positions (seconds), the distance ten times that (metres).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from solver import Agent, Problem, TimeWindow, Visit


def line_matrices(
    positions_s: Sequence[int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Travel-time (s) and distance (m) matrices of places at ``positions_s`` on a line."""
    x = np.asarray(positions_s, dtype=np.int64)
    travel_s = np.abs(x[:, np.newaxis] - x[np.newaxis, :])
    return travel_s, travel_s * 10


def window(start_s: int, end_s: int) -> TimeWindow:
    """Shorthand for a :class:`TimeWindow`."""
    return TimeWindow(start_s=start_s, end_s=end_s)


def visit(
    location_idx: int,
    service_s: int = 10,
    windows: Sequence[tuple[int, int]] = (),
) -> Visit:
    """A visit at ``location_idx``; ``windows`` as ``(start_s, end_s)`` pairs.

    The id is a placeholder: :func:`line_problem` renames visits ``visit-<k>``.
    """
    return Visit(
        id="v",
        location_idx=location_idx,
        service_s=service_s,
        time_windows=tuple(window(s, e) for s, e in windows),
    )


def agent(
    start_idx: int = 0,
    end_idx: int | None = 0,
    shift: tuple[int, int] = (0, 10_000),
) -> Agent:
    """An agent from ``start_idx`` to ``end_idx`` (None: open route); id renamed later."""
    return Agent(
        id="a",
        start_location_idx=start_idx,
        end_location_idx=end_idx,
        shift=window(*shift),
    )


def line_problem(
    positions_s: Sequence[int],
    visits: Sequence[Visit],
    agents: Sequence[Agent],
) -> Problem:
    """A problem on the line; visits and agents get ids ``visit-<k>`` and ``agent-<k>``."""
    travel_s, distance_m = line_matrices(positions_s)
    unique = tuple(
        Visit(
            id=f"visit-{k}",
            location_idx=v.location_idx,
            service_s=v.service_s,
            time_windows=v.time_windows,
            drop_penalty=v.drop_penalty,
        )
        for k, v in enumerate(visits)
    )
    named = tuple(
        Agent(
            id=f"agent-{k}",
            start_location_idx=a.start_location_idx,
            end_location_idx=a.end_location_idx,
            shift=a.shift,
        )
        for k, a in enumerate(agents)
    )
    return Problem(visits=unique, agents=named, travel_time_s=travel_s, distance_m=distance_m)
