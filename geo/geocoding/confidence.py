"""How sure a geocoding answer is, as a number in [0, 1].

The confidence is a product of factors, each 1 when that part of the match is perfect:

- **fallback level**: rooftop 1.0, interpolated 0.8, street 0.5, locality 0.3 (see
  :data:`PRECISION_FACTOR`); the level says how far the point may be from the door;
- **street match**: 1.0 for the street name as mapped (after normalisation: case, accents,
  abbreviations), less :data:`EDIT_PENALTY` per spelling mistake forgiven;
- **house number**: 1.0 as asked; :data:`RANGE_FACTOR` for one number of an asked range;
  :data:`VARIANT_FACTOR` when the suffix differs ("14a" asked, 14 found);
- **town and postcode**: each part given and confirmed by the place counts 1.0; a part the
  region does not know (it is ignored) :data:`UNRECOGNISED_FACTOR`; a part that contradicts
  the place found :data:`CONTRADICTION_FACTOR`; neither part given at all
  :data:`NOTHING_GIVEN_FACTOR`, since then nothing confirms the place.

An ambiguous result's own confidence is its best candidate's divided by the number of
candidates (the chance of picking the right one blindly); each candidate keeps its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.geocoding.model import Precision
from geo.geocoding.numbers import NumberMatch
from geo.geocoding.places import Agreement, PlaceConstraint

PRECISION_FACTOR = {
    Precision.ROOFTOP: 1.0,
    Precision.INTERPOLATED: 0.8,
    Precision.STREET: 0.5,
    Precision.LOCALITY: 0.3,
}
EDIT_PENALTY = 0.1
RANGE_FACTOR = 0.95
VARIANT_FACTOR = 0.85
UNRECOGNISED_FACTOR = 0.9
CONTRADICTION_FACTOR = 0.6
NOTHING_GIVEN_FACTOR = 0.9


def place_factor(constraint: PlaceConstraint, agreements: Sequence[Agreement]) -> float:
    """The town-and-postcode factor of a candidate checked against ``constraint``."""
    factor = UNRECOGNISED_FACTOR**constraint.unrecognised
    if constraint.is_empty and constraint.unrecognised == 0:
        return NOTHING_GIVEN_FACTOR
    for agreement in agreements:
        if agreement is Agreement.CONTRADICTS:
            factor *= CONTRADICTION_FACTOR
        elif agreement is Agreement.UNKNOWN:
            factor *= UNRECOGNISED_FACTOR
    return factor


def confidence(
    precision: Precision,
    *,
    street_edits: int = 0,
    number_match: NumberMatch | None = None,
    place: float = 1.0,
) -> float:
    """The confidence of one answer from its parts (see the module's description)."""
    value = PRECISION_FACTOR[precision] * place
    value *= max(0.0, 1.0 - EDIT_PENALTY * street_edits)
    if number_match is NumberMatch.IN_RANGE:
        value *= RANGE_FACTOR
    elif number_match is NumberMatch.VARIANT:
        value *= VARIANT_FACTOR
    return round(min(1.0, max(0.0, value)), 3)
