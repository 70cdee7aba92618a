"""Vehicle routing with time windows for home visits: plain data in, routes out.

Knows nothing of HTTP, addresses or road networks: integer matrices, seconds, indices and
money. :func:`solve` plans a day; :func:`evaluate` times, costs and judges a plan given as
visit orders; :func:`check_solution` independently checks a finished solution;
:func:`replay` retraces a solve exactly from its :class:`SearchTrace`.
"""

from solver.check import check_solution
from solver.decompose import PartJob, PartOutcome, run_part
from solver.digest import problem_digests, solver_version
from solver.errors import InternalSolverError, InvalidProblemError, SolverError
from solver.evaluate import Evaluation, evaluate, evaluate_route, schedule_route
from solver.model import MUST_VISIT_VALUE, Agent, AgentCosts, Break, Problem, TimeWindow, Visit
from solver.params import SolveParams
from solver.reasons import (
    AGENT_LIMITS,
    CAPACITY,
    NO_AGENT_WITH_SKILLS,
    NO_AGENTS,
    NOT_WORTH_COST,
    OUTSIDE_ALL_WINDOWS,
    PINNED_AGENT_UNAVAILABLE,
    REASON_CODES,
    SHIFT_TOO_SHORT,
)
from solver.replay import replay
from solver.solution import (
    Hint,
    Route,
    RouteCost,
    SearchStage,
    SearchTrace,
    Solution,
    SplitReport,
    Stop,
    TakenBreak,
    TerritoryReport,
    Unassigned,
)
from solver.solve import solve
from solver.violations import Violation

__all__ = [
    "AGENT_LIMITS",
    "CAPACITY",
    "MUST_VISIT_VALUE",
    "NOT_WORTH_COST",
    "NO_AGENTS",
    "NO_AGENT_WITH_SKILLS",
    "OUTSIDE_ALL_WINDOWS",
    "PINNED_AGENT_UNAVAILABLE",
    "REASON_CODES",
    "SHIFT_TOO_SHORT",
    "Agent",
    "AgentCosts",
    "Break",
    "Evaluation",
    "Hint",
    "InternalSolverError",
    "InvalidProblemError",
    "PartJob",
    "PartOutcome",
    "Problem",
    "Route",
    "RouteCost",
    "SearchStage",
    "SearchTrace",
    "Solution",
    "SolveParams",
    "SolverError",
    "SplitReport",
    "Stop",
    "TakenBreak",
    "TerritoryReport",
    "TimeWindow",
    "Unassigned",
    "Violation",
    "Visit",
    "check_solution",
    "evaluate",
    "evaluate_route",
    "problem_digests",
    "replay",
    "run_part",
    "schedule_route",
    "solve",
    "solver_version",
]
