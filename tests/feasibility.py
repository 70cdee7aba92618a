"""An independent feasibility checker for plans, working on the JSON bodies only.

It shares no code with the solver or the app: it reads the request and the response as sent
over HTTP, converts local times itself with zoneinfo, and lists every broken rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

TOLERANCE = dt.timedelta(seconds=1)


def _local(date: str, time_of_day: str, timezone: ZoneInfo) -> dt.datetime:
    """The aware local datetime of "HH:MM" on ``date`` ("24:00" is the next midnight)."""
    hours, minutes = map(int, time_of_day.split(":"))
    day = dt.date.fromisoformat(date) + dt.timedelta(days=hours // 24)
    return dt.datetime.combine(day, dt.time(hours % 24, minutes), tzinfo=timezone)


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"instant without offset: {text}"
    return value


def _close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) <= TOLERANCE


def plan_violations(request: dict[str, Any], response: dict[str, Any]) -> list[str]:
    """Every way ``response`` breaks the rules of ``request``; empty when feasible."""
    timezone = ZoneInfo(response["timezone"])
    date = request["date"]
    cases = {case["id"]: case for case in request["cases"]}
    agents = {agent["id"]: agent for agent in request["agents"]}
    problems: list[str] = []

    seen: list[str] = [stop["case_id"] for it in response["itineraries"] for stop in it["stops"]]
    seen += [entry["case_id"] for entry in response["unassigned"]]
    for case_id in cases:
        if seen.count(case_id) != 1:
            problems.append(f"case {case_id} appears {seen.count(case_id)} times, not once")
    problems += [f"unknown case {c} in the plan" for c in set(seen) - set(cases)]
    problems += [
        f"case {e['case_id']} unassigned without a reason"
        for e in response["unassigned"]
        if not e.get("reason")
    ]
    first = dt.date.fromisoformat(date)
    dates = [
        (first + dt.timedelta(days=k)).isoformat() for k in range(request.get("horizon_days", 1))
    ]
    planned = sorted((it["agent_id"], it.get("date", date)) for it in response["itineraries"])
    working = sorted(
        (agent_id, day)
        for agent_id, agent in agents.items()
        for day in dates
        if day not in agent.get("days_off", [])
    )
    if planned != working:
        problems.append(f"itineraries for {planned}, agents' working days are {working}")

    for itinerary in response["itineraries"]:
        agent = agents.get(itinerary["agent_id"])
        if agent is None:
            continue
        day = itinerary.get("date", date)
        shifts = {s["date"]: s for s in agent.get("shifts", [])}
        problems += _itinerary_violations(
            itinerary, agent | {"shift": shifts.get(day, agent["shift"])}, cases, day, timezone
        )
        for stop in itinerary["stops"]:
            case = cases.get(stop["case_id"], {})
            earliest, latest = case.get("earliest_date"), case.get("latest_date")
            if (earliest and day < earliest) or (latest and day > latest):
                problems.append(
                    f"case {stop['case_id']} visited on {day}, outside {earliest}..{latest}"
                )
    return problems


def _itinerary_violations(
    itinerary: dict[str, Any],
    agent: dict[str, Any],
    cases: dict[str, dict[str, Any]],
    date: str,
    timezone: ZoneInfo,
) -> list[str]:
    who = f"agent {agent['id']}"
    problems: list[str] = []
    shift_start = _local(date, agent["shift"]["start"], timezone)
    shift_end = _local(date, agent["shift"]["end"], timezone)
    start, end = _instant(itinerary["start_time"]), _instant(itinerary["end_time"])
    if start < shift_start - TOLERANCE or end > shift_end + TOLERANCE:
        problems.append(f"{who}: day {start}..{end} outside shift {shift_start}..{shift_end}")

    breaks = [(_instant(b["start"]), _instant(b["end"])) for b in itinerary.get("breaks", [])]
    problems += _break_violations(who, breaks, agent, date, timezone, itinerary)

    def paused(since: dt.datetime, until: dt.datetime) -> dt.timedelta:
        """Breaks begun in [since, until): they delay the arrival."""
        return sum((end - begin for begin, end in breaks if since <= begin < until), dt.timedelta())

    departure = start
    travel_total = distance_total = 0
    for stop in itinerary["stops"]:
        case = cases.get(stop["case_id"])
        if case is None:
            continue
        arrival = _instant(stop["arrival"])
        service_start, service_end = _instant(stop["service_start"]), _instant(stop["service_end"])
        here = f"{who}, case {case['id']}"
        travel = dt.timedelta(seconds=stop["travel_seconds"])
        if not _close(arrival, departure + travel + paused(departure, arrival)):
            problems.append(f"{here}: arrival {arrival} != departure {departure} + travel")
        if any(begin < service_end and service_start < end for begin, end in breaks):
            problems.append(f"{here}: a break overlaps the service")
        if service_start < arrival - TOLERANCE:
            problems.append(f"{here}: service starts {service_start} before arrival {arrival}")
        if stop["wait_seconds"] != round((service_start - arrival).total_seconds()):
            problems.append(f"{here}: wait_seconds does not match arrival and service start")
        duration = dt.timedelta(minutes=case.get("service_minutes", 0))
        if not _close(service_end, service_start + duration):
            problems.append(f"{here}: service lasts {service_end - service_start}, not {duration}")
        windows = [
            (_local(date, w["start"], timezone), _local(date, w["end"], timezone))
            for w in case.get("time_windows", [])
        ]
        if windows and not any(
            lo - TOLERANCE <= service_start <= hi + TOLERANCE for lo, hi in windows
        ):
            problems.append(f"{here}: service starts {service_start} outside every window")
        if stop["travel_seconds"] < 0 or stop["distance_meters"] < 0:
            problems.append(f"{here}: negative travel")
        travel_total += stop["travel_seconds"]
        distance_total += stop["distance_meters"]
        departure = service_end

    back = dt.timedelta(seconds=itinerary["return_travel_seconds"])
    if not _close(end, departure + back + paused(departure, end)):
        problems.append(f"{who}: end {end} != last departure {departure} + return travel")
    if itinerary["total_travel_seconds"] != travel_total + itinerary["return_travel_seconds"]:
        problems.append(f"{who}: total_travel_seconds is not the sum of the legs")
    if itinerary["total_distance_meters"] != distance_total + itinerary["return_distance_meters"]:
        problems.append(f"{who}: total_distance_meters is not the sum of the legs")
    return problems


def _break_violations(
    who: str,
    breaks: list[tuple[dt.datetime, dt.datetime]],
    agent: dict[str, Any],
    date: str,
    timezone: ZoneInfo,
    itinerary: dict[str, Any],
) -> list[str]:
    """Each of the agent's breaks is taken once, starting in its window, for its length
    (a day without visits takes none)."""
    wanted = agent.get("breaks", [])
    if not itinerary["stops"]:
        return [f"{who}: breaks on a day without visits"] if breaks else []
    if len(breaks) != len(wanted):
        return [f"{who}: {len(breaks)} breaks taken, {len(wanted)} asked for"]
    problems = []
    for (begin, end), rule in zip(sorted(breaks), wanted, strict=True):
        earliest = _local(date, rule["earliest_start"], timezone)
        latest = _local(date, rule["latest_start"], timezone)
        if not earliest - TOLERANCE <= begin <= latest + TOLERANCE:
            problems.append(f"{who}: break at {begin} outside {earliest}..{latest}")
        if end - begin != dt.timedelta(minutes=rule["duration_minutes"]):
            problems.append(f"{who}: break of {end - begin}, not {rule['duration_minutes']} min")
    return problems
