"""Fingerprints of what a solve depends on: the problem (every visit, agent, cost and
matrix) and the software, so that a replay can tell "the same inputs" from "changed"."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib import metadata

import numpy as np

from solver.model import Problem

_PACKAGES = ("doorstep", "ortools", "pyvrp")


def solver_version() -> str:
    """This solver's and its engines' versions, e.g. ``doorstep 0.1.0, ortools 9.15, ...``."""
    return ", ".join(f"{name} {metadata.version(name)}" for name in _PACKAGES)


def problem_digests(problem: Problem) -> tuple[str, str]:
    """SHA-256 of everything the solver reads (visits, agents, costs and matrices), and of
    the travel time and distance matrices alone (their shapes and values)."""
    digest = hashlib.sha256()
    for matrix in (problem.travel_time_s, problem.distance_m):
        values = np.ascontiguousarray(matrix, dtype=np.int64)
        digest.update(repr(values.shape).encode())
        digest.update(values.tobytes())
    matrices = digest.hexdigest()
    parts = {
        "visits": [_plain(visit) for visit in problem.visits],
        "agents": [_plain(agent) for agent in problem.agents],
        "balance_cost_per_visit": problem.balance_cost_per_visit,
        "matrices": matrices,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest(), matrices


def _plain(item: object) -> object:
    """A dataclass as JSON-ready data, sets sorted (their order varies between processes)."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {f.name: _plain(getattr(item, f.name)) for f in dataclasses.fields(item)}
    if isinstance(item, (set, frozenset)):
        return sorted(_plain(x) for x in item)  # type: ignore[type-var]
    if isinstance(item, (list, tuple)):
        return [_plain(x) for x in item]
    return item
