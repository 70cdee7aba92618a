"""Random plans on the real Liechtenstein region against the independent compliance oracle.

Hypothesis draws days of December 2026 (Sundays and Liechtenstein's holidays included),
subsets of the shipped profiles for the plan and its cases, windows that cross the legal
hours, conditions, inconvenient times and places, notice times, teams and a visit history per
case. Every plan :func:`app.planning.plan_day` makes must obey every rule
(:func:`tests.compliance_oracle.compliance_violations`), name a rule that does forbid the visit
for every case it excludes (:func:`tests.compliance_oracle.exclusion_violations`) and be
feasible (:func:`tests.feasibility.plan_violations`). The run also counts what it saw: a
generator under which nothing is ever visited, or nothing ever excluded, proves nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

from app.compliance import ProfileLibrary, load_profile_files
from app.db import create_db_engine, migrate
from app.history import RecordedOutcome
from app.planning import PlanningLimits, plan_day
from app.schemas import PlanRequest
from app.screening import CaseHistory, resolve_rules
from geo import LatLon, Region, TravelMode
from tests.compliance_oracle import compliance_violations, exclusion_violations
from tests.feasibility import plan_violations

logger = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "compliance"
TIMEZONE = "Europe/Vaduz"
VADUZ = ZoneInfo(TIMEZONE)
REGION_PROFILES = ["LI-POLICY"]
"""What the default region ``liechtenstein`` names (setting DOORSTEP_REGION_PROFILES). One
plan in three is made as if the region named none (the setting is per deployment), so that
rules LI-POLICY makes redundant (its hours already leave Sundays out) are tested alone too."""
SHIPPED = ["LI-POLICY", "US-FDCPA", "US-MA", "IN-RBI", "CN-CBA", "GB-FCA", "IE-CCA"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FIRST_DAY, LAST_DAY = dt.date(2026, 12, 1), dt.date(2026, 12, 31)
SPECIAL_DAYS = [dt.date(2026, 12, day) for day in (6, 8, 13, 20, 25, 26, 27, 28)]
"""Drawn more often: the Sundays, Liechtenstein's holidays (8, 25, 26) and the UK's Boxing Day
observed (28, a Monday)."""
LIMITS = PlanningLimits(
    max_snap_distance_m=500, time_limit_s=0.2, include_geometry=False, workers=1
)
EXAMPLES = 200

CASE_POINTS = [  # geocoded addresses of data/samples/plan-request.json, all near a road
    (47.13926, 9.51637),  # Am Widagraba 7, Vaduz
    (47.10403, 9.52703),  # Dominik Banzer-Strasse 16, Triesen
    (47.11589, 9.54444),  # Wangerbergstrasse 10, Triesenberg
    (47.15493, 9.51031),  # Landstrasse 117, Vaduz
    (47.16328, 9.50632),  # Gapetschstrasse 15, Schaan
    (47.13654, 9.52305),  # Sankt Florinsgasse 5, Vaduz
    (47.10731, 9.52752),  # Gapont 3, Triesen
    (47.12053, 9.54429),  # Rotenbodenstrasse 24, Triesenberg
    (47.13857, 9.51596),  # Alvierweg 14a, Vaduz
    (47.10218, 9.52454),  # Landstrasse 344, Triesen
    (47.16647, 9.50425),  # Im Pardiel 24, Schaan
    (47.17039, 9.51573),  # Feldkircher Strasse 55, Schaan
    (47.16668, 9.52045),  # Duxgass 59, Schaan
    (47.16592, 9.50647),  # In der Egerta 20, Schaan
    (47.13943, 9.51784),  # Am Schrägen Weg 10, Vaduz
    (47.10309, 9.52573),  # Feldstrasse 11, Triesen
    (47.16697, 9.51034),  # Kirchstrasse 2, Schaan
    (47.15159, 9.51319),  # Fürst-Franz-Josef-Strasse 9, Vaduz
    (47.18307, 9.54245),  # Dorfstrasse 15, Planken
    (47.20892, 9.50369),  # Schaaner Strasse 19, Bendern
]
AGENT_POINTS = [(47.1661, 9.5094), (47.13654, 9.52305), (47.15159, 9.51319)]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One drawn plan: the region's profiles, the request body and each case's recorded
    visits (oldest first)."""

    region_profiles: list[str]
    body: dict[str, Any]
    visits: dict[str, list[tuple[dt.datetime, str]]]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws; False in the simplest example (Hypothesis favours the
    bounds, so the rare value is a middle one)."""
    return st.integers(0, n - 1).map(lambda k: k == n // 2)


@st.composite
def intervals(
    draw: st.DrawFn, earliest: int, latest: int, most: int, longest_quarters: int
) -> list[tuple[int, int]]:
    """Up to ``most`` disjoint (start, end) minute intervals on quarter hours, starting in
    [earliest, latest]."""
    found: list[tuple[int, int]] = []
    at = earliest
    for _ in range(draw(st.integers(0, most))):
        if at > latest:
            break
        start = draw(st.integers(at // 15, latest // 15)) * 15
        end = min(start + draw(st.integers(1, longest_quarters)) * 15, 24 * 60)
        found.append((start, end))
        at = end + 15
    return found


@st.composite
def profile_ids(draw: st.DrawFn, none_in: int, most: int) -> list[str]:
    """No profile in ``none_in`` - 1 of ``none_in`` draws, else 1..``most`` shipped ones."""
    if draw(st.integers(0, none_in - 1)) > 0:
        return []
    return draw(st.lists(st.sampled_from(SHIPPED), min_size=1, max_size=most, unique=True))


@st.composite
def cases(
    draw: st.DrawFn, index: int, date: dt.date
) -> tuple[dict[str, Any], list[tuple[dt.datetime, str]]]:
    """A case body and its recorded visits."""
    case_id = f"C-{index}"
    lat, lon = draw(st.sampled_from(CASE_POINTS))
    windows = draw(intervals(6 * 60, 22 * 60, 2, 24))
    busy = draw(intervals(7 * 60, 21 * 60, 2, 12))
    busy_days = [
        draw(st.one_of(st.none(), st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True)))
        for _ in busy
    ]
    conditions: dict[str, Any] = {
        flag: draw(one_in(40))
        for flag in (
            "attorney_on_record",
            "cease_contact",
            "dispute_open",
            "vulnerable",
            "capacity_concern",
        )
    }
    if draw(one_in(16)):
        conditions["bereavement_until"] = (
            date + dt.timedelta(days=draw(st.integers(-5, 5)))
        ).isoformat()
    notice: str | None = None
    if not draw(one_in(4)):
        noon = dt.datetime.combine(date, dt.time(12), tzinfo=VADUZ)
        sent = noon - dt.timedelta(minutes=4 * 24 * 60 - draw(st.integers(0, 4 * 24 * 60)))
        notice = (sent.astimezone(dt.UTC) if draw(st.booleans()) else sent).isoformat()
    body: dict[str, Any] = {
        "id": case_id,
        "location": {"lat": lat, "lon": lon},
        "service_minutes": draw(st.sampled_from([0, 10, 20, 30, 45, 60, 90])),
        "time_windows": [{"start": hhmm(s), "end": hhmm(e)} for s, e in windows],
        "compliance_profiles": draw(profile_ids(none_in=5, most=2)),
        "place_type": "workplace" if draw(one_in(10)) else draw(st.sampled_from(["home", "other"])),
        "conditions": conditions,
        "inconvenient_times": [
            {"start": hhmm(s), "end": hhmm(e)} | ({} if days is None else {"days": days})
            for (s, e), days in zip(busy, busy_days, strict=True)
        ],
        "inconvenient_places": (
            draw(st.lists(st.sampled_from(["home", "workplace", "other"]), unique=True))
            if draw(one_in(6))
            else []
        ),
        "notice_sent_at": notice,
        "staff_required": 2 if draw(one_in(6)) else 1,
    }
    visits = sorted(
        (
            dt.datetime.combine(
                date - dt.timedelta(days=40 - recency), dt.time(minute // 60, minute % 60)
            ).replace(tzinfo=VADUZ),
            outcome,
        )
        for recency, minute, outcome in draw(  # recency 0: 40 days ago, the simplest
            st.lists(
                st.tuples(
                    st.integers(0, 40),
                    st.integers(7 * 60, 21 * 60),
                    st.sampled_from(["not_home", "met", "not_home", "refused", "unsafe"]),
                ),
                max_size=3,
            )
        )
    )
    return body, visits


@st.composite
def agents(draw: st.DrawFn, index: int) -> dict[str, Any]:
    lat, lon = draw(st.sampled_from(AGENT_POINTS))
    start = draw(st.integers(6 * 2, 14 * 2)) * 30
    end = min(start + draw(st.integers(4 * 2, 14 * 2)) * 30, 22 * 60)
    return {
        "id": f"A-{index}",
        "start": {"lat": lat, "lon": lon},
        "shift": {"start": hhmm(start), "end": hhmm(end)},
        "team_size": draw(st.sampled_from([1, 1, 2])),
    }


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    date = draw(st.sampled_from(SPECIAL_DAYS) if draw(one_in(4)) else st.dates(FIRST_DAY, LAST_DAY))
    region_profiles = [] if draw(one_in(3)) else REGION_PROFILES
    plan_profiles = (
        draw(profile_ids(none_in=2, most=2))
        if region_profiles
        else draw(st.lists(st.sampled_from(SHIPPED), min_size=1, max_size=2, unique=True))
    )  # fail closed: every case needs some profile
    drawn = [draw(cases(k, date)) for k in range(1, draw(st.integers(3, 8)) + 1)]
    body = {
        "date": date.isoformat(),
        "compliance_profiles": plan_profiles,
        "cases": [case for case, _ in drawn],
        "agents": [draw(agents(k)) for k in range(1, draw(st.integers(1, 3)) + 1)],
        "options": {"include_geometry": False},
    }
    return Scenario(region_profiles, body, {case["id"]: visits for case, visits in drawn})


def plain_scenario(date: dt.date, plan_profiles: list[str]) -> Scenario:
    """Three plain cases (no windows, notice sent three days before, no history) and a team
    of two from 09:00 to 17:00, the region naming no profile: only ``plan_profiles`` can
    keep the cases out."""
    notice = dt.datetime.combine(date - dt.timedelta(days=3), dt.time(9), tzinfo=VADUZ)
    body = {
        "date": date.isoformat(),
        "compliance_profiles": plan_profiles,
        "cases": [
            {
                "id": f"C-{k}",
                "location": {"lat": lat, "lon": lon},
                "service_minutes": 20,
                "notice_sent_at": notice.isoformat(),
            }
            for k, (lat, lon) in enumerate(CASE_POINTS[:3], start=1)
        ],
        "agents": [
            {
                "id": "A-1",
                "start": {"lat": AGENT_POINTS[0][0], "lon": AGENT_POINTS[0][1]},
                "shift": {"start": "09:00", "end": "17:00"},
                "team_size": 2,
            }
        ],
        "options": {"include_geometry": False},
    }
    return Scenario([], body, {})


EXPLICIT = [
    plain_scenario(dt.date(2026, 12, 13), ["US-FDCPA"]),  # Sunday: only US-10-SUN forbids
    plain_scenario(dt.date(2026, 12, 28), ["GB-FCA"]),  # Boxing Day (observed) in GB only
    plain_scenario(dt.date(2026, 12, 8), ["CN-CBA", "LI-POLICY"]),  # LI holiday, CN hours
    # A Wednesday under US rules only: stops without LI-POLICY, whatever the draws. Hypothesis
    # mixes literals of the project's own modules into its draws, so any code change shifts
    # the random plans; this keeps the coverage check below from hanging on that.
    plain_scenario(dt.date(2026, 12, 2), ["US-FDCPA"]),
]
"""Plans the draws reach rarely, where one rule alone forbids the visits."""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProfileLibrary]:
    """The shipped profiles, on a fresh migrated database (no admin-added versions)."""
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('compliance') / 'db.sqlite'}")
    migrate(engine)
    yield ProfileLibrary(engine, load_profile_files(PROFILES_DIR))
    engine.dispose()


def test_the_drawn_places_are_on_the_roads(region: Region) -> None:
    """Every case and agent point snaps to a drivable road well within the limit, so cases
    are left out by rules or time, never as unroutable."""
    points = [LatLon(lat, lon) for lat, lon in CASE_POINTS + AGENT_POINTS]
    snaps = region.locators[TravelMode.DRIVE].snap(points, max_distance_m=150)
    assert all(snap is not None for snap in snaps)


@pytest.mark.timeout(900)
def test_random_plans_obey_every_compliance_rule(
    region: Region, library: ProfileLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 random plans: no visit breaks a rule of its profiles, no case is excluded by a
    rule that does not forbid its visit, every plan is feasible; and the plans drawn both
    visit and exclude cases often enough for that to mean something."""
    # Hypothesis also draws literals it finds in the project's own modules: then any number
    # or string added anywhere in app/ reshuffles these derandomized draws (and the counts
    # asserted below). Without them the draws depend on the seed alone.
    monkeypatch.setattr(providers, "_get_local_constants", Constants, raising=False)
    seen: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    @example(EXPLICIT[0])
    @example(EXPLICIT[1])
    @example(EXPLICIT[2])
    @example(EXPLICIT[3])
    def check(scenario: Scenario) -> None:
        request = PlanRequest.model_validate(scenario.body)
        history = CaseHistory(
            outcomes={
                case_id: [
                    RecordedOutcome(
                        visit_id=f"V-{case_id}-{k}", outcome=outcome, occurred_at=at, place="x"
                    )
                    for k, (at, outcome) in enumerate(visits)
                ]
                for case_id, visits in scenario.visits.items()
            }
        )
        rules = resolve_rules(request, scenario.region_profiles, library)
        response = plan_day(request, region, LIMITS, rules, history=history)
        body, plan = request.model_dump(mode="json"), response.model_dump(mode="json")
        note(f"region profiles: {scenario.region_profiles}, request: {body}")
        note(f"visits: {scenario.visits}")
        note(f"plan: itineraries {plan['itineraries']}, unassigned {plan['unassigned']}")
        assert plan["timezone"] == TIMEZONE
        oracle_args = (
            body,
            plan,
            PROFILES_DIR,
            scenario.region_profiles,
            scenario.visits,
            TIMEZONE,
        )
        assert compliance_violations(*oracle_args) == []
        assert exclusion_violations(*oracle_args) == []
        assert plan_violations(body, plan) == []

        stops = [(it["agent_id"], s) for it in plan["itineraries"] for s in it["stops"]]
        teams = {agent["id"]: agent["team_size"] for agent in body["agents"]}
        by_case = {case["id"]: case for case in body["cases"]}
        excluded = [e for e in plan["unassigned"] if e["reason"] == "compliance"]
        seen["plans"] += 1
        seen["plans with a stop"] += bool(stops)
        seen["plans with a compliance exclusion"] += bool(excluded)
        seen["stops"] += len(stops)
        seen["stops by a team of two"] += sum(teams[agent] >= 2 for agent, _ in stops)
        applied = [
            {
                *scenario.region_profiles,
                *body["compliance_profiles"],
                *by_case[stop["case_id"]]["compliance_profiles"],
            }
            for _, stop in stops
        ]
        seen["plans without region profiles"] += not scenario.region_profiles
        seen["stops under more than LI-POLICY"] += sum(bool(ids - {"LI-POLICY"}) for ids in applied)
        seen["stops without LI-POLICY"] += sum("LI-POLICY" not in ids for ids in applied)
        seen["stops with notice given"] += sum(
            by_case[s["case_id"]]["notice_sent_at"] is not None for _, s in stops
        )
        seen["cases excluded by compliance"] += len(excluded)
        seen.update(f"excluded by {e['profile_id']}/{e['rule_id']}" for e in excluded)
        seen.update(f"unassigned: {e['reason']}" for e in plan["unassigned"])

    check()
    logger.info("coverage of %d random plans: %s", seen["plans"], dict(sorted(seen.items())))
    plans = seen["plans"]
    assert plans >= EXAMPLES
    assert seen["plans with a stop"] >= 0.3 * plans, seen
    assert seen["plans with a compliance exclusion"] >= 0.3 * plans, seen
    assert seen["stops by a team of two"] > 0, seen
    assert seen["stops under more than LI-POLICY"] > 0, seen
    assert seen["stops without LI-POLICY"] > 0, seen
