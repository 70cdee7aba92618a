"""The regions a plan can name, loaded on first use and kept for the process's life."""

from __future__ import annotations

import threading
from pathlib import Path

from app.errors import PlanInputError
from geo import Region, load_region


class RegionRegistry:
    """Regions under ``regions_dir`` (one folder each), loaded lazily, thread-safely."""

    def __init__(self, regions_dir: Path, cache_dir: Path, default_region: str) -> None:
        self._regions_dir = regions_dir
        self._cache_dir = cache_dir
        self.default_region = default_region
        self._loaded: dict[str, Region] = {}
        self._lock = threading.Lock()

    def available(self) -> list[str]:
        """Names of the regions that can be loaded."""
        return sorted(p.parent.name for p in self._regions_dir.glob("*/region.json"))

    def get(self, name: str | None) -> Region:
        """The named region, or the default one for ``None``.

        Raises
        ------
        PlanInputError
            If no such region exists (located at the request's ``region`` field).
        """
        name = name or self.default_region
        with self._lock:
            if name not in self._loaded:
                if name not in self.available():
                    known = ", ".join(self.available()) or "none"
                    msg = f"unknown region {name!r}; known regions: {known}"
                    raise PlanInputError(("region",), msg)
                self._loaded[name] = load_region(self._regions_dir / name, self._cache_dir)
            return self._loaded[name]
