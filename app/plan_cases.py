"""One case's entries in a stored plan's request and answer (the JSON as stored): find them
for a data-subject export, and cut them out for an erasure.

Cutting a case out keeps the rest of the plan as it was and valid (it still reads back as
a ``PlanResponse``): its request entry goes; in the answer, its stop (with the road leg to
it; the leg from its door to the next stop loses its geometry too, as it starts there), its
unassigned entry, compliance exclusions, history effects and other cases' hints naming it.
The summary's counts (cases, assigned, unassigned, agents used) and the value lost are
recounted; the agents' times, distances, costs and the expected recovery stay as planned:
they describe the agents' day, not the case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]


@dataclass
class CaseEntries:
    """A case's entries in one plan, as stored."""

    case: JsonObject | None = None
    stops: list[tuple[str, JsonObject]] = field(default_factory=list)
    """(agent id, stop) of every stop at the case."""
    unassigned: list[JsonObject] = field(default_factory=list)
    exclusions: list[JsonObject] = field(default_factory=list)
    history_effects: list[JsonObject] = field(default_factory=list)
    hints: list[JsonObject] = field(default_factory=list)
    """Other cases' hints that name this case (drop_visit)."""

    def __bool__(self) -> bool:
        return bool(
            self.case is not None
            or self.stops
            or self.unassigned
            or self.exclusions
            or self.history_effects
            or self.hints
        )

    def counts(self) -> dict[str, int]:
        """How many entries of each kind."""
        return {
            "request_entries": int(self.case is not None),
            "stops": len(self.stops),
            "unassigned": len(self.unassigned),
            "exclusions": len(self.exclusions),
            "history_effects": len(self.history_effects),
            "hints": len(self.hints),
        }


def entries_of(request: JsonObject, response: JsonObject, case_id: str) -> CaseEntries:
    """Every entry of ``case_id`` in a stored plan."""
    return without_case(request, response, case_id)[2]


def without_case(
    request: JsonObject, response: JsonObject, case_id: str
) -> tuple[JsonObject, JsonObject, CaseEntries]:
    """The plan's request and answer with ``case_id`` cut out, and what was cut (the inputs
    are not changed)."""
    found = CaseEntries()
    cases: list[JsonObject] = []
    for case in request.get("cases", []):
        if case.get("id") == case_id:
            found.case = case
        else:
            cases.append(case)
    new_request = {**request, "cases": cases}
    itineraries = [_itinerary_without(i, case_id, found) for i in response.get("itineraries", [])]
    unassigned: list[JsonObject] = []
    for entry in response.get("unassigned", []):
        if entry.get("case_id") == case_id:
            found.unassigned.append(entry)
            continue
        hints: list[JsonObject] = []
        for hint in entry.get("hints", []):
            (found.hints if hint.get("case_id") == case_id else hints).append(hint)
        unassigned.append({**entry, "hints": hints})
    compliance = dict(response.get("compliance", {}))
    excluded: list[JsonObject] = []
    for exclusion in compliance.get("excluded", []):
        (found.exclusions if exclusion.get("case_id") == case_id else excluded).append(exclusion)
    compliance["excluded"] = excluded
    effects: list[JsonObject] = []
    for effect in response.get("history_effects", []):
        (found.history_effects if effect.get("case_id") == case_id else effects).append(effect)
    new_response = {
        **response,
        "itineraries": itineraries,
        "unassigned": unassigned,
        "compliance": compliance,
        "history_effects": effects,
    }
    if found.case is not None or found.stops or found.unassigned:
        new_response["summary"] = _recounted(response.get("summary", {}), new_response, found)
    return new_request, new_response, found


def _itinerary_without(itinerary: JsonObject, case_id: str, found: CaseEntries) -> JsonObject:
    stops: list[JsonObject] = []
    leg_from_case = False  # the next leg starts at the case's door: its path goes too
    for stop in itinerary.get("stops", []):
        if stop.get("case_id") == case_id:
            found.stops.append((itinerary.get("agent_id", ""), stop))
            leg_from_case = True
            continue
        stops.append({**stop, "geometry": None} if leg_from_case else stop)
        leg_from_case = False
    changed: JsonObject = {"stops": stops}
    if leg_from_case:
        changed["return_geometry"] = None
    return {**itinerary, **changed}


def _recounted(summary: JsonObject, response: JsonObject, found: CaseEntries) -> JsonObject:
    itineraries = response["itineraries"]
    return {
        **summary,
        "cases": max(0, summary.get("cases", 0) - int(found.case is not None)),
        "assigned": sum(len(i["stops"]) for i in itineraries),
        "unassigned": len(response["unassigned"]),
        "agents_used": sum(1 for i in itineraries if i["stops"]),
        "lost_value": round(sum(e.get("value") or 0.0 for e in response["unassigned"]), 2),
    }
