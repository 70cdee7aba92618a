"""Data-subject requests: the export holds everything stored about one case and nothing of
the others; the erasure leaves no trace of the case's address or notes anywhere in the
database while the rest of each plan still reads back; both are audited without personal
data."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from app.config import Settings
from app.db import Base
from app.main import create_app
from app.plan_cases import entries_of, without_case
from app.schemas import PlanRequest, PlanResponse
from tests.auth import admin_client, new_user
from tests.conftest import DATA_DIR, SAMPLE_REQUEST

NOWHERE = {"id": "C-99", "address": "Nirgendwostrasse 9, 9490 Vaduz", "service_minutes": 15}
DATES = ("2026-11-18", "2026-11-19")


@dataclass
class World:
    """Two stored plans of the same cases, outcomes with notes for three of them."""

    client: TestClient
    database_url: str
    plans: list[dict[str, Any]]
    cases: dict[str, dict[str, Any]]
    exported: str
    """A case exported (never erased)."""
    erased: str
    """A case erased in test_erasure_leaves_no_trace (a stop followed by another)."""
    kept: str
    """A case with outcomes that no test erases."""
    notes: dict[str, str]


def _stops(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each stop with the next one of its itinerary (None for the last)."""
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for itinerary in plan["itineraries"]:
        stops = itinerary["stops"]
        pairs += [
            (stop, stops[n + 1] if n + 1 < len(stops) else None) for n, stop in enumerate(stops)
        ]
    return pairs


@pytest.fixture(scope="module")
def world(regions_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    var = tmp_path_factory.mktemp("data-subjects")
    database_url = f"sqlite:///{var / 'doorstep.db'}"
    settings = Settings(
        data_dir=DATA_DIR,
        var_dir=var,
        regions_dir=regions_dir,
        database_url=database_url,
        solver_workers=1,
        rate_limit="100000/minute",
    )
    sample = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    cases = [*sample["cases"][:10], NOWHERE]  # C-1 .. C-10: C-1 is a prefix of C-10
    with admin_client(create_app(settings)) as client:
        plans = []
        for date in DATES:
            body = sample | {"date": date, "cases": cases, "options": {"time_limit_seconds": 1}}
            response = client.post("/plan", json=body)
            assert response.status_code == 200, response.text
            plans.append(response.json())
        first = _stops(plans[0])
        erased = next(stop for stop, after in first if after is not None)["case_id"]
        kept, exported = [s["case_id"] for s, _ in first if s["case_id"] != erased][:2]
        notes = {c: f"note on {c}: dog in the yard, ring twice" for c in (erased, kept, exported)}
        for stop, _ in first:
            if stop["case_id"] in (erased, kept, exported):
                body = {
                    "outcome": "not_home",
                    "occurred_at": stop["service_start"],
                    "notes": notes[stop["case_id"]],
                    "location": {"lat": 47.14, "lon": 9.52},
                }
                recorded = client.post(f"/visits/{stop['visit_id']}/outcome", json=body)
                assert recorded.status_code == 201, recorded.text
        yield World(
            client=client,
            database_url=database_url,
            plans=plans,
            cases={case["id"]: case for case in cases},
            exported=exported,
            erased=erased,
            kept=kept,
            notes=notes,
        )


def database_text(database_url: str) -> str:
    """Every row of every table as text, casefolded (places are stored casefolded)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = {
                table.name: [list(row) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()
    return json.dumps(rows, default=str, ensure_ascii=False).casefold()


def database_values(database_url: str, *, skip: str) -> list[Any]:
    """Every column value of every table but ``skip``, JSON documents walked down to their
    leaves."""
    engine = create_engine(database_url)
    values: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            values.append(value)

    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                if table.name != skip:
                    for row in connection.execute(select(table)):
                        walk(list(row))
    finally:
        engine.dispose()
    return values


def address_of(world: World, case_id: str) -> str:
    address: str = world.cases[case_id]["address"]
    return address


def test_export_holds_the_case_its_address_notes_and_outcomes(world: World) -> None:
    case_id = world.exported
    response = world.client.get(f"/data-subjects/{case_id}")
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["case_id"] == case_id
    assert [p["plan_id"] for p in export["plans"]] == [p["plan_id"] for p in world.plans]
    for entries, date in zip(export["plans"], DATES, strict=True):
        assert entries["date"] == date
        assert entries["region"] == "liechtenstein"
        assert entries["case"]["address"] == address_of(world, case_id)
    first = export["plans"][0]
    assert [s["case_id"] for s in first["stops"]] == [case_id]
    assert first["stops"][0]["agent_id"]
    assert first["stops"][0]["address"]
    assert {v["place"] for v in export["visits"]} == {address_of(world, case_id).casefold()}
    assert [o["notes"] for o in export["outcomes"]] == [world.notes[case_id]]
    assert export["outcomes"][0]["location"] == {"lat": 47.14, "lon": 9.52}
    visit_targets = {f"visit {v['visit_id']}" for v in export["visits"]}
    assert {e["action"] for e in export["audit_entries"]} >= {"outcome.record"}
    assert {e["target"] for e in export["audit_entries"]} <= visit_targets | {f"case {case_id}"}


def test_export_holds_nothing_of_other_cases(world: World) -> None:
    """C-1 is a prefix of C-10: an export of one never shows the other."""
    for case_id in (world.exported, "C-1"):
        export = world.client.get(f"/data-subjects/{case_id}").json()
        text = json.dumps(export, ensure_ascii=False).casefold()
        for other in world.cases:
            if other != case_id:
                assert address_of(world, other).casefold() not in text
                assert f'"{other}"'.casefold() not in text
        for other, note in world.notes.items():
            assert (note.casefold() in text) == (other == case_id)


def test_an_unknown_case_exports_empty(world: World) -> None:
    export = world.client.get("/data-subjects/NO-SUCH-CASE").json()
    assert export["plans"] == export["visits"] == export["outcomes"] == []


def test_the_export_is_audited_with_ids_and_counts_only(world: World) -> None:
    case_id = world.exported
    world.client.get(f"/data-subjects/{case_id}")
    log = world.client.get("/audit", params={"action": "data_subject.export"}).json()
    entry = next(e for e in log if e["target"] == f"case {case_id}")
    details = entry["details"]
    assert set(details) == {"plans", "visits", "outcomes", "audit_entries"}
    assert (details["plans"], details["outcomes"]) == (2, 1)
    assert address_of(world, case_id).casefold() not in json.dumps(entry).casefold()
    assert world.notes[case_id] not in json.dumps(entry)


def test_erasure_leaves_no_trace(world: World) -> None:
    case_id = world.erased
    address = address_of(world, case_id).casefold()
    before = database_text(world.database_url)
    assert address in before
    assert world.notes[case_id].casefold() in before
    response = world.client.delete(f"/data-subjects/{case_id}")
    assert response.status_code == 200, response.text
    erased = response.json()
    assert erased["plans_rewritten"] == 2
    assert erased["request_entries"] == 2
    assert erased["stops"] + erased["unassigned"] == 2
    assert erased["visits"] == erased["stops"]
    assert erased["outcomes"] == 1
    after = database_text(world.database_url)
    assert address not in after
    stop = next(s for s, _ in _stops(world.plans[0]) if s["case_id"] == case_id)
    assert str(stop["location"]["lat"]) in before
    assert str(stop["location"]["lat"]) not in after
    assert world.notes[case_id].casefold() not in after
    assert case_id not in database_values(world.database_url, skip="audit_log")
    for other in (world.kept, world.exported):
        assert address_of(world, other).casefold() in after
        assert world.notes[other].casefold() in after
    assert world.client.get(f"/cases/{case_id}/history").status_code == 404
    export = world.client.get(f"/data-subjects/{case_id}").json()
    assert export["plans"] == export["visits"] == export["outcomes"] == []
    assert address not in json.dumps(export["audit_entries"]).casefold()


def test_erased_plans_read_back_whole_but_the_case(world: World) -> None:
    case_id = world.erased
    world.client.delete(f"/data-subjects/{case_id}")  # again: nothing left, zeros
    for original in world.plans:
        response = world.client.get(f"/plans/{original['plan_id']}")
        assert response.status_code == 200, response.text
        plan = PlanResponse.model_validate(response.json()).model_dump(mode="json")
        expected = copy.deepcopy(original)
        for itinerary in expected["itineraries"]:
            stops = itinerary["stops"]
            at = [n for n, s in enumerate(stops) if s["case_id"] == case_id]
            if at:
                if at[0] + 1 < len(stops):
                    stops[at[0] + 1]["geometry"] = None
                else:
                    itinerary["return_geometry"] = None
                del stops[at[0]]
        expected["unassigned"] = [u for u in expected["unassigned"] if u["case_id"] != case_id]
        summary = expected["summary"]
        summary["cases"] -= 1
        summary["assigned"] = sum(len(i["stops"]) for i in expected["itineraries"])
        summary["unassigned"] = len(expected["unassigned"])
        summary["agents_used"] = sum(1 for i in expected["itineraries"] if i["stops"])
        for entry in expected["unassigned"]:
            entry["hints"] = [h for h in entry["hints"] if h.get("case_id") != case_id]
        compliance = expected["compliance"]
        compliance["excluded"] = [e for e in compliance["excluded"] if e["case_id"] != case_id]
        expected["history_effects"] = [
            e for e in expected["history_effects"] if e["case_id"] != case_id
        ]
        assert plan == expected
        evaluated = world.client.post(f"/plans/{original['plan_id']}/evaluate", json={"routes": []})
        assert evaluated.status_code == 200, evaluated.text


def test_erasing_an_unassigned_case_cuts_its_request_and_reason(world: World) -> None:
    plan_id = world.plans[0]["plan_id"]
    assert any(u["case_id"] == NOWHERE["id"] for u in world.plans[0]["unassigned"])
    erased = world.client.delete(f"/data-subjects/{NOWHERE['id']}").json()
    assert (erased["request_entries"], erased["unassigned"], erased["stops"]) == (2, 2, 0)
    plan = world.client.get(f"/plans/{plan_id}").json()
    assert NOWHERE["id"] not in {u["case_id"] for u in plan["unassigned"]}
    assert plan["summary"]["unassigned"] == len(plan["unassigned"])
    assert "nirgendwostrasse" not in database_text(world.database_url)


def test_the_erasure_is_audited_with_ids_and_counts_only(world: World) -> None:
    world.client.delete("/data-subjects/NO-SUCH-CASE")
    log = world.client.get("/audit", params={"action": "data_subject.erase"}).json()
    entry = next(e for e in log if e["target"] == "case NO-SUCH-CASE")
    assert entry["details"].pop("audit_entries_kept") >= 1  # this test's own export, too
    assert set(entry["details"].values()) == {0}
    for e in log:
        assert all(isinstance(v, int) for v in e["details"].values())
    for case_id, case in world.cases.items():
        assert case["address"].casefold() not in json.dumps(log).casefold()
        assert world.notes.get(case_id, "\0") not in json.dumps(log)


def test_only_admins_make_data_subject_requests(world: World) -> None:
    auditor = new_user(world.client, "auditor")
    assert world.client.get(f"/data-subjects/{world.kept}", headers=auditor).status_code == 403
    assert world.client.delete(f"/data-subjects/{world.kept}", headers=auditor).status_code == 403
    assert world.notes[world.kept].casefold() in database_text(world.database_url)


def test_a_too_long_case_id_is_named(world: World) -> None:
    response = world.client.get(f"/data-subjects/{'x' * 101}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "case_id"]


STOP = {"visit_id": "v", "location": {"lat": 47.0, "lon": 9.5}, "geometry": {"x": 1}}


def _plan_json() -> tuple[dict[str, Any], dict[str, Any]]:
    request = {"cases": [{"id": "C-1"}, {"id": "C-10"}, {"id": "C-2"}]}
    response = {
        "itineraries": [
            {
                "agent_id": "A-1",
                "stops": [STOP | {"case_id": "C-10"}, STOP | {"case_id": "C-1"}],
                "return_geometry": {"x": 2},
            }
        ],
        "unassigned": [
            {
                "case_id": "C-2",
                "value": 5.0,
                "hints": [{"kind": "drop_visit", "case_id": "C-1"}, {"kind": "extend_shift"}],
            }
        ],
        "summary": {"cases": 3, "assigned": 2, "unassigned": 1, "agents_used": 1},
        "compliance": {"excluded": [{"case_id": "C-1"}]},
        "history_effects": [{"case_id": "C-10"}, {"case_id": "C-1"}],
    }
    return request, response


def test_cutting_a_case_out_of_a_plan_touches_no_other_case() -> None:
    request, response = _plan_json()
    new_request, new_response, found = without_case(request, response, "C-1")
    assert (request, response) == _plan_json()  # the inputs are left as they were
    assert found.counts() == {
        "request_entries": 1,
        "stops": 1,
        "unassigned": 0,
        "exclusions": 1,
        "history_effects": 1,
        "hints": 1,
    }
    assert new_request == {"cases": [{"id": "C-10"}, {"id": "C-2"}]}
    itinerary = new_response["itineraries"][0]
    assert itinerary["stops"] == [STOP | {"case_id": "C-10"}]
    assert itinerary["return_geometry"] is None  # the way home started at C-1's door
    assert new_response["unassigned"][0]["hints"] == [{"kind": "extend_shift"}]
    assert new_response["summary"] == {
        "cases": 2,
        "assigned": 1,
        "unassigned": 1,
        "agents_used": 1,
        "lost_value": 5.0,
    }
    assert new_response["compliance"] == {"excluded": []}
    assert new_response["history_effects"] == [{"case_id": "C-10"}]
    assert not entries_of(new_request, new_response, "C-1")


def test_cutting_a_stop_blanks_only_the_leg_from_its_door() -> None:
    request, response = _plan_json()
    _, new_response, found = without_case(request, response, "C-10")
    assert [agent for agent, _ in found.stops] == ["A-1"]
    itinerary = new_response["itineraries"][0]
    assert itinerary["stops"] == [STOP | {"case_id": "C-1", "geometry": None}]
    assert itinerary["return_geometry"] == {"x": 2}


def test_a_request_without_the_case_still_validates() -> None:
    body = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    stored = PlanRequest.model_validate(body).model_dump(mode="json")
    new_request, _, found = without_case(stored, {}, "C-3")
    assert found.case is not None
    assert len(PlanRequest.model_validate(new_request).cases) == len(body["cases"]) - 1


@pytest.mark.postgres
def test_data_subject_requests_in_postgresql(postgres_url: str, settings: Settings) -> None:
    """Odd case ids (LIKE's wildcards, a non-ASCII letter, a prefix of another) are found
    and erased exactly, in PostgreSQL too."""
    sample = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    ids = ("C_1%", "Ä-1", "C-1", "C-10")
    cases = [case | {"id": case_id} for case, case_id in zip(sample["cases"], ids, strict=False)]
    body = sample | {"cases": cases, "options": {"time_limit_seconds": 0.5}}
    address = {case["id"]: case["address"].casefold() for case in cases}
    pg_settings = settings.model_copy(update={"database_url": postgres_url})
    with admin_client(create_app(pg_settings)) as client:
        plan = client.post("/plan", json=body).json()
        for case_id in ids:
            export = client.get(f"/data-subjects/{case_id}").json()
            assert [p["case"]["id"] for p in export["plans"]] == [case_id]
        for case_id in ("C_1%", "Ä-1", "C-1"):
            erased = client.delete(f"/data-subjects/{case_id}").json()
            assert (erased["plans_rewritten"], erased["request_entries"]) == (1, 1)
            assert address[case_id] not in database_text(postgres_url)
        assert address["C-10"] in database_text(postgres_url)
        left = client.get(f"/plans/{plan['plan_id']}").json()
        assert [c for i in left["itineraries"] for c in (s["case_id"] for s in i["stops"])] + [
            u["case_id"] for u in left["unassigned"]
        ] == ["C-10"]
