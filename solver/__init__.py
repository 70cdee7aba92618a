"""Vehicle routing with time windows for home visits: plain data in, routes out.

Knows nothing of HTTP, addresses or road networks: integer matrices, seconds and indices.
"""

from solver.errors import InternalSolverError, InvalidProblemError, SolverError
from solver.model import DEFAULT_DROP_PENALTY, Agent, Problem, TimeWindow, Visit
from solver.params import SolveParams
from solver.reasons import CAPACITY, OUTSIDE_ALL_WINDOWS
from solver.schedule import schedule_route
from solver.solution import Route, Solution, Stop, Unassigned
from solver.solve import solve

__all__ = [
    "CAPACITY",
    "DEFAULT_DROP_PENALTY",
    "OUTSIDE_ALL_WINDOWS",
    "Agent",
    "InternalSolverError",
    "InvalidProblemError",
    "Problem",
    "Route",
    "Solution",
    "SolveParams",
    "SolverError",
    "Stop",
    "TimeWindow",
    "Unassigned",
    "Visit",
    "schedule_route",
    "solve",
]
