"""Regions: list them, read one, import one (admins)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, File, Form, Request, UploadFile, status

import geo
from app.access import AdminRole, AnyRole, audit
from app.deps import RegistryDep
from app.errors import NotFoundError, PlanInputError
from app.schemas import MultiLineStringOut, PolygonOut, RegionOut

router = APIRouter(tags=["regions"])


def _region_out(manifest: geo.RegionManifest, default_region: str) -> RegionOut:
    return RegionOut(
        name=manifest.name,
        default=manifest.name == default_region,
        timezone=manifest.timezone,
        country_code=manifest.country_code,
        travel_modes=manifest.modes,
        addresses=manifest.addresses,
        built_at=dt.datetime.fromisoformat(manifest.built_at),
        outline=PolygonOut(coordinates=[manifest.outline]),
        attribution=manifest.attribution,
    )


@router.get("/regions")
def list_regions(_: AnyRole, registry: RegistryDep) -> list[RegionOut]:
    """The imported regions (the default one is imported on first use)."""
    registry.get(None)
    return [_region_out(m, registry.default_region) for m in registry.manifests()]


@router.get("/regions/{name}", responses={404: {"description": "No such region."}})
def read_region(name: str, _: AnyRole, registry: RegistryDep) -> RegionOut:
    """One imported region."""
    try:
        region = registry.get(name)
    except PlanInputError as exc:
        raise NotFoundError(exc.message) from exc
    return _region_out(region.manifest, registry.default_region)


@router.post(
    "/regions",
    status_code=status.HTTP_201_CREATED,
    responses={
        422: {"description": "Bad name, time zone or extract; `loc` names the field."},
    },
)
def import_region(
    request: Request,
    principal: AdminRole,
    registry: RegistryDep,
    name: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")],
    extract: Annotated[UploadFile, File(description="An OpenStreetMap extract, .osm.pbf")],
    timezone: Annotated[str | None, Form(description="IANA zone; default: from location")] = None,
    country_code: Annotated[str | None, Form(pattern=r"^[A-Za-z]{2}$")] = None,
) -> RegionOut:
    """Import an OSM extract as a region (or replace one): road networks, addresses, time zone."""
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
            raise PlanInputError(("timezone",), f"unknown time zone {timezone!r}") from exc
    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / "extract.osm.pbf"
        with upload.open("wb") as handle:
            shutil.copyfileobj(extract.file, handle)
        try:
            manifest = registry.import_region(
                upload, name, timezone=timezone, country_code=country_code
            )
        except geo.GeoError as exc:
            raise PlanInputError(("extract",), str(exc)) from exc
    audit(request, principal, "region.import", f"region {name}")
    return _region_out(manifest, registry.default_region)


@router.get("/regions/{name}/roads", responses={404: {"description": "No such region."}})
def region_roads(name: str, _: AnyRole, registry: RegistryDep) -> MultiLineStringOut:
    """The region's drivable roads as one GeoJSON MultiLineString, for drawing a map
    without a tile server."""
    try:
        region = registry.get(name)
    except PlanInputError as exc:
        raise NotFoundError(exc.message) from exc
    return MultiLineStringOut(coordinates=region.networks[geo.TravelMode.DRIVE].polylines())
