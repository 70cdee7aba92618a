"""The acceptance figures of the geocoder, on seeded samples (bench/geocoder.py measures
them on every address): perturbed queries within 50 m, held-out addresses within 100 m with
the right precision, and the speed of free-text queries."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from geo import AddressIndex, Precision, build_address_index
from geo.geocoding.osm import read_extract
from geo.geocoding.quality import (
    Tally,
    distinct_addresses,
    evaluate_hold_out,
    evaluate_probes,
    hold_out,
    perturbed_probes,
)
from tests.geo.conftest import LI_EXTRACT

MANHATTAN = Path(__file__).resolve().parents[1] / "data" / "new-york-manhattan.osm.pbf"
SEED = 20_261_201
SAMPLE = 60
"""Addresses per sample: with every perturbation, a few hundred queries."""


@pytest.fixture(scope="module")
def liechtenstein() -> AddressIndex:
    """The default region's address index."""
    return build_address_index(LI_EXTRACT)


@pytest.fixture(scope="module")
def manhattan() -> AddressIndex:
    """The address index of a corner of lower Manhattan (US-style addresses)."""
    return build_address_index(MANHATTAN)


def _total(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        total.total += tally.total
        total.near += tally.near
        total.ambiguous_ok += tally.ambiguous_ok
    return total


@pytest.mark.parametrize("style", ["eu", "us"])
def test_perturbed_queries_land_within_50_m(
    liechtenstein: AddressIndex, manhattan: AddressIndex, style: str
) -> None:
    """At least 97 % of a seeded sample of addresses, each asked as mapped and perturbed
    (town or postcode left out, lower case, abbreviations, a typo, "ae" for "ä"), resolve
    within 50 m; each perturbation on its own reaches 90 % even on this small sample."""
    index = liechtenstein if style == "eu" else manhattan
    sample = random.Random(SEED).sample(distinct_addresses(index.addresses()), SAMPLE)
    probes = perturbed_probes(sample, style=style, seed=SEED)
    assert len(probes) >= 5 * SAMPLE
    tallies = evaluate_probes(index, probes, radius_m=50.0)
    assert _total(tallies).rate >= 0.97, tallies
    assert all(t.rate >= 0.9 for t in tallies.values()), tallies


def test_held_out_addresses_are_placed_near_with_the_right_precision() -> None:
    """With 20 % of the addresses left out of the index, at least 80 % of them are placed
    within 100 m, labelled ``interpolated`` where same-side neighbours remain, else
    ``street``."""
    held = hold_out(read_extract(LI_EXTRACT), fraction=0.2, seed=SEED)
    results = evaluate_hold_out(held, radius_m=100.0)
    assert {Precision.INTERPOLATED, Precision.STREET} <= set(results)
    total = sum(tally.total for tally, _ in results.values())
    right = sum(right for _, right in results.values())
    assert total == len(held.held_out) > 150
    assert right / total >= 0.8, results
    interpolated, right_interpolated = results[Precision.INTERPOLATED]
    assert right_interpolated / interpolated.total >= 0.85


def test_free_text_geocoding_is_fast(liechtenstein: AddressIndex) -> None:
    """At least 2,000 free-text queries a second, typos and missing towns included."""
    sample = random.Random(SEED).sample(distinct_addresses(liechtenstein.addresses()), SAMPLE)
    queries = [p.query for p in perturbed_probes(sample, style="eu", seed=SEED)]
    started = time.perf_counter()
    for query in queries * 3:
        liechtenstein.geocode(query)
    per_second = 3 * len(queries) / (time.perf_counter() - started)
    assert per_second >= 2_000
