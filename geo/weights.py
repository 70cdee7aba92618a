"""The integer edge weights routing uses: whole milliseconds and whole centimetres.

Integers make sums exact, so the travel matrices, the route geometries and any independent
check (networkx on :func:`edge_weights`) agree to the unit, whatever order paths are added
up in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from geo.network import RoadNetwork
from geo.speeds import SpeedFactors

IntArray = npt.NDArray[np.int64]

CLOSED = -1
"""Travel time of a direction an edge is closed in."""


@dataclass(frozen=True, slots=True, eq=False)
class EdgeWeights:
    """Per edge of a network: travel time (ms) along (``forward_ms``) and against
    (``backward_ms``) its geometry, :data:`CLOSED` where it is one-way, and its length (cm).

    Every open time is at least 1 ms and every length at least 1 cm, so no path is free.
    ``key`` identifies the speed factors applied (equal keys: equal weights).
    """

    forward_ms: IntArray
    backward_ms: IntArray
    length_cm: IntArray
    key: bytes


def edge_weights(
    network: RoadNetwork, factors: SpeedFactors | None = None, hours: Iterable[int] | None = None
) -> EdgeWeights:
    """The routing weights of ``network``'s edges, slowed or sped up by ``factors``.

    Parameters
    ----------
    network
        The road network.
    factors
        Speed factors per road class and hour; ``None``: every factor is 1.
    hours
        The hours (0-23) the trips happen in; each edge takes the mean factor of its road
        class over them (``None``: the whole day). Ignored without ``factors``.
    """
    if factors is None:
        per_class = np.ones(len(network.road_classes))
    else:
        per_class = factors.mean_factors(network.road_classes, hours)
    factor = per_class[network.edge_class]
    return EdgeWeights(
        forward_ms=_milliseconds(network.edge_forward_s / factor),
        backward_ms=_milliseconds(network.edge_backward_s / factor),
        length_cm=np.maximum(np.rint(network.edge_length_m * 100), 1).astype(np.int64),
        key=np.round(per_class, 9).tobytes(),
    )


def _milliseconds(time_s: npt.NDArray[np.float64]) -> IntArray:
    open_ = np.isfinite(time_s)
    result = np.full(len(time_s), CLOSED, dtype=np.int64)
    result[open_] = np.maximum(np.rint(time_s[open_] * 1000), 1).astype(np.int64)
    return result


def partial_ms(total_ms: IntArray, part_cm: IntArray, length_cm: IntArray) -> IntArray:
    """Milliseconds of the first ``part_cm`` of an edge of ``length_cm`` and ``total_ms``:
    the proportional share, rounded half up in integers so every split of an edge adds up
    to its whole (cumulative shares are differenced, never rounded twice)."""
    result: IntArray = (2 * part_cm * total_ms + length_cm) // (2 * length_cm)
    return result
