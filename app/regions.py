"""The regions a plan can name: imported on demand, loaded once, kept for the process's life."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import geo
from app.config import Settings
from app.errors import PlanInputError

logger = logging.getLogger(__name__)


class RegionRegistry:
    """Regions imported under ``regions_dir``, loaded lazily and thread-safely.

    The default region is imported from the shipped extract the first time it is asked for
    (and again if its import is from an older version).
    """

    def __init__(
        self,
        regions_dir: Path,
        default_region: str,
        default_extract: Path,
        speeds: geo.ModeSpeeds | None = None,
    ) -> None:
        self._regions_dir = regions_dir
        self.default_region = default_region
        self._default_extract = default_extract
        self._speeds = speeds
        self._loaded: dict[str, geo.Region] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RegionRegistry:
        """The registry the settings describe."""
        return cls(
            settings.regions_dir,
            settings.default_region,
            settings.default_region_extract,
            settings.mode_speeds(),
        )

    def manifests(self) -> list[geo.RegionManifest]:
        """The manifests of every imported region, by name."""
        found = []
        for folder in sorted(self._regions_dir.glob("*/")):
            try:
                found.append(geo.read_manifest(folder))
            except geo.RegionError:
                continue  # a damaged or outdated import: it is not offered until imported again
        return found

    def get(self, name: str | None) -> geo.Region:
        """The named region, or the default one for ``None``.

        Raises
        ------
        PlanInputError
            If no such region has been imported (located at the request's ``region``).
        """
        name = name or self.default_region
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(name)
            return self._loaded[name]

    def is_loaded(self, name: str) -> bool:
        """Whether the named region is in memory."""
        with self._lock:
            return name in self._loaded

    def import_region(
        self,
        extract: Path,
        name: str,
        *,
        timezone: str | None = None,
        country_code: str | None = None,
    ) -> geo.RegionManifest:
        """Import (or re-import) a region; plans use the new import from the next request."""
        with self._lock:
            manifest = geo.import_region(
                extract,
                name,
                self._regions_dir,
                timezone=timezone,
                country_code=country_code,
                speeds=self._speeds,
            )
            if self._loaded.pop(name, None) is not None:  # in use: swap in the new import
                self._loaded[name] = geo.load_region(self._regions_dir / name)
            return manifest

    def _load(self, name: str) -> geo.Region:
        folder = self._regions_dir / name
        try:
            return geo.load_region(folder)
        except geo.RegionError as exc:
            if name != self.default_region:
                known = ", ".join(m.name for m in self.manifests()) or "none"
                msg = f"region {name!r} is not imported ({exc}); imported regions: {known}"
                raise PlanInputError(("region",), msg) from exc
        logger.info("importing the default region %s from %s", name, self._default_extract.name)
        geo.import_region(self._default_extract, name, self._regions_dir, speeds=self._speeds)
        return geo.load_region(folder)
