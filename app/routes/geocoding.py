"""Geocoding: addresses to points and points to addresses, in a region."""

from __future__ import annotations

from fastapi import APIRouter

from app.access import PlannerRole
from app.deps import ExternalGeocoderDep, RegistryDep
from app.geocoding import geocode_addresses, reverse_geocode
from app.schemas import GeocodeAnswerOut, GeocodeRequest, ReverseAnswerOut, ReverseGeocodeRequest

router = APIRouter(tags=["geocoding"])


@router.post("/geocode", responses={422: {"description": "A field is invalid; `loc` names it."}})
def geocode(
    body: GeocodeRequest, _: PlannerRole, registry: RegistryDep, external: ExternalGeocoderDep
) -> list[GeocodeAnswerOut]:
    """Look addresses up as a plan would, one answer per address, in request order."""
    return geocode_addresses(body, external or registry.get(body.region).addresses)


@router.post(
    "/reverse-geocode", responses={422: {"description": "A field is invalid; `loc` names it."}}
)
def reverse(
    body: ReverseGeocodeRequest, _: PlannerRole, registry: RegistryDep
) -> list[ReverseAnswerOut]:
    """The region's mapped address nearest each point (POST: points are personal data and
    stay out of URLs and access logs)."""
    return reverse_geocode(body, registry.get(body.region).addresses)
