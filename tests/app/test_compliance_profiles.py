"""Every shipped compliance profile against cases placed to tempt the solver: the rule holds
and the exclusion names the profile and rule. Expected rule ids are read from the profile
files themselves, not from the app."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.auth import admin_client
from tests.feasibility import plan_violations

PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "compliance"
PROFILES = {
    profile["id"]: profile
    for profile in (
        tomllib.loads(p.read_text("utf-8")) for p in sorted(PROFILES_DIR.glob("*.toml"))
    )
}
SHIPPED = ["US-FDCPA", "US-MA", "IN-RBI", "CN-CBA", "GB-FCA", "IE-CCA", "LI-POLICY"]
VADUZ = ZoneInfo("Europe/Vaduz")
WEDNESDAY = "2026-11-18"  # no public holiday in any shipped calendar; in the past
ADDRESSES = [
    "Am Widagraba 7, 9490 Vaduz",
    "Dominik Banzer-Strasse 16, 9495 Triesen",
    "Essanestrasse 10, 9492 Eschen",
    "Landstrasse 117, 9490 Vaduz",
    "Gapetschstrasse 15, 9494 Schaan",
    "Wangerbergstrasse 10, 9497 Triesenberg",
    "Burkatstrasse 25, 9497 Triesenberg",
    "Täscherlochstrasse 72, 9497 Triesenberg",
]


def rules_of(profile_id: str, kind: str) -> list[dict[str, Any]]:
    return [rule for rule in PROFILES[profile_id]["rules"] if rule["kind"] == kind]


@pytest.fixture
def only_named_profiles(settings: Settings) -> Iterator[TestClient]:
    """The default region names no profile here, so each test sees one profile alone."""
    with admin_client(create_app(settings.model_copy(update={"region_profiles": {}}))) as client:
        yield client


def agent(agent_id: str, team_size: int = 1) -> dict[str, Any]:
    return {
        "id": agent_id,
        "start": {"address": "Städtle 43, 9490 Vaduz"},
        "shift": {"start": "06:00", "end": "23:30"},
        "team_size": team_size,
    }


def case(case_id: str, address: int, **fields: Any) -> dict[str, Any]:
    return {"id": case_id, "address": ADDRESSES[address], "service_minutes": 30} | fields


def post_plan(
    client: TestClient, date: str, profile_id: str, cases: list[dict[str, Any]], agents: list[Any]
) -> dict[str, Any]:
    body = {
        "date": date,
        "compliance_profiles": [profile_id],
        "cases": cases,
        "agents": agents,
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    }
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    assert plan_violations(body, plan) == []
    assert plan["compliance"]["profiles"][0]["id"] == profile_id
    return plan


def outcome_of(plan: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """case id -> ("visited", agent id) or (reason, rule id)."""
    result: dict[str, tuple[str, str | None]] = {
        entry["case_id"]: (entry["reason"], entry["rule_id"]) for entry in plan["unassigned"]
    }
    for itinerary in plan["itineraries"]:
        for stop in itinerary["stops"]:
            result[stop["case_id"]] = ("visited", itinerary["agent_id"])
    return result


def stops_by_case(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["case_id"]: s for i in plan["itineraries"] for s in i["stops"]}


def minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def allowed_hours(profile_id: str, weekday: str) -> list[tuple[int, int]]:
    return [
        (minutes(window["start"]), minutes(window["end"]))
        for rule in rules_of(profile_id, "allowed_hours")
        for window in rule["windows"]
        if weekday in window["days"]
    ]


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_hours_conditions_places_and_notice(
    only_named_profiles: TestClient, profile_id: str
) -> None:
    """On an ordinary Wednesday: windows outside or across the legal hours, a visit that
    would end after closing, an attorney on record, a workplace, missing or late notice."""
    hours_rule = next(
        rule
        for rule in rules_of(profile_id, "allowed_hours")
        if any("wed" in window["days"] for window in rule["windows"])
    )
    (open_at, close_at) = min(allowed_hours(profile_id, "wed"))
    notice = rules_of(profile_id, "advance_notice")
    day_start = dt.datetime.fromisoformat(WEDNESDAY).replace(tzinfo=VADUZ)
    early_notice = (day_start - dt.timedelta(days=5)).isoformat()
    base = {"notice_sent_at": early_notice} if notice else {}

    def hhmm(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    cases = [
        case("control", 0, **base),
        case("before-hours", 1, time_windows=[{"start": "04:00", "end": "05:30"}], **base),
        case(
            "across-opening",
            2,
            time_windows=[{"start": "05:00", "end": hhmm(open_at + 60)}],
            **base,
        ),
        case(
            "ends-after-closing",
            3,
            time_windows=[{"start": hhmm(close_at - 20), "end": "23:59"}],
            **base,
        ),
        case("attorney", 4, conditions={"attorney_on_record": True}, **base),
        case("workplace", 5, place_type="workplace", **base),
        case("no-notice", 6),
        case("late-notice", 7, notice_sent_at=(day_start + dt.timedelta(hours=6)).isoformat()),
    ]
    plan = post_plan(
        only_named_profiles, WEDNESDAY, profile_id, cases, [agent("A-1"), agent("T-1", 2)]
    )
    result = outcome_of(plan)

    assert result["control"][0] == "visited"
    assert result["before-hours"] == ("compliance", hours_rule["id"])
    assert result["ends-after-closing"] == ("compliance", hours_rule["id"])
    assert result["across-opening"][0] == "visited"
    for case_id, stop in stops_by_case(plan).items():
        start = dt.datetime.fromisoformat(stop["service_start"]).astimezone(VADUZ)
        end = dt.datetime.fromisoformat(stop["service_end"]).astimezone(VADUZ)
        first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        assert any(a <= first and last <= b for a, b in allowed_hours(profile_id, "wed")), case_id

    attorney = [
        r for r in rules_of(profile_id, "do_not_visit") if r["condition"] == "attorney_on_record"
    ]
    assert result["attorney"] == (
        ("compliance", attorney[0]["id"]) if attorney else ("visited", result["attorney"][1])
    )
    workplace = rules_of(profile_id, "no_workplace")
    if workplace:
        assert result["workplace"] == ("compliance", workplace[0]["id"])
    else:
        assert result["workplace"][0] == "visited"
    if notice:
        assert result["no-notice"] == ("compliance", notice[0]["id"])
        assert result["late-notice"] == ("compliance", notice[0]["id"])  # 6 h < 48 h
    else:
        assert result["no-notice"][0] == result["late-notice"][0] == "visited"
    excluded = {e["case_id"]: e["rule_id"] for e in plan["compliance"]["excluded"]}
    assert excluded == {c: rule for c, (reason, rule) in result.items() if reason == "compliance"}


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_two_person_case_with_only_single_agents(
    only_named_profiles: TestClient, profile_id: str
) -> None:
    """A case that needs two staff goes to a team or nowhere; where the profile asks two
    staff for every visit, single agents visit no one."""
    cases = [case("pair", 0, staff_required=2), case("ordinary", 1)]
    notice = rules_of(profile_id, "advance_notice")
    if notice:
        for c in cases:
            c["notice_sent_at"] = "2026-11-10T09:00:00+01:00"
    singles = outcome_of(
        post_plan(only_named_profiles, WEDNESDAY, profile_id, cases, [agent("A-1")])
    )
    min_staff = rules_of(profile_id, "min_staff")
    if min_staff:
        assert singles == {
            "pair": ("compliance", min_staff[0]["id"]),
            "ordinary": ("compliance", min_staff[0]["id"]),
        }
    else:
        assert singles == {"pair": ("compliance", "staff_required"), "ordinary": ("visited", "A-1")}
    with_team = post_plan(
        only_named_profiles, WEDNESDAY, profile_id, cases, [agent("A-1"), agent("T-1", 2)]
    )
    assert outcome_of(with_team)["pair"] == ("visited", "T-1")


def holiday_of(profile_id: str) -> dt.date:
    """A public holiday of the profile's calendar in 2026, with the profile in effect, on a
    weekday with allowed hours, so only the holiday rule can exclude."""
    profile = PROFILES[profile_id]
    calendar_name = profile.get("holiday_calendar", profile["jurisdiction"])
    country, _, subdivision = calendar_name.partition("-")
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=2026)
    blocked = {d for r in rules_of(profile_id, "blocked_weekdays") for d in r["days"]}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return min(
        day
        for day in calendar
        if day >= profile["effective_from"]
        and names[day.weekday()] not in blocked
        and allowed_hours(profile_id, names[day.weekday()])
    )


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_public_holidays_and_blocked_weekdays(
    only_named_profiles: TestClient, profile_id: str
) -> None:
    """On a public holiday of the profile's calendar, and on a blocked weekday, no one is
    visited and the rule is named."""
    cases = [case("C-1", 0), case("C-2", 1)]
    (holiday_rule,) = rules_of(profile_id, "public_holidays")
    holiday = holiday_of(profile_id).isoformat()
    team = [agent("T-1", 2)]
    on_holiday = outcome_of(post_plan(only_named_profiles, holiday, profile_id, cases, team))
    assert on_holiday == {c["id"]: ("compliance", holiday_rule["id"]) for c in cases}

    sunday = "2026-11-15"
    blocked = rules_of(profile_id, "blocked_weekdays")
    if not blocked:
        return
    on_sunday = outcome_of(post_plan(only_named_profiles, sunday, profile_id, cases, team))
    assert on_sunday == {c["id"]: ("compliance", blocked[0]["id"]) for c in cases}


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_a_case_visited_recently_is_held_by_the_frequency_cap(
    only_named_profiles: TestClient, profile_id: str
) -> None:
    """Visits recorded on the days before (through the outcome API) count against the
    profile's tightest cap; a visit where no one was met counts only for caps that count
    every visit."""
    caps = rules_of(profile_id, "frequency_cap")
    tightest = min(caps, key=lambda r: r["max_visits"])
    previous_days = ["2026-11-17", "2026-11-16", "2026-11-13"][: tightest["max_visits"]]
    team = [agent("T-1", 2)]
    notice = {"notice_sent_at": "2026-11-01T09:00:00+01:00"}
    for day in previous_days:
        earlier = post_plan(only_named_profiles, day, profile_id, [case("C-1", 0, **notice)], team)
        (stop,) = stops_by_case(earlier).values()
        recorded = only_named_profiles.post(
            f"/visits/{stop['visit_id']}/outcome",
            json={"outcome": "met", "occurred_at": stop["service_start"]},
        )
        assert recorded.status_code == 201, recorded.text
    untouched = case("C-2", 1, **notice)
    plan = post_plan(
        only_named_profiles, WEDNESDAY, profile_id, [case("C-1", 0, **notice), untouched], team
    )
    result = outcome_of(plan)
    assert result["C-1"][0] == "compliance"
    assert result["C-1"][1] in {cap["id"] for cap in caps}
    assert result["C-2"][0] == "visited"
