"""Errors raised by the solver package."""


class SolverError(Exception):
    """Base class of every error the solver raises."""


class InvalidProblemError(SolverError, ValueError):
    """The problem data is inconsistent (empty window, bad index, matrix shape)."""


class InternalSolverError(SolverError, RuntimeError):
    """The solver contradicted itself (a bug, not bad input): e.g. OR-Tools returned an order
    that the independent scheduler finds infeasible."""
