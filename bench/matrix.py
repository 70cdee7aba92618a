"""Time network builds, cached loads, snapping and 1,000 x 1,000 travel matrices.

Usage: .venv/bin/python bench/matrix.py [--points 1000] [--repeats 5] [--extract PATH ...]

For each extract (default: the shipped Liechtenstein one and, if present, Harrisburg):
builds every mode's network (timed), loads them back from the cache (timed, no parsing),
snaps random points, then times ``travel_matrices`` for all of them against a bare
``scipy.sparse.csgraph.dijkstra`` call from the same number of sources (the snapped edges'
start nodes) on the same road graph, side by side, and prints medians and their ratio.
Also: the tree-sum alternative to composite weights, rush-hour factors, a cache hit, leg
geometry, and peak memory (tracemalloc around one matrix; the process's max RSS at the
end). Figures vary with machine load: compare within one run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import csgraph

from geo import (
    EdgeLocator,
    LatLon,
    MatrixCache,
    RoadNetwork,
    Snap,
    SpeedFactors,
    TravelMode,
    build_road_network,
    travel_matrices,
)
from geo.cache import load_pickle, save_pickle

ROOT = Path(__file__).resolve().parents[1]
LIECHTENSTEIN = ROOT / "data" / "osm" / "liechtenstein.osm.pbf"
HARRISBURG = ROOT.parent / "shared" / "data" / "osm" / "harrisburg.osm.pbf"
"""The larger second region, from the shared material beside the checkout."""
RUSH = SpeedFactors(
    {
        road_class: [0.5 if hour in (7, 8, 16, 17) else 1.0 for hour in range(24)]
        for road_class in ("primary", "secondary", "tertiary", "residential")
    }
)


def _row(label: str, value: str) -> None:
    print(f"  {label:<52}{value:>22}")


def _median_s(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _random_snaps(network: RoadNetwork, locator: EdgeLocator, count: int) -> list[Snap]:
    """``count`` uniformly random points of the network's bounding box that snap within
    500 m (the app's default limit)."""
    rng = np.random.default_rng(42)
    lat_range = (float(network.node_lat.min()), float(network.node_lat.max()))
    lon_range = (float(network.node_lon.min()), float(network.node_lon.max()))
    snaps: list[Snap] = []
    while len(snaps) < count:
        lats, lons = rng.uniform(*lat_range, count), rng.uniform(*lon_range, count)
        points = [LatLon(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]
        snaps += [s for s in locator.snap(points, max_distance_m=500) if s is not None]
    return snaps[:count]


def _bench_extract(extract: Path, points: int, repeats: int) -> None:
    print(f"{extract.name} ({extract.stat().st_size / 1e6:.1f} MB)")
    with tempfile.TemporaryDirectory() as cache_dir:
        networks: dict[TravelMode, RoadNetwork] = {}
        for mode in TravelMode:
            started = time.perf_counter()
            network = build_road_network(extract, mode)
            networks[mode] = network
            _row(
                f"build {mode.value} ({network.nodes} nodes, {network.edges} edges)",
                f"{time.perf_counter() - started:.2f} s",
            )
            save_pickle(Path(cache_dir) / f"{mode}.pkl", network)
        started = time.perf_counter()
        for mode in TravelMode:
            EdgeLocator(load_pickle(Path(cache_dir) / f"{mode}.pkl", RoadNetwork))
        _row(
            "load 4 modes from the cache + their locators", f"{time.perf_counter() - started:.3f} s"
        )

    network = networks[TravelMode.DRIVE]
    locator = EdgeLocator(network)
    snaps = _random_snaps(network, locator, points)
    query = [s.point for s in snaps]
    snap_s = _median_s(lambda: locator.snap(query, max_distance_m=500), repeats)
    _row(f"snap {points} points (drive)", f"{snap_s * 1000:.1f} ms")

    sources = network.edge_u[[s.edge for s in snaps]]
    travel_matrices(network, snaps)  # warm up both paths once
    csgraph.dijkstra(network.travel_time_s, directed=True, indices=sources)
    ours, bare = [], []
    for _ in range(repeats):  # alternate, so load changes hit both alike
        started = time.perf_counter()
        travel_matrices(network, snaps)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        csgraph.dijkstra(network.travel_time_s, directed=True, indices=sources)
        bare.append(time.perf_counter() - started)
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    _row(f"{points}x{points} drive matrices (median of {repeats})", f"{ours_s:.3f} s")
    _row(f"bare scipy dijkstra, {points} sources (median)", f"{bare_s:.3f} s")
    _row("ratio (limit 1.5)", f"{ours_s / bare_s:.2f}")
    tree_s = _median_s(lambda: travel_matrices(network, snaps, method="tree"), repeats)
    _row("  alternative: time Dijkstra + tree length sums", f"{tree_s:.3f} s")
    rush_s = _median_s(lambda: travel_matrices(network, snaps, factors=RUSH, hours=[8]), repeats)
    _row("  with rush-hour speed factors (08:00)", f"{rush_s:.3f} s")
    cache = MatrixCache()
    travel_matrices(network, snaps, cache=cache)
    hit_s = _median_s(lambda: travel_matrices(network, snaps, cache=cache), repeats)
    _row("  the same again, from the MatrixCache", f"{hit_s * 1000:.1f} ms")

    matrices = travel_matrices(network, snaps)
    rng = np.random.default_rng(1)
    legs = rng.integers(0, points, size=(1000, 2)).tolist()
    started = time.perf_counter()
    vertices = sum(len(matrices.leg_coordinates(i, j)) for i, j in legs)
    _row(
        f"1000 leg geometries ({vertices / 1000:.0f} points each)",
        f"{time.perf_counter() - started:.3f} s",
    )

    tracemalloc.start()
    travel_matrices(network, snaps)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _row("peak memory of one matrix computation (tracemalloc)", f"{peak / 2**20:.0f} MB")

    walk = networks[TravelMode.WALK]
    walk_locator = EdgeLocator(walk)
    walk_snaps = [s for s in walk_locator.snap(query, max_distance_m=500) if s is not None]
    walk_s = _median_s(lambda: travel_matrices(walk, walk_snaps), repeats)
    _row(f"{len(walk_snaps)}x{len(walk_snaps)} walk matrices (median)", f"{walk_s:.3f} s")


def main() -> None:
    """Run the benchmark on each extract and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--extract", type=Path, nargs="*")
    args = parser.parse_args()
    extracts = args.extract or [
        LIECHTENSTEIN,
        *([HARRISBURG] if HARRISBURG.is_file() else []),
    ]
    for extract in extracts:
        _bench_extract(extract, args.points, args.repeats)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    print(f"max resident memory of the whole run: {max_rss / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
