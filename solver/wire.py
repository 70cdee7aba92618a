"""The solver's plain data as JSON text, to send a territory's search to another machine
(a task queue) and its solution back.

Only the solver's own dataclasses, numbers, strings, lists, tuples, sets and integer numpy
arrays are written or read: decoding never runs code named by the message (unlike pickle, a
broker's message cannot make a worker do anything but solve).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

import numpy as np

from solver.model import Agent, AgentCosts, Break, Problem, TimeWindow, Visit
from solver.params import SolveParams
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

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Agent,
        AgentCosts,
        Break,
        Hint,
        Problem,
        Route,
        RouteCost,
        SearchStage,
        SearchTrace,
        Solution,
        SolveParams,
        SplitReport,
        Stop,
        TakenBreak,
        TerritoryReport,
        TimeWindow,
        Unassigned,
        Visit,
    )
}


class WireError(ValueError):
    """Text that is not the solver's data."""


def register(cls: type) -> type:
    """Allow one more of the solver's dataclasses on the wire (a class decorator)."""
    _TYPES[cls.__name__] = cls
    return cls


def dumps(value: object) -> str:
    """``value`` as JSON text."""
    return json.dumps(_encode(value), separators=(",", ":"))


def loads(text: str) -> Any:
    """The value :func:`dumps` wrote.

    Raises
    ------
    WireError
        If the text is not JSON of the solver's data.
    """
    try:
        return _decode(json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        msg = f"not the solver's data: {exc}"
        raise WireError(msg) from exc


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _TYPES.get(name) is not type(value):
            msg = f"{name} is not allowed on the wire"
            raise WireError(msg)
        fields = {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return {"$type": name, **fields}
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value, dtype=np.int64)
        data = base64.b64encode(array.tobytes()).decode("ascii")
        return {"$array": list(array.shape), "data": data}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(x) for x in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted((_encode(x) for x in value), key=repr)}
    if isinstance(value, list):
        return [_encode(x) for x in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    msg = f"{type(value).__name__} is not allowed on the wire"
    raise WireError(msg)


def _decode(value: object) -> object:
    if isinstance(value, list):
        return [_decode(x) for x in value]
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(_decode(x) for x in value["$tuple"])
    if "$set" in value:
        return frozenset(_decode(x) for x in value["$set"])
    if "$array" in value:
        shape = tuple(int(n) for n in value["$array"])
        raw = base64.b64decode(value["data"], validate=True)
        return np.frombuffer(raw, dtype=np.int64).reshape(shape).copy()
    name = value.get("$type")
    cls = _TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        msg = f"unknown type {name!r}"
        raise WireError(msg)
    return cls(**{k: _decode(v) for k, v in value.items() if k != "$type"})
