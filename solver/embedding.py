"""Places as points in a few dimensions whose distances follow the travel times, so that
k-means can cluster them: landmark multidimensional scaling (de Silva and Tenenbaum, 2004).

The solver knows no coordinates, only travel matrices, and roads bend around rivers and
mountains: times, not crow-flight distances, should decide which visits share a territory.
Classical scaling of all places would cost an eigendecomposition of an n x n matrix; the
landmark version scales only a few dozen well-spread places and places every other one by
its times to them (a matrix product), which costs milliseconds for thousands of places.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

LANDMARKS = 48
"""Landmarks scaled exactly; more change the clusters little (the region is near-planar)."""

DIMENSIONS = 3
"""Most coordinates kept (fewer when the landmarks' scaling has fewer positive axes)."""


def embed(times_s: npt.NDArray[np.int64], *, landmarks: int = LANDMARKS) -> npt.NDArray[np.float64]:
    """Coordinates (n x d, seconds) of the places of a square travel-time matrix.

    The matrix is made symmetric (the mean of both directions) and times beyond the 99th
    percentile (an unroutable pair) are capped there, so one missing road cannot fling a
    place across the map.
    """
    n = len(times_s)
    if n == 0:
        return np.zeros((0, 1))
    times = times_s.astype(np.float64)
    sample = times[:: max(1, n // 200)].ravel()  # the cap needs no exact percentile
    cap = float(np.percentile(sample, 99)) or 1.0

    def rows(idx: list[int] | int) -> npt.NDArray[np.float64]:
        """Symmetric, capped times from the places ``idx`` to every place."""
        out: npt.NDArray[np.float64] = np.minimum((times[idx] + times[:, idx].T) / 2, cap)
        return out

    chosen = _farthest_points(rows, n, min(n, landmarks))
    to_landmarks = rows(chosen).T ** 2  # (n, L)
    squared = to_landmarks[chosen]
    # Classical scaling of the landmarks: double-centre, keep the largest positive axes.
    centre = np.eye(len(chosen)) - 1 / len(chosen)
    gram = -0.5 * centre @ squared @ centre
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:DIMENSIONS]
    keep = order[values[order] > 1e-9 * max(float(values.max()), 1.0)]
    if len(keep) == 0:  # every place alike
        return np.zeros((n, 1))
    # Every place by its squared times to the landmarks (the "triangulation" step).
    pseudo_inverse = vectors[:, keep].T / np.sqrt(values[keep])[:, None]
    coords: npt.NDArray[np.float64] = (
        -0.5 * (to_landmarks - squared.mean(axis=0)) @ pseudo_inverse.T
    )
    return coords


def _farthest_points(
    rows: Callable[[int], npt.NDArray[np.float64]], n: int, count: int
) -> list[int]:
    """``count`` places, each the farthest from those chosen before (the first: the farthest
    from place 0), so the landmarks span the whole region."""
    first = int(np.argmax(rows(0)))
    chosen = [first]
    nearest = rows(first).copy()
    while len(chosen) < min(count, n):
        nxt = int(np.argmax(nearest))
        if nearest[nxt] <= 0:
            break  # the rest coincide with chosen ones
        chosen.append(nxt)
        np.minimum(nearest, rows(nxt), out=nearest)
    return chosen
