"""The Nominatim backend, against a small fake Nominatim that the test runs on 127.0.0.1."""

from __future__ import annotations

import ast
import itertools
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import (
    GeocodeStatus,
    GeocodingServiceError,
    GeoError,
    LatLon,
    NominatimGeocoder,
    Precision,
    StructuredAddress,
)
from tests.fake_nominatim import HOUSE, Requests, fake_nominatim

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[tuple[str, Requests]]:
    """A fake Nominatim on a free port of 127.0.0.1; yields its URL and its request log."""
    with fake_nominatim() as running:
        yield running


@pytest.fixture
def geocoder(server: tuple[str, Requests], tmp_path: Path) -> Iterator[NominatimGeocoder]:
    """The backend on the fake server, without delays, caching into this test's folder."""
    with NominatimGeocoder(server[0], cache_path=tmp_path / "nominatim.sqlite", min_delay_s=0) as g:
        yield g


def test_answers_are_read_like_the_offline_geocoders(
    geocoder: NominatimGeocoder, server: tuple[str, Requests]
) -> None:
    """A house is a rooftop hit with its point and label; a road a street; none not found."""
    house = geocoder.geocode("Städtle 43, 9490 Vaduz")
    assert house.status is GeocodeStatus.FOUND
    assert house.location == LatLon(47.1381654, 9.5227332)
    assert house.precision is Precision.ROOFTOP
    assert house.matched == HOUSE["display_name"]
    assert house.confidence == 1.0
    assert geocoder.geocode("Städtle street only").precision is Precision.STREET
    assert geocoder.geocode("nowhere 1").status is GeocodeStatus.NOT_FOUND
    _, path, params = server[1].seen[0]
    assert path == "/search"
    assert params["q"] == ["Städtle 43, 9490 Vaduz"]
    assert params["format"] == ["json"]


def test_structured_queries_are_sent_structured(
    geocoder: NominatimGeocoder, server: tuple[str, Requests]
) -> None:
    """Parts go to Nominatim's structured search, its street as "number street"."""
    found = geocoder.geocode(StructuredAddress("Städtle", "43", "9490", "Vaduz"))
    assert found.location == LatLon(47.1381654, 9.5227332)
    _, _, params = server[1].seen[-1]
    assert params["street"] == ["43 Städtle"]
    assert params["postalcode"] == ["9490"]
    assert params["city"] == ["Vaduz"]
    assert "q" not in params
    assert geocoder.geocode(StructuredAddress()).status is GeocodeStatus.UNPARSEABLE
    assert len(server[1]) == 1


def test_the_cache_answers_repeated_queries(
    server: tuple[str, Requests], geocoder: NominatimGeocoder, tmp_path: Path
) -> None:
    """A query asked again, spelt alike up to case, accents and punctuation, or asked by
    another geocoder on the same cache file, never reaches the server again; "nothing
    found" is remembered too."""
    url, requests = server
    first = geocoder.geocode("Städtle 43, 9490 Vaduz")
    assert geocoder.geocode("Städtle 43, 9490 Vaduz") == first
    assert geocoder.geocode("  stadtle 43 9490 VADUZ ") == first
    geocoder.geocode("nowhere 1")
    geocoder.geocode("Nowhere 1")
    assert len(requests) == 2
    with NominatimGeocoder(url, cache_path=tmp_path / "nominatim.sqlite", min_delay_s=0) as again:
        assert again.geocode("Städtle 43, 9490 Vaduz") == first
        assert again.geocode("nowhere 1").status is GeocodeStatus.NOT_FOUND
    assert len(requests) == 2


def test_requests_are_spaced_by_the_rate_limit(
    server: tuple[str, Requests], tmp_path: Path
) -> None:
    """With a 0.25 s minimum delay, three new queries reach the server 0.25 s apart or more;
    cached answers wait for nothing."""
    url, requests = server
    delay_s = 0.25
    with NominatimGeocoder(url, cache_path=tmp_path / "c.sqlite", min_delay_s=delay_s) as slow:
        for query in ("Städtle 43", "Städtle 44", "Städtle 45"):
            slow.geocode(query)
        started = time.monotonic()
        slow.geocode("Städtle 43")
        assert time.monotonic() - started < delay_s
    times = [t for t, _, _ in requests.seen]
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Arrival times at the server carry scheduling jitter on a busy machine (up to ~20 ms
    # seen); without the limit the gaps would be a few milliseconds.
    assert min(gaps) >= delay_s * 0.8, gaps


def test_server_errors_are_geo_errors_and_not_cached(
    geocoder: NominatimGeocoder, server: tuple[str, Requests]
) -> None:
    """A 500 from the server is a GeocodingServiceError (a GeoError) naming the server; it
    is not remembered, so the next try asks again."""
    with pytest.raises(GeocodingServiceError, match=r"Nominatim at http://127\.0\.0\.1") as info:
        geocoder.geocode("boom 1")
    assert isinstance(info.value, GeoError)
    with pytest.raises(GeocodingServiceError):
        geocoder.geocode("boom 1")
    assert len(server[1]) == 2


def test_an_unreachable_server_is_a_geo_error(tmp_path: Path) -> None:
    """Nobody listening on the port: a GeocodingServiceError, not a crash."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with (
        NominatimGeocoder(url, cache_path=tmp_path / "c.sqlite", timeout_s=2) as geocoder,
        pytest.raises(GeocodingServiceError),
    ):
        geocoder.geocode("Städtle 43")


def test_bad_urls_are_refused(tmp_path: Path) -> None:
    """Only http(s) URLs with a host name a server."""
    with pytest.raises(ValueError, match="Nominatim URL"):
        NominatimGeocoder("127.0.0.1:8080", cache_path=tmp_path / "c.sqlite")


def test_geopy_is_imported_by_one_module_only() -> None:
    """geopy's API is kept behind geo/geocoding/nominatim.py."""
    users = []
    folders = ("app", "geo", "solver", "bench")
    sources = [path for folder in folders for path in (ROOT / folder).rglob("*.py")]
    for path in sorted(sources):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "geopy" for name in names):
                users.append(str(path.relative_to(ROOT)))
                break
    assert users == ["geo/geocoding/nominatim.py"]
