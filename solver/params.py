"""How long and how the search runs."""

from __future__ import annotations

from dataclasses import dataclass

from solver.errors import InvalidProblemError


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveParams:
    """Search limits. ``solution_limit`` makes a run deterministic (tests, replays)."""

    time_limit_s: float = 5.0
    solution_limit: int | None = None

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = f"time_limit_s must be positive, got {self.time_limit_s}"
            raise InvalidProblemError(msg)
        if self.solution_limit is not None and self.solution_limit < 1:
            msg = f"solution_limit must be at least 1, got {self.solution_limit}"
            raise InvalidProblemError(msg)
