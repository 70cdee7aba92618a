"""Loading a region from its folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo import RegionError, load_region
from tests.conftest import REGION_DIR


def _region_dir(tmp_path: Path, **manifest: str) -> Path:
    folder = tmp_path / "region"
    folder.mkdir()
    (folder / "region.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ({"name": "x", "extract": "x.osm.pbf", "timezone": "Europe/Vaduz"}, "country_code"),
        (
            {"name": "x", "extract": "x.osm.pbf", "timezone": "Mars/Olympus", "country_code": "LI"},
            "Mars",
        ),
        (
            {"name": "x", "extract": "missing.osm.pbf", "timezone": "UTC", "country_code": "LI"},
            "missing",
        ),
    ],
)
def test_bad_manifests_are_refused_with_the_reason(
    tmp_path: Path, manifest: dict[str, str], problem: str
) -> None:
    """A manifest without a field, with an unknown time zone or a missing extract fails
    loudly, naming what is wrong."""
    with pytest.raises(RegionError, match=problem):
        load_region(_region_dir(tmp_path, **manifest), tmp_path / "cache")


def test_region_loads_from_the_cache_after_the_first_build(tmp_path: Path) -> None:
    """A copied region builds once into its cache; a second load reads the same data."""
    folder = tmp_path / "li"
    shutil.copytree(REGION_DIR, folder)
    first = load_region(folder, tmp_path / "cache")
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    second = load_region(folder, tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == cached
    assert len(cached) == 2  # the road network and the address index
    assert second.network.nodes == first.network.nodes
    assert len(second.addresses) == len(first.addresses)
    assert first.timezone.key == "Europe/Vaduz"
    assert first.country_code == "LI"
