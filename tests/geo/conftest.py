"""The default region's road networks per travel mode, from the run's one import."""

from __future__ import annotations

import pytest

from geo import EdgeLocator, Region, RoadNetwork, TravelMode
from tests.conftest import DEFAULT_EXTRACT

LI_EXTRACT = DEFAULT_EXTRACT
"""The shipped Liechtenstein extract."""


@pytest.fixture(scope="session")
def drive_network(region: Region) -> RoadNetwork:
    """Liechtenstein's drive network."""
    return region.networks[TravelMode.DRIVE]


@pytest.fixture(scope="session")
def walk_network(region: Region) -> RoadNetwork:
    """Liechtenstein's walk network."""
    return region.networks[TravelMode.WALK]


@pytest.fixture(scope="session")
def bike_network(region: Region) -> RoadNetwork:
    """Liechtenstein's bike network."""
    return region.networks[TravelMode.BIKE]


@pytest.fixture(scope="session")
def drive_locator(region: Region) -> EdgeLocator:
    """Snapping onto the drive network (motorways and trunks excluded)."""
    return region.locators[TravelMode.DRIVE]


@pytest.fixture(scope="session")
def walk_locator(region: Region) -> EdgeLocator:
    """Snapping onto the walk network."""
    return region.locators[TravelMode.WALK]
