"""Address lookups for planners: check addresses before planning, name points on the map."""

from __future__ import annotations

import geo
from app.planning import geocode_query
from app.schemas import (
    GeocodeAnswerOut,
    GeocodeCandidateOut,
    GeocodeRequest,
    LatLonOut,
    ReverseAnswerOut,
    ReverseGeocodeRequest,
    address_text,
)


def _lat_lon(point: geo.LatLon | None) -> LatLonOut | None:
    return None if point is None else LatLonOut(lat=point.lat, lon=point.lon)


def geocode_addresses(request: GeocodeRequest, geocoder: geo.Geocoder) -> list[GeocodeAnswerOut]:
    """Each address's point, precision and confidence, or its candidates, or why not."""
    answers = []
    for address in request.addresses:
        result = geocoder.geocode(geocode_query(address))
        answers.append(
            GeocodeAnswerOut(
                query=address_text(address),
                status=str(result.status),
                location=_lat_lon(result.location),
                matched=result.matched,
                precision=None if result.precision is None else str(result.precision),
                confidence=result.confidence,
                candidates=[
                    GeocodeCandidateOut(
                        label=c.label,
                        location=LatLonOut(lat=c.location.lat, lon=c.location.lon),
                        precision=str(c.precision),
                        confidence=c.confidence,
                    )
                    for c in result.candidates
                ],
            )
        )
    return answers


def reverse_geocode(
    request: ReverseGeocodeRequest, addresses: geo.AddressIndex
) -> list[ReverseAnswerOut]:
    """The mapped address nearest each point, within the request's distance."""
    answers = []
    for point in request.points:
        found = addresses.reverse(
            geo.LatLon(point.lat, point.lon), max_distance_m=request.max_distance_meters
        )
        answers.append(
            ReverseAnswerOut(
                address=found.label if found else None,
                location=_lat_lon(found.location) if found else None,
                distance_meters=round(found.distance_m, 1) if found else None,
            )
        )
    return answers
