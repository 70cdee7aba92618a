"""An independent checker of the visiting rules (compliance profiles) of a plan.

It shares no code with the app: it reads the profile TOML files itself (docs/compliance-
profiles.md), asks the ``holidays`` package for public holidays, converts instants to local
time with zoneinfo and works on the request and the response as JSON bodies
(``model_dump(mode="json")``). Each check is a direct reading of the documented semantics,
written for clarity, not speed (exclusions are checked by trying every minute of the day).

* :func:`compliance_violations`: every planned visit obeys every rule of every profile that
  applies to its case, and every case is answered exactly once.
* :func:`exclusion_violations`: every case left out for ``reason="compliance"`` names a rule
  of a profile that applies to it, and that rule does forbid the visit (no over-exclusion).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONTACTED = frozenset({"met", "refused", "promise_to_pay", "paid"})
"""Outcomes in which someone was met: what ``counts = "contacted"`` caps count."""
CONDITIONS = (
    "attorney_on_record",
    "cease_contact",
    "dispute_open",
    "vulnerable",
    "capacity_concern",
)
DAY_S = 24 * 3600

Json = dict[str, Any]
PastVisits = Mapping[str, Sequence[tuple[dt.datetime, str]]]
"""Recorded visits by case id: (when, outcome), e.g. ``(…, "met")``, ``(…, "unsafe")``."""


@lru_cache(maxsize=8)
def _library(profiles_dir: str) -> dict[str, tuple[Json, ...]]:
    """Every profile version in the folder, by id, lowest version first."""
    versions: dict[str, list[Json]] = {}
    for path in sorted(Path(profiles_dir).glob("*.toml")):
        profile = tomllib.loads(path.read_text("utf-8"))
        versions.setdefault(profile["id"], []).append(profile)
    return {pid: tuple(sorted(vs, key=lambda p: int(p["version"]))) for pid, vs in versions.items()}


def profile_in_effect(profiles_dir: Path, profile_id: str, date: dt.date) -> Json | None:
    """The highest version of ``profile_id`` whose dates include ``date``, else None."""
    effective = [
        p
        for p in _library(str(profiles_dir)).get(profile_id, ())
        if p["effective_from"] <= date
        and (p.get("effective_to") is None or date <= p["effective_to"])
    ]
    return effective[-1] if effective else None


def applicable_profiles(
    request: Json, case: Json, profiles_dir: Path, region_profiles: Sequence[str]
) -> tuple[list[Json], list[str]]:
    """The profiles that apply to ``case`` (region, plan and case ids, each once) and the ids
    among them that are unknown or not in effect on the plan's date."""
    date = dt.date.fromisoformat(request["date"])
    ids = dict.fromkeys(
        [
            *region_profiles,
            *request.get("compliance_profiles", []),
            *case.get("compliance_profiles", []),
        ]
    )
    found: list[Json] = []
    missing: list[str] = []
    for profile_id in ids:
        profile = profile_in_effect(profiles_dir, profile_id, date)
        if profile is None:
            missing.append(profile_id)
        else:
            found.append(profile)
    return found, missing


def _rules(profiles: Sequence[Json], kind: str) -> list[tuple[Json, Json]]:
    """(profile, rule) of every rule of ``kind``."""
    return [(p, r) for p in profiles for r in p["rules"] if r["kind"] == kind]


def _name(profile: Json, rule: Json) -> str:
    return f"{profile['id']} v{profile['version']} rule {rule['id']}"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _holiday(profile: Json, day: dt.date) -> str | None:
    """The public holiday of the profile's calendar on ``day``, if any."""
    calendar = profile.get("holiday_calendar") or profile["jurisdiction"]
    country, _, subdivision = calendar.partition("-")
    name = holidays.country_holidays(country, subdiv=subdivision or None, years=day.year).get(day)
    return None if name is None else f"{calendar} {name}"


def _condition_set(case: Json, condition: str, day: dt.date) -> bool:
    conditions = case.get("conditions") or {}
    if condition == "bereavement":
        until = conditions.get("bereavement_until")
        return until is not None and day <= dt.date.fromisoformat(until)
    return conditions.get(condition) is True


def _counted_visits(
    visits: Sequence[tuple[dt.datetime, str]], rule: Json, day: dt.date, zone: ZoneInfo
) -> int:
    """Recorded visits a frequency cap counts on ``day``: local date in its rolling days."""
    since = day - dt.timedelta(days=int(rule["rolling_days"]) - 1)
    contacted_only = rule.get("counts", "all") == "contacted"
    return sum(
        1
        for at, outcome in visits
        if since <= at.astimezone(zone).date() <= day
        and (outcome in CONTACTED or not contacted_only)
    )


def _staff_needed(case: Json, profiles: Sequence[Json], visits: Sequence[Any]) -> int:
    """Staff the visit needs: the case's own ask, the profiles' minimum staff, and two when
    a past visit was reported unsafe."""
    needed = [int(case.get("staff_required", 1))]
    needed += [int(rule["staff"]) for _, rule in _rules(profiles, "min_staff")]
    if any(outcome == "unsafe" for _, outcome in visits):
        needed.append(2)
    return max(needed)


def _notice_hours(profiles: Sequence[Json]) -> int | None:
    hours = [int(rule["hours"]) for _, rule in _rules(profiles, "advance_notice")]
    return max(hours) if hours else None


def _local_span(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> tuple[dt.date, int, int]:
    """The local date of ``start`` and both instants as wall-clock seconds after its
    midnight (``end`` may pass 24 h)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()

    def wall(t: dt.datetime) -> int:
        return (t.date() - day).days * DAY_S + t.hour * 3600 + t.minute * 60 + t.second

    return day, wall(local_start), wall(local_end)


def _hours_violations(
    profiles: Sequence[Json], weekday: str, start_s: int, end_s: int
) -> list[str]:
    """Per profile with allowed hours: the visit lies inside one of its windows of that
    weekday (a profile's windows add up; profiles intersect)."""
    problems = []
    by_profile: dict[str, list[tuple[Json, Json]]] = {}
    for profile, rule in _rules(profiles, "allowed_hours"):
        by_profile.setdefault(profile["id"], []).append((profile, rule))
    for pairs in by_profile.values():
        windows = [
            (_minutes(w["start"]) * 60, _minutes(w["end"]) * 60)
            for _, rule in pairs
            for w in rule["windows"]
            if weekday in w["days"]
        ]
        if not any(lo <= start_s and end_s <= hi for lo, hi in windows):
            rules = ", ".join(_name(p, r) for p, r in pairs)
            shown = (
                ", ".join(
                    f"{lo // 3600:02d}:{lo % 3600 // 60:02d}-{hi // 3600:02d}:{hi % 3600 // 60:02d}"
                    for lo, hi in windows
                )
                or "none"
            )
            problems.append(f"outside the allowed hours on {weekday} ({shown}) of {rules}")
    return problems


def _busy_violations(case: Json, weekday: str, start_s: int, end_s: int) -> list[str]:
    """The visit overlaps no inconvenient time of that weekday (touching ends is fine)."""
    problems = []
    for busy in case.get("inconvenient_times", []):
        if weekday not in busy.get("days", WEEKDAYS):
            continue
        lo, hi = _minutes(busy["start"]) * 60, _minutes(busy["end"]) * 60
        if start_s < hi and end_s > lo:
            problems.append(
                f"overlaps the inconvenient time {busy['start']}-{busy['end']} on {weekday}"
            )
    return problems


def visit_violations(
    case: Json,
    agent: Json,
    profiles: Sequence[Json],
    plan_date: dt.date,
    start: dt.datetime,
    end: dt.datetime,
    visits: Sequence[tuple[dt.datetime, str]],
    zone: ZoneInfo,
) -> list[str]:
    """Every rule of ``profiles`` the visit of ``case`` by ``agent`` from ``start`` to
    ``end`` breaks."""
    day, start_s, end_s = _local_span(start, end, zone)
    weekday = WEEKDAYS[day.weekday()]
    problems = []
    if day != plan_date:
        problems.append(f"visited on {day}, not on the plan's date {plan_date}")
    problems += _hours_violations(profiles, weekday, start_s, end_s)
    for profile, rule in _rules(profiles, "blocked_weekdays"):
        if weekday in rule["days"]:
            problems.append(f"visited on a {weekday}, blocked by {_name(profile, rule)}")
    for profile, rule in _rules(profiles, "public_holidays"):
        holiday = _holiday(profile, day)
        if holiday is not None:
            problems.append(f"visited on {day}, holiday {holiday}, by {_name(profile, rule)}")
    for profile, rule in _rules(profiles, "do_not_visit"):
        if _condition_set(case, rule["condition"], day):
            problems.append(f"condition {rule['condition']} set: {_name(profile, rule)}")
    place = case.get("place_type", "home")
    for profile, rule in _rules(profiles, "no_workplace"):
        if place == "workplace":
            problems.append(f"visited at the workplace: {_name(profile, rule)}")
    for profile, rule in _rules(profiles, "borrower_preferences"):
        if place in case.get("inconvenient_places", []):
            problems.append(f"visited at an inconvenient {place}: {_name(profile, rule)}")
        problems += [
            f"{text}: {_name(profile, rule)}"
            for text in _busy_violations(case, weekday, start_s, end_s)
        ]
    for profile, rule in _rules(profiles, "frequency_cap"):
        counted = _counted_visits(visits, rule, day, zone)
        if counted + 1 > int(rule["max_visits"]):
            problems.append(
                f"{counted} earlier visits ({rule.get('counts', 'all')}) in "
                f"{rule['rolling_days']} days plus this one exceed {rule['max_visits']}: "
                f"{_name(profile, rule)}"
            )
    needed = _staff_needed(case, profiles, visits)
    team = int(agent.get("team_size", 1))
    if team < needed:
        problems.append(f"a team of {team} went where {needed} staff are needed")
    notice_hours = _notice_hours(profiles)
    if notice_hours is not None:
        sent = case.get("notice_sent_at")
        if sent is None:
            problems.append(f"no notice sent; {notice_hours} h notice required")
        elif dt.datetime.fromisoformat(sent) + dt.timedelta(hours=notice_hours) > start:
            problems.append(f"notice sent at {sent}, less than {notice_hours} h before {start}")
    return problems


def _answered_once(request: Json, response: Json) -> list[str]:
    cases = [case["id"] for case in request["cases"]]
    seen = [stop["case_id"] for it in response["itineraries"] for stop in it["stops"]]
    seen += [entry["case_id"] for entry in response["unassigned"]]
    problems = [
        f"case {c} answered {seen.count(c)} times, not once" for c in cases if seen.count(c) != 1
    ]
    problems += [f"unknown case {c} in the plan" for c in sorted(set(seen) - set(cases))]
    return problems


def compliance_violations(
    request: Json,
    response: Json,
    profiles_dir: Path,
    region_profiles: Sequence[str],
    past_visits: PastVisits,
    timezone: str,
) -> list[str]:
    """Every way the planned visits of ``response`` break the compliance profiles that apply
    to their cases (read in ``timezone``, the local time of the visit addresses), plus every
    case not answered exactly once; empty when compliant.

    ``past_visits`` are the recorded visits of each case as (instant, outcome). In a plan of
    several days each visit must lie on its itinerary's date, one of the plan's days.
    """
    zone = ZoneInfo(timezone)
    first = dt.date.fromisoformat(request["date"])
    plan_dates = [first + dt.timedelta(days=k) for k in range(request.get("horizon_days", 1))]
    cases = {case["id"]: case for case in request["cases"]}
    agents = {agent["id"]: agent for agent in request["agents"]}
    problems = _answered_once(request, response)
    for itinerary in response["itineraries"]:
        agent = agents.get(itinerary["agent_id"])
        if agent is None:
            problems.append(f"itinerary of unknown agent {itinerary['agent_id']}")
            continue
        plan_date = dt.date.fromisoformat(itinerary.get("date", request["date"]))
        if plan_date not in plan_dates:
            problems.append(f"itinerary of {agent['id']} on {plan_date}, not a day of the plan")
        for stop in itinerary["stops"]:
            case = cases.get(stop["case_id"])
            if case is None:
                continue  # reported by _answered_once
            here = f"case {case['id']} (agent {agent['id']}, {stop['service_start']})"
            profiles, missing = applicable_profiles(request, case, profiles_dir, region_profiles)
            problems += [f"{here}: profile {p} unknown or not in effect" for p in missing]
            if not profiles:
                problems.append(f"{here}: planned without any compliance profile")
            problems += [
                f"{here}: {text}"
                for text in visit_violations(
                    case,
                    agent,
                    profiles,
                    plan_date,
                    dt.datetime.fromisoformat(stop["service_start"]),
                    dt.datetime.fromisoformat(stop["service_end"]),
                    past_visits.get(case["id"], ()),
                    zone,
                )
            ]
    return problems


def _a_visit_fits(
    case: Json, profiles: Sequence[Json], plan_date: dt.date, zone: ZoneInfo
) -> str | None:
    """A local service start ("HH:MM") on the plan's date that every time rule allows
    (allowed hours, inconvenient times, advance notice) inside the case's own windows; None
    if there is none. Tries every minute of the day."""
    service_s = int(case.get("service_minutes", 0)) * 60
    weekday = WEEKDAYS[plan_date.weekday()]
    windows = [
        (_minutes(w["start"]) * 60, _minutes(w["end"]) * 60) for w in case.get("time_windows", [])
    ]
    preferences = bool(_rules(profiles, "borrower_preferences"))
    notice_hours = _notice_hours(profiles)
    sent = case.get("notice_sent_at")
    if notice_hours is not None and sent is None:
        return None
    midnight = dt.datetime.combine(plan_date, dt.time(), tzinfo=zone)
    for minute in range(24 * 60 + 1):
        start_s = minute * 60
        end_s = start_s + service_s
        if windows and not any(lo <= start_s <= hi for lo, hi in windows):
            continue
        if _hours_violations(profiles, weekday, start_s, end_s):
            continue
        if preferences and _busy_violations(case, weekday, start_s, end_s):
            continue
        if notice_hours is not None:
            assert sent is not None
            start = midnight + dt.timedelta(seconds=start_s)
            ready = dt.datetime.fromisoformat(sent) + dt.timedelta(hours=notice_hours)
            if ready > start:
                continue
        return f"{minute // 60:02d}:{minute % 60:02d}"
    return None


def _exclusion_reason(
    case: Json,
    kind: str,
    rule: Json,
    profile: Json,
    profiles: Sequence[Json],
    largest_team: int,
    plan_date: dt.date,
    visits: Sequence[tuple[dt.datetime, str]],
    zone: ZoneInfo,
) -> str | None:
    """Why ``rule`` of ``profile`` (with the case's other ``profiles``) forbids visiting
    ``case`` on the plan's date; None if it does not."""
    weekday = WEEKDAYS[plan_date.weekday()]
    place = case.get("place_type", "home")
    if kind == "do_not_visit":
        held = _condition_set(case, rule["condition"], plan_date)
        return f"condition {rule['condition']}" if held else None
    if kind == "no_workplace":
        return "workplace" if place == "workplace" else None
    if kind == "blocked_weekdays":
        return f"a {weekday}" if weekday in rule["days"] else None
    if kind == "public_holidays":
        return _holiday(profile, plan_date)
    if kind == "frequency_cap":
        counted = _counted_visits(visits, rule, plan_date, zone)
        return f"{counted} visits counted" if counted + 1 > int(rule["max_visits"]) else None
    if kind == "min_staff":
        needed = _staff_needed(case, profiles, visits)
        return f"{needed} staff needed" if needed > largest_team else None
    if kind == "borrower_preferences" and place in case.get("inconvenient_places", []):
        return f"inconvenient {place}"
    if kind in ("allowed_hours", "borrower_preferences", "advance_notice"):
        fits = _a_visit_fits(case, profiles, plan_date, zone)
        return None if fits is not None else "no time of the day fits"
    return None


def exclusion_violations(
    request: Json,
    response: Json,
    profiles_dir: Path,
    region_profiles: Sequence[str],
    past_visits: PastVisits,
    timezone: str,
) -> list[str]:
    """Every case left out for ``reason="compliance"`` whose named rule does not apply to it
    or does not forbid its visit on the plan's date (a rule of a time kind: when some
    minute of the day satisfies every time rule within the case's windows), and every
    mismatch with the plan's compliance report; empty when every exclusion is justified."""
    zone = ZoneInfo(timezone)
    plan_date = dt.date.fromisoformat(request["date"])
    cases = {case["id"]: case for case in request["cases"]}
    largest_team = max(int(agent.get("team_size", 1)) for agent in request["agents"])
    problems = []
    excluded = [e for e in response["unassigned"] if e["reason"] == "compliance"]
    reported = sorted(e["case_id"] for e in response["compliance"]["excluded"])
    if sorted(e["case_id"] for e in excluded) != reported:
        problems.append(f"compliance report names {reported}, unassigned say otherwise")
    for entry in excluded:
        case = cases.get(entry["case_id"])
        if case is None:
            continue  # reported by compliance_violations
        here = f"case {case['id']} excluded by {entry['profile_id']}/{entry['rule_id']}"
        profiles, _ = applicable_profiles(request, case, profiles_dir, region_profiles)
        visits = past_visits.get(case["id"], ())
        if entry["profile_id"] == "CASE":  # the case's own staff_required
            needed = _staff_needed(case, profiles, visits)
            if needed <= largest_team:
                problems.append(f"{here}: needs {needed} staff, a team of {largest_team} exists")
            continue
        named = [
            (profile, rule)
            for profile in profiles
            if profile["id"] == entry["profile_id"]
            for rule in profile["rules"]
            if rule["id"] == entry["rule_id"]
        ]
        if not named:
            problems.append(f"{here}: no such rule in the profiles that apply to the case")
            continue
        profile, rule = named[0]
        reason = _exclusion_reason(
            case, rule["kind"], rule, profile, profiles, largest_team, plan_date, visits, zone
        )
        if reason is None:
            fits = _a_visit_fits(case, profiles, plan_date, zone)
            problems.append(
                f"{here} ({rule['kind']}): the rule does not forbid the visit"
                + (f" (a visit at {fits} obeys every time rule)" if fits else "")
            )
    return problems
