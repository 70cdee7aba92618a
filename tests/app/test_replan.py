"""Re-planning a day that changed, through the API: an agent ill at 11:00, a window change, an
overrun, an urgent insert; each diff checked against the two plans, and the churn budget."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.feasibility import plan_violations

pytestmark = pytest.mark.storage  # scripts/test.sh runs these on PostgreSQL too

DATE = "2026-11-18"
NOW = f"{DATE}T11:00:00+01:00"
ADDRESSES = [
    "Am Widagraba 7, 9490 Vaduz",
    "Dominik Banzer-Strasse 16, 9495 Triesen",
    "Essanestrasse 10, 9492 Eschen",
    "Landstrasse 117, 9490 Vaduz",
    "Gapetschstrasse 15, 9494 Schaan",
    "Sankt Florinsgasse 5, 9490 Vaduz",
    "Gapont 3, 9495 Triesen",
    "Wangerbergstrasse 10, 9497 Triesenberg",
]
MORNING = [{"start": "08:00", "end": "10:30"}]
AFTERNOON = [{"start": "11:30", "end": "16:00"}]


def plan_body() -> dict[str, Any]:
    """A day A-1 does alone (A-2 and A-3 cost 500 to call in): 3 morning, 5 afternoon visits."""
    return {
        "date": DATE,
        "cases": [
            {
                "id": f"C-{k}",
                "address": address,
                "service_minutes": 20,
                "time_windows": MORNING if k < 3 else AFTERNOON,
            }
            for k, address in enumerate(ADDRESSES)
        ],
        "agents": [
            {
                "id": agent_id,
                "start": {"address": "Städtle 43, 9490 Vaduz"},
                "shift": {"start": "08:00", "end": "17:00"},
                "fixed_cost": cost,
            }
            for agent_id, cost in (("A-1", 0.0), ("A-2", 500.0), ("A-3", 500.0))
        ],
        "options": {"time_limit_seconds": 1, "include_geometry": False},
    }


def make_plan(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    body = plan_body()
    response = client.post("/plan", json=body)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    assert not plan["unassigned"], plan["unassigned"]
    return body, plan


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def visits(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The plan's stops by case id, each with its agent."""
    return {
        stop["case_id"]: stop | {"agent_id": it["agent_id"]}
        for it in plan["itineraries"]
        for stop in it["stops"]
    }


def frozen_at(plan: dict[str, Any], now: str) -> dict[str, list[str]]:
    """The visits done and in progress at ``now``, as a replan body names them."""
    at = instant(now)
    stops = visits(plan).values()
    return {
        "done_visit_ids": [s["visit_id"] for s in stops if instant(s["service_end"]) <= at],
        "in_progress_visit_ids": [
            s["visit_id"]
            for s in stops
            if instant(s["service_start"]) < at < instant(s["service_end"])
        ],
    }


def replan(client: TestClient, plan: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = client.post(f"/plans/{plan['plan_id']}/replan", json=body)
    assert response.status_code == 200, response.text
    new: dict[str, Any] = response.json()
    assert new["replan_of"] == plan["plan_id"]
    assert new["plan_id"] != plan["plan_id"]
    return new


def expected_diff(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str]]:
    """(change, case id) of every case whose visit changed, computed from the two bodies."""
    before, after = visits(old), visits(new)
    changes = set()
    for case_id in before.keys() | after.keys():
        was, now = before.get(case_id), after.get(case_id)
        if was is None:
            changes.add(("added", case_id))
        elif now is None:
            changes.add(("removed", case_id))
        elif was["agent_id"] != now["agent_id"]:
            changes.add(("moved", case_id))
        elif abs(instant(now["service_start"]) - instant(was["service_start"])) > dt.timedelta(
            minutes=1
        ):
            changes.add(("retimed", case_id))
    return changes


def diff_of(new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The answer's diff by case id, checked to be exactly what changed."""
    diff = new["diff"]
    entries = [e for kind in ("added", "removed", "moved", "retimed") for e in diff[kind]]
    assert all(e["reason"] for e in entries)
    by_case = {e["case_id"]: e for e in entries}
    assert len(by_case) == len(entries), "a case listed twice"
    return by_case


def check_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    by_case = diff_of(new)
    assert {(e["change"], c) for c, e in by_case.items()} == expected_diff(old, new)
    assert new["diff"]["against_plan_id"] == old["plan_id"]
    return by_case


def remaining_of(plan: dict[str, Any], agent_id: str, now: str) -> set[str]:
    return {
        case_id
        for case_id, stop in visits(plan).items()
        if stop["agent_id"] == agent_id and instant(stop["service_start"]) >= instant(now)
    }


def assert_frozen_untouched(
    plan: dict[str, Any], new: dict[str, Any], frozen: dict[str, list[str]]
) -> set[str]:
    before, after = visits(plan), visits(new)
    ids = set(frozen["done_visit_ids"]) | set(frozen["in_progress_visit_ids"])
    cases = {case_id for case_id, stop in before.items() if stop["visit_id"] in ids}
    for case_id in cases:
        assert after[case_id]["agent_id"] == before[case_id]["agent_id"]
        shift = instant(after[case_id]["service_start"]) - instant(before[case_id]["service_start"])
        assert abs(shift) <= dt.timedelta(minutes=1)
    assert not cases & diff_of(new).keys()
    return cases


def test_an_agent_ill_at_11_hands_the_rest_of_the_day_to_others(client: TestClient) -> None:
    body, plan = make_plan(client)
    remaining = remaining_of(plan, "A-1", NOW)
    assert len(remaining) >= 3  # the afternoon
    frozen = frozen_at(plan, NOW)
    new = replan(client, plan, now=NOW, absent_agent_ids=["A-1"], **frozen)

    by_case = check_diff(plan, new)
    done = assert_frozen_untouched(plan, new, frozen)
    assert done  # the morning visits stay, with A-1, at their times
    assert set(by_case) == remaining
    assert {e["change"] for e in by_case.values()} <= {"moved", "removed"}
    assert {e["reason"] for e in by_case.values()} == {"agent absent"}
    for entry in by_case.values():
        if entry["change"] == "moved":
            assert entry["from_agent_id"] == "A-1"
            assert entry["to_agent_id"] in {"A-2", "A-3"}
            assert instant(entry["new_service_start"]) >= instant(NOW)
    a1 = next(it for it in new["itineraries"] if it["agent_id"] == "A-1")
    assert {stop["case_id"] for stop in a1["stops"]} == done
    assert plan_violations(body, new) == []

    stored = client.get(f"/plans/{new['plan_id']}")
    assert stored.status_code == 200
    assert stored.json()["replan_of"] == plan["plan_id"]
    assert stored.json()["published_at"] is None  # a new version is not published by itself


@pytest.mark.parametrize(
    ("budget", "most"), [({"max_moved_total": 2}, 2), ({"max_moved_per_agent": 1}, 1)]
)
def test_a_churn_budget_bounds_the_moved_visits(
    client: TestClient, budget: dict[str, int], most: int
) -> None:
    """A budget of 2 moves at most 2 visits; the rest of the ill agent's day is reported
    unassigned for the churn budget."""
    body, plan = make_plan(client)
    remaining = remaining_of(plan, "A-1", NOW)
    assert len(remaining) > most
    new = replan(
        client,
        plan,
        now=NOW,
        absent_agent_ids=["A-1"],
        churn_budget=budget,
        **frozen_at(plan, NOW),
    )
    by_case = check_diff(plan, new)
    moved = [e for e in by_case.values() if e["change"] == "moved"]
    assert len(moved) == most
    removed = {c for c, e in by_case.items() if e["change"] == "removed"}
    assert removed == remaining - {e["case_id"] for e in moved}
    assert {by_case[c]["reason"] for c in removed} == {"churn budget"}
    unassigned = {u["case_id"]: u for u in new["unassigned"]}
    assert {unassigned[c]["reason"] for c in removed} == {"churn_budget"}
    kept = copy.deepcopy(body)
    kept["cases"] = [c for c in body["cases"] if c["id"] not in removed]
    trimmed = new | {"unassigned": [u for u in new["unassigned"] if u["case_id"] not in removed]}
    assert plan_violations(kept, trimmed) == []


def test_a_window_change_retimes_that_visit_and_moves_none(client: TestClient) -> None:
    body, plan = make_plan(client)
    before = visits(plan)
    target = max(remaining_of(plan, "A-1", NOW), key=lambda c: before[c]["service_start"])
    window = {"start": "12:00", "end": "12:30"}
    frozen = frozen_at(plan, NOW)
    new = replan(
        client,
        plan,
        now=NOW,
        case_changes={target: {"time_windows": [window]}},
        churn_budget={"max_moved_total": 0},
        **frozen,
    )
    by_case = check_diff(plan, new)
    assert_frozen_untouched(plan, new, frozen)
    assert by_case[target]["change"] == "retimed"
    assert by_case[target]["reason"] == "window changed"
    start = instant(by_case[target]["new_service_start"])
    assert (start.hour, start.minute) >= (12, 0)
    assert start <= instant(f"{DATE}T12:30:00+01:00")
    assert not new["diff"]["moved"]
    for case_id, entry in by_case.items():
        if case_id != target:
            assert entry["reason"] == f"re-planned after: case {target}: window changed"
    changed = copy.deepcopy(body)
    next(c for c in changed["cases"] if c["id"] == target)["time_windows"] = [window]
    assert plan_violations(changed, new) == []


@pytest.mark.parametrize("by", ["extra_minutes", "ends_at"])
def test_an_overrun_pushes_the_agents_later_visits(client: TestClient, by: str) -> None:
    body, plan = make_plan(client)
    before = visits(plan)
    afternoon = sorted(remaining_of(plan, "A-1", NOW), key=lambda c: before[c]["service_start"])
    late = afternoon[0]
    now = (instant(before[late]["service_start"]) + dt.timedelta(minutes=10)).isoformat()
    frozen = frozen_at(plan, now)
    assert before[late]["visit_id"] in frozen["in_progress_visit_ids"]
    ends_at = instant(before[late]["service_end"]) + dt.timedelta(minutes=60)
    overrun = {"extra_minutes": 60} if by == "extra_minutes" else {"ends_at": ends_at.isoformat()}
    new = replan(
        client,
        plan,
        now=now,
        overruns={before[late]["visit_id"]: overrun},
        **frozen,
    )
    by_case = check_diff(plan, new)
    assert_frozen_untouched(plan, new, frozen)
    after = visits(new)
    pushed = instant(after[late]["service_end"]) - instant(before[late]["service_end"])
    assert abs(pushed - dt.timedelta(minutes=60)) <= dt.timedelta(minutes=1)
    cause = f"overrun of A-1's visit {late}"
    for case_id in afternoon[1:]:
        if case_id in after and after[case_id]["agent_id"] == "A-1":
            assert instant(after[case_id]["service_start"]) >= instant(after[late]["service_end"])
        if case_id in by_case:
            assert by_case[case_id]["reason"] == cause
    assert set(by_case) & set(afternoon[1:])  # an hour later changes something
    changed = copy.deepcopy(body)
    next(c for c in changed["cases"] if c["id"] == late)["service_minutes"] += 60
    assert plan_violations(changed, new) == []


def test_a_new_case_is_added_with_its_reason(client: TestClient) -> None:
    body, plan = make_plan(client)
    case = {"id": "N-1", "address": "Essanestrasse 10, 9492 Eschen", "service_minutes": 15}
    new = replan(client, plan, now=NOW, new_cases=[case], **frozen_at(plan, NOW))
    by_case = check_diff(plan, new)
    assert by_case["N-1"]["change"] == "added"
    assert by_case["N-1"]["reason"] == "new case"
    assert instant(by_case["N-1"]["new_service_start"]) >= instant(NOW)
    assert plan_violations(body | {"cases": [*body["cases"], case]}, new) == []


def test_an_urgent_case_gets_the_best_agent_and_position(client: TestClient) -> None:
    _, plan = make_plan(client)
    case = {
        "id": "U-1",
        "address": "Landstrasse 19, 9494 Schaan",
        "service_minutes": 15,
        "time_windows": [{"start": "11:00", "end": "14:00"}],
    }
    response = client.post(
        f"/plans/{plan['plan_id']}/insert",
        json={"case": case, "now": NOW, "max_alternatives": 100},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    best = answer["best"]
    assert best is not None
    assert best["feasible"] is True
    assert best["violations"] == []
    assert instant(NOW) <= instant(best["service_start"]) <= instant(f"{DATE}T14:00:00+01:00")
    options = [best, *answer["alternatives"]]
    started = {
        it["agent_id"]: sum(instant(s["service_start"]) < instant(NOW) for s in it["stops"])
        for it in plan["itineraries"]
    }
    assert len(options) == sum(
        len(it["stops"]) - started[it["agent_id"]] + 1 for it in plan["itineraries"]
    )
    feasible = [o for o in options if o["feasible"]]
    assert all(best["added_cost"] <= o["added_cost"] for o in feasible)
    assert options == sorted(options, key=lambda o: (not o["feasible"], o["added_cost"]))
    assert all(o["violations"] for o in options if not o["feasible"])
    # A-2 and A-3 cost 500 to call in: the best place is in A-1's afternoon
    assert best["agent_id"] == "A-1"
    assert best["added_cost"] < 500
    assert client.get(f"/plans/{plan['plan_id']}").json() == plan | {"published_at": None}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"now": "2026-11-19T11:00:00+01:00"}, ["body", "now"]),
        ({"now": NOW, "done_visit_ids": ["no-such-visit"]}, ["body", "done_visit_ids", 0]),
        ({"now": NOW, "absent_agent_ids": ["A-9"]}, ["body", "absent_agent_ids", 0]),
        ({"now": NOW, "case_changes": {"C-99": {"service_minutes": 5}}}, None),
        ({"now": NOW, "churn_budget": {"max_moved_total": -1}}, None),
        ({"now": NOW, "unknown": 1}, ["body", "unknown"]),
    ],
)
def test_bad_replans_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[Any] | None
) -> None:
    _, plan = make_plan(client)
    response = client.post(f"/plans/{plan['plan_id']}/replan", json=body)
    assert response.status_code == 422, response.text
    if loc is not None:
        assert response.json()["detail"][0]["loc"] == loc
    duplicate = {"case": {"id": "C-1", "location": {"lat": 47.14, "lon": 9.52}}}
    response = client.post(f"/plans/{plan['plan_id']}/insert", json=duplicate)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "case", "id"]


@pytest.mark.parametrize("allow", [False, True])
def test_announced_visits_keep_their_agent_unless_allowed(client: TestClient, allow: bool) -> None:
    """Two of A-1's announced visits now want the same five minutes: one of them must leave
    A-1. Announced, it stays and is unassigned; allowed to move, it moves."""
    _, plan = make_plan(client)
    pair = sorted(remaining_of(plan, "A-1", NOW))[:2]
    window = [{"start": "12:00", "end": "12:05"}]
    new = replan(
        client,
        plan,
        now=NOW,
        case_changes={case_id: {"time_windows": window} for case_id in pair},
        announced_visit_ids=pair,
        allow_moving_announced=allow,
        **frozen_at(plan, NOW),
    )
    by_case = check_diff(plan, new)
    changes = sorted(by_case[case_id]["change"] for case_id in pair)
    after = visits(new)
    if allow:
        assert "moved" in changes
        assert all(case_id in after for case_id in pair)
    else:
        assert "moved" not in changes
        assert "removed" in changes
        assert all(after[c]["agent_id"] == "A-1" for c in pair if c in after)


def test_a_replan_of_a_replan_is_diffed_against_the_published_version(
    client: TestClient,
) -> None:
    """Published v1; v2 (unpublished) after A-1 falls ill; v3 from v2 with an urgent case:
    v3's diff is against v2, its published diff against v1, each exactly what changed."""
    _, v1 = make_plan(client)
    assert client.post(f"/plans/{v1['plan_id']}/publish").status_code == 200
    frozen = frozen_at(v1, NOW)
    v2 = replan(client, v1, now=NOW, absent_agent_ids=["A-1"], **frozen)
    assert v2["published_diff"] is None  # v1, the plan re-planned, is the published one
    urgent = {"id": "URGENT", "address": ADDRESSES[0], "service_minutes": 10}
    frozen_v2 = {
        key: [visits(v2)[c]["visit_id"] for c in visits(v1) if visits(v1)[c]["visit_id"] in ids]
        for key, ids in frozen.items()
    }
    v3 = replan(client, v2, now=NOW, absent_agent_ids=["A-1"], new_cases=[urgent], **frozen_v2)

    check_diff(v2, v3)
    published = v3["published_diff"]
    assert published["against_plan_id"] == v1["plan_id"]
    entries = [e for kind in ("added", "removed", "moved", "retimed") for e in published[kind]]
    assert {(e["change"], e["case_id"]) for e in entries} == expected_diff(v1, v3)
    assert ("added", "URGENT") in expected_diff(v1, v3)
    assert any(e["change"] == "moved" for e in entries)  # from v2: A-1's afternoon
    assert all(e["reason"] for e in entries)
