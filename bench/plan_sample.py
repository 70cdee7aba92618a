"""Time each stage of planning the shipped sample, and plan quality against search time.

Usage: .venv/bin/python bench/plan_sample.py [--limits 1 5 10]

Prints the cold build and the cached load of the default region, geocoding, snapping and
matrix times for the sample's places, then for each search time limit the travel total and
the number of assigned cases. Figures vary with machine load: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from app.compliance import combine, load_profile_files
from app.config import get_settings
from app.planning import PlanningLimits, geocode_query, plan_day
from app.schemas import PlanRequest
from geo import LatLon, TravelMode, import_region, load_region, travel_matrices

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "plan-request.json"


def _row(label: str, value: str) -> None:
    print(f"{label:<40}{value:>14}")


def main() -> None:
    """Run the stages and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 5.0, 10.0])
    args = parser.parse_args()
    settings = get_settings()
    request = PlanRequest.model_validate(json.loads(SAMPLE.read_text(encoding="utf-8")))

    with tempfile.TemporaryDirectory() as store:
        started = time.perf_counter()
        import_region(settings.default_region_extract, "bench", Path(store))
        _row("region import (4 modes, addresses)", f"{time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        region = load_region(Path(store) / "bench")
        _row("region load (no parsing)", f"{time.perf_counter() - started:.2f} s")

    addresses = [geocode_query(case.address) for case in request.cases if case.address]
    started = time.perf_counter()
    for _ in range(25):
        results = [region.addresses.geocode(address) for address in addresses]
    per_second = 25 * len(addresses) / (time.perf_counter() - started)
    _row("geocoding", f"{per_second:.0f} addresses/s")
    points = [r.location for r in results if r.location is not None]
    points += [
        LatLon(a.start.lat, a.start.lon) for a in request.agents if a.start.lat and a.start.lon
    ]
    started = time.perf_counter()
    snaps = region.locators[TravelMode.DRIVE].snap(
        points, max_distance_m=settings.max_snap_distance_m
    )
    _row(f"snapping {len(points)} points", f"{time.perf_counter() - started:.4f} s")
    started = time.perf_counter()
    travel_matrices(region.network, [s for s in snaps if s is not None])
    _row(f"{len(points)}x{len(points)} travel matrices", f"{time.perf_counter() - started:.4f} s")

    shipped = {profile.id: profile for profile in load_profile_files(settings.compliance_dir)}
    region_rules = combine(
        [shipped[p] for p in settings.region_profiles.get(settings.default_region, [])]
    )
    rules = [region_rules] * len(request.cases)
    print("time limit (s)  assigned  travel (s)  distance (m)  wall (s)")
    for limit in args.limits:
        limits = PlanningLimits(
            max_snap_distance_m=settings.max_snap_distance_m, time_limit_s=limit
        )
        started = time.perf_counter()
        plan = plan_day(request, region, limits, rules)
        wall = time.perf_counter() - started
        summary = plan.summary
        print(
            f"{limit:14.1f}  {summary.assigned:8d}  {summary.total_travel_seconds:10d}  "
            f"{summary.total_distance_meters:12d}  {wall:8.2f}"
        )


if __name__ == "__main__":
    main()
