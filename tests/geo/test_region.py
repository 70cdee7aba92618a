"""Importing a region from an extract, and loading it back without parsing the extract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import osmium
import pytest
import shapely

from geo import RegionError, import_region, load_region, read_manifest
from tests.conftest import DEFAULT_EXTRACT

MANHATTAN = Path(__file__).resolve().parents[1] / "data" / "new-york-manhattan.osm.pbf"


def test_import_finds_time_zone_country_and_outline(regions_dir: Path) -> None:
    """The default region's import knows its time zone and country from its location, and
    its outline holds its roads (Vaduz is inside)."""
    manifest = read_manifest(regions_dir / "liechtenstein")
    assert manifest.timezone == "Europe/Vaduz"
    assert manifest.country_code == "LI"
    assert "drive" in manifest.modes
    assert manifest.addresses > 900
    assert shapely.Polygon(manifest.outline).contains(shapely.Point(9.5209, 47.1410))
    assert not shapely.Polygon(manifest.outline).contains(shapely.Point(11.5756, 48.1372))


def test_loading_never_parses_the_extract(
    regions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A built region loads from its built files only: the extract reader is never called."""

    def no_parsing(*_: object, **__: object) -> None:
        raise AssertionError("the extract was parsed while loading")

    monkeypatch.setattr(osmium, "FileProcessor", no_parsing)
    monkeypatch.setattr(osmium.io, "Reader", no_parsing)
    region = load_region(regions_dir / "liechtenstein")
    assert region.network.nodes > 2000


def test_second_region_with_its_own_time_zone(tmp_path: Path) -> None:
    """Another extract imports as its own region, in its own time zone and country."""
    manifest = import_region(MANHATTAN, "manhattan", tmp_path)
    assert (manifest.timezone, manifest.country_code) == ("America/New_York", "US")
    region = load_region(tmp_path / "manhattan")
    assert region.timezone.key == "America/New_York"
    assert region.network.nodes > 50  # a few clipped blocks of one-way streets


def test_explicit_time_zone_and_country_win(tmp_path: Path) -> None:
    """An importer may state the time zone and country; a wrong zone is refused."""
    manifest = import_region(
        MANHATTAN, "nyc", tmp_path, timezone="America/Chicago", country_code="us"
    )
    assert (manifest.timezone, manifest.country_code) == ("America/Chicago", "US")
    with pytest.raises(RegionError, match="Mars/Olympus"):
        import_region(MANHATTAN, "nyc2", tmp_path, timezone="Mars/Olympus")
    assert not (tmp_path / "nyc2").exists()  # nothing half-built is left behind


@pytest.mark.parametrize("name", ["", "Vaduz", "../etc", "a b", "-x"])
def test_bad_region_names_are_refused(tmp_path: Path, name: str) -> None:
    """Region names are safe folder names."""
    with pytest.raises(RegionError, match="region name"):
        import_region(DEFAULT_EXTRACT, name, tmp_path)


def test_missing_extract_is_refused(tmp_path: Path) -> None:
    """Importing a file that does not exist fails, naming it."""
    with pytest.raises(RegionError, match="not found"):
        import_region(tmp_path / "nowhere.osm.pbf", "x", tmp_path)


def test_damaged_or_outdated_imports_are_refused(regions_dir: Path, tmp_path: Path) -> None:
    """A region with a missing built file, or built by an older format, asks to be imported
    again instead of half-loading."""
    damaged = tmp_path / "damaged"
    shutil.copytree(regions_dir / "liechtenstein", damaged)
    (damaged / "addresses.pkl").unlink()
    with pytest.raises(RegionError, match="import it again"):
        load_region(damaged)
    outdated = tmp_path / "outdated"
    shutil.copytree(regions_dir / "liechtenstein", outdated)
    manifest = json.loads((outdated / "region.json").read_text(encoding="utf-8"))
    (outdated / "region.json").write_text(json.dumps(manifest | {"format_version": 0}))
    with pytest.raises(RegionError, match="older version"):
        load_region(outdated)
    with pytest.raises(RegionError, match="no usable region manifest"):
        load_region(tmp_path / "nothing-here")
