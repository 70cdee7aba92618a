"""Former home of route timing, kept so older imports work: see :mod:`solver.evaluate` (times,
costs and violations of given orders) and :mod:`solver.timing` (the timing rules)."""

from solver.evaluate import schedule_route

__all__ = ["schedule_route"]
