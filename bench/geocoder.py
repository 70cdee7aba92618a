"""Accuracy and speed of the offline geocoder on the default region, and a US check.

Usage: .venv/bin/python bench/geocoder.py [--seed 7] [--hold-out 0.2] [--extract PATH]
       [--us-extract PATH]

The default extracts are the shipped Liechtenstein one (data/osm/) and the test data's
Manhattan one (tests/data/).

Prints, for the Liechtenstein extract: the index build and cache-load times; for every
mapped address, the share of queries answered within 50 m, as mapped and with each
perturbation (town or postcode left out, lower case, "str.", a typo, "ae" for "ä"); for a
seeded 20 % of addresses left out of the index, the share placed within 100 m with the
right precision (interpolated or street); and free-text queries per second. Then the same
perturbation figures, US style ("350 5th Avenue, New York, NY 10014"), on the Manhattan
extract. See geo/geocoding/quality.py for exactly what is counted.
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

from geo.geocoding.build import build_address_index
from geo.geocoding.index import AddressIndex
from geo.geocoding.model import Precision
from geo.geocoding.osm import read_extract
from geo.geocoding.quality import (
    Tally,
    distinct_addresses,
    evaluate_hold_out,
    evaluate_probes,
    hold_out,
    perturbed_probes,
)

ROOT = Path(__file__).resolve().parents[1]
LIECHTENSTEIN = ROOT / "data" / "osm" / "liechtenstein.osm.pbf"
MANHATTAN = ROOT / "tests" / "data" / "new-york-manhattan.osm.pbf"
SPEED_SECONDS = 2.0


def _row(label: str, value: str) -> None:
    print(f"{label:<44}{value:>30}")


def _tally_row(label: str, tally: Tally) -> None:
    extra = ""
    if tally.ambiguous_ok:
        strict = tally.near / tally.total
        extra = f" (+{tally.ambiguous_ok} ambiguous incl. truth; found near: {strict:.2%})"
    _row(f"  {label}", f"{tally.rate:7.2%} of {tally.total:5d}{extra}")
    if tally.far or tally.ambiguous or tally.missed:
        _row("", f"far {tally.far}, ambiguous {tally.ambiguous}, missed {tally.missed}")


def _perturbations(index: AddressIndex, style: str, seed: int, radius_m: float) -> list[str]:
    probes = perturbed_probes(distinct_addresses(index.addresses()), style=style, seed=seed)
    tallies = evaluate_probes(index, probes, radius_m=radius_m)
    overall = Tally()
    for name, tally in tallies.items():
        _tally_row(name, tally)
        for part in ("total", "near", "ambiguous_ok", "far", "ambiguous", "missed"):
            setattr(overall, part, getattr(overall, part) + getattr(tally, part))
    _tally_row("all perturbations", overall)
    return [p.query for p in probes]


def _speed(index: AddressIndex, queries: list[str]) -> float:
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < SPEED_SECONDS:
        for query in queries:
            index.geocode(query)
        done += len(queries)
    return done / (time.perf_counter() - started)


def main() -> None:
    """Run every measure and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hold-out", type=float, default=0.2)
    parser.add_argument("--extract", type=Path, default=LIECHTENSTEIN)
    parser.add_argument("--us-extract", type=Path, default=MANHATTAN)
    args = parser.parse_args()

    started = time.perf_counter()
    index = build_address_index(args.extract)
    _row(f"index build ({args.extract.name})", f"{time.perf_counter() - started:.2f} s")
    pickled = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    started = time.perf_counter()
    index = pickle.loads(pickled)
    _row("index load from its pickle", f"{time.perf_counter() - started:.3f} s")
    _row("addresses (distinct places)", f"{len(distinct_addresses(index.addresses())):d}")

    print("queries within 50 m, per perturbation:")
    queries = _perturbations(index, "eu", args.seed, 50.0)

    held = hold_out(read_extract(args.extract), fraction=args.hold_out, seed=args.seed)
    print(f"held out {len(held.held_out)} addresses; within 100 m with the right precision:")
    results = evaluate_hold_out(held)
    total = sum(t.total for t, _ in results.values())
    right = sum(r for _, r in results.values())
    for precision in Precision:
        if precision in results:
            tally, right_label = results[precision]
            _row(
                f"  expected {precision.value}",
                f"{right_label / tally.total:7.2%} of {tally.total:5d} (near: {tally.rate:.0%})",
            )
    _row("  all held out", f"{right / total:7.2%} of {total:5d}")

    _row("free-text geocoding speed", f"{_speed(index, queries):,.0f} addresses/s")

    if args.us_extract.is_file():
        started = time.perf_counter()
        us_index = build_address_index(args.us_extract)
        _row(f"index build ({args.us_extract.name})", f"{time.perf_counter() - started:.2f} s")
        print("US-style queries within 50 m, per perturbation:")
        us_queries = _perturbations(us_index, "us", args.seed, 50.0)
        _row("free-text geocoding speed (US)", f"{_speed(us_index, us_queries):,.0f} addresses/s")
    else:
        print(f"no US extract at {args.us_extract}: skipped")


if __name__ == "__main__":
    main()
