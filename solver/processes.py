"""Where the solver's worker processes come from: a fork server that has imported the
solver and both engines once, so each worker forked from it starts in a fraction of a
second instead of importing them again (3-4 s a worker on the loaded 2-core machine,
measured while writing :mod:`solver.decompose`).

A fork server, not a plain fork: the app serves requests on threads, and forking a
threaded process can copy a lock some other thread holds.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext

PRELOAD = ("__main__", "solver.decompose", "solver._pyvrp", "solver._ortools")
"""Imported by the fork server before it forks any worker. ``__main__``: the program's own
script (a benchmark, the service's command), which each worker would otherwise import again
(multiprocessing imports it by its path; a script run with ``-m`` is not)."""


def worker_context() -> ForkServerContext:
    """The multiprocessing context for worker pools. The preload takes effect when the
    process's fork server first starts; later calls change nothing."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context
