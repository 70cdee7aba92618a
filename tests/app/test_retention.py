"""The retention purge: rows just past their class's retention go, rows just inside it stay,
a plan stays while its visits have outcomes, a dry run changes nothing, every run is
audited, and `doorstep purge` prints the counts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import retention
from app.config import Settings
from app.db import (
    AccessTokenRecord,
    AuditRecord,
    Base,
    PlanAgentRecord,
    PlanRecord,
    PlanVisitRecord,
    UserRecord,
    VisitOutcomeRecord,
    create_db_engine,
    migrate,
)
from app.retention import PURGE_ACTOR, purge
from tests.conftest import DATA_DIR

NOW = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
NOTE = "told the neighbour about the debt"  # personal data: never in a report
PLANS: dict[str, tuple[int, dict[str, int | None]]] = {
    # plan id: (days since made, {visit id: days since its outcome was recorded, or None})
    "fresh": (399, {"v-fresh": 10}),
    "free": (401, {"v-free-1": None, "v-free-2": None}),
    "held": (500, {"v-held": 450, "v-held-old": 1096}),
    "released": (1200, {"v-released": 1100}),
}
TOKENS: dict[str, tuple[int, int | None]] = {
    # token id: (days since it expires (negative: in the future), days since revoked)
    "valid": (-10, None),
    "expired-recently": (89, None),
    "expired-long-ago": (91, None),
    "revoked-long-ago": (-100, 91),
    "revoked-recently": (-100, 1),
}
AUDIT_DAYS = (2191, 2189, 0)
EXPECTED = {
    "outcomes": ({"visit_outcomes": 2}, {}),
    "plans": (
        {"plans": 2, "plan_agents": 2, "plan_visits": 3},
        {"plans_with_outcomes_in_retention": 1},
    ),
    "access_tokens": ({"access_tokens": 2}, {}),
    "audit_log": ({"audit_log": 1}, {}),
}


def add_rows(engine: Engine, now: dt.datetime) -> None:
    """Plans, visits, outcomes, tokens and audit entries at known ages before ``now``."""

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    with Session(engine) as session, session.begin():
        for plan_id, (days, visits) in PLANS.items():
            date = ago(days).date()
            session.add(
                PlanRecord(
                    id=plan_id,
                    date=date,
                    region="liechtenstein",
                    created_at=ago(days),
                    request={"cases": [{"id": f"C-{plan_id}", "address": "Städtle 1, Vaduz"}]},
                    response={},
                )
            )
            session.flush()
            session.add(
                PlanAgentRecord(plan_id=plan_id, agent_id="A-1", date=date, created_at=ago(days))
            )
            for visit_id, outcome_days in visits.items():
                session.add(
                    PlanVisitRecord(
                        visit_id=visit_id,
                        plan_id=plan_id,
                        case_id=f"C-{plan_id}",
                        agent_id="A-1",
                        region="liechtenstein",
                        date=date,
                        service_start=ago(days),
                        place="städtle 1, vaduz",
                    )
                )
                session.flush()
                if outcome_days is not None:
                    session.add(
                        VisitOutcomeRecord(
                            id=f"o-{visit_id}",
                            visit_id=visit_id,
                            case_id=f"C-{plan_id}",
                            agent_id="A-1",
                            region="liechtenstein",
                            place="städtle 1, vaduz",
                            outcome="not_home",
                            occurred_at=ago(outcome_days),
                            recorded_at=ago(outcome_days),
                            notes=NOTE,
                        )
                    )
        session.add(
            UserRecord(
                id="u-1",
                username="someone",
                role="planner",
                team="vaduz",
                active=True,
                created_at=ago(1000),
            )
        )
        session.flush()
        for token_id, (expired_days, revoked_days) in TOKENS.items():
            session.add(
                AccessTokenRecord(
                    id=token_id,
                    user_id="u-1",
                    name=token_id,
                    secret_hash="0" * 64,
                    created_at=ago(1000),
                    expires_at=ago(expired_days),
                    revoked_at=None if revoked_days is None else ago(revoked_days),
                )
            )
        for days in AUDIT_DAYS:
            session.add(
                AuditRecord(at=ago(days), action=f"test.{days}", outcome="ok", target="case C-x")
            )


def ids(engine: Engine) -> dict[str, set[Any]]:
    """The ids left in each purged table."""
    with Session(engine) as session:
        return {
            "plans": set(session.scalars(select(PlanRecord.id))),
            "plan_agents": set(session.scalars(select(PlanAgentRecord.plan_id))),
            "plan_visits": set(session.scalars(select(PlanVisitRecord.visit_id))),
            "visit_outcomes": set(session.scalars(select(VisitOutcomeRecord.visit_id))),
            "access_tokens": set(session.scalars(select(AccessTokenRecord.id))),
            "audit_log": set(session.scalars(select(AuditRecord.action))),
        }


def every_row(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    with engine.connect() as connection:
        return {
            table.name: sorted(str(tuple(row)) for row in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def counts(report_counts: dict[str, Any]) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    return {name: (c["deleted"], c["kept"]) for name, c in report_counts["classes"].items()}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database: SQLite, and PostgreSQL where the suite has one."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'retention.db'}"
    db_engine = create_db_engine(url)
    migrate(db_engine)
    yield db_engine
    db_engine.dispose()


def test_purge_deletes_exactly_what_is_past_retention(engine: Engine, settings: Settings) -> None:
    add_rows(engine, NOW)
    report = purge(engine, settings, NOW)
    assert counts(report.counts()) == EXPECTED
    assert ids(engine) == {
        "plans": {"fresh", "held"},
        "plan_agents": {"fresh", "held"},
        "plan_visits": {"v-fresh", "v-held", "v-held-old"},
        "visit_outcomes": {"v-fresh", "v-held"},
        "access_tokens": {"valid", "expired-recently", "revoked-recently"},
        "audit_log": {"test.2189", "test.0", "retention.purge"},
    }


def test_a_plan_goes_in_the_first_purge_after_its_last_outcome(
    engine: Engine, settings: Settings
) -> None:
    add_rows(engine, NOW)
    purge(engine, settings, NOW)
    again = purge(engine, settings, NOW)
    assert counts(again.counts())["plans"] == (
        {"plans": 0, "plan_agents": 0, "plan_visits": 0},
        {"plans_with_outcomes_in_retention": 1},
    )
    later = purge(engine, settings, NOW + dt.timedelta(days=700))  # v-held's outcome: 1150 days
    assert counts(later.counts())["outcomes"] == ({"visit_outcomes": 1}, {})
    assert counts(later.counts())["plans"] == (
        {"plans": 1, "plan_agents": 1, "plan_visits": 2},
        {"plans_with_outcomes_in_retention": 1},  # fresh: past 400 days, its outcome is not
    )
    assert ids(engine)["plans"] == {"fresh"}


def test_each_class_has_its_own_retention(engine: Engine, settings: Settings) -> None:
    add_rows(engine, NOW)
    longer = settings.model_copy(
        update={
            "retention_plans_days": 5000,
            "retention_outcomes_days": 5000,
            "retention_access_tokens_days": 1,
            "retention_audit_log_days": 1,
        }
    )
    report = purge(engine, longer, NOW)
    assert counts(report.counts()) == {
        "outcomes": ({"visit_outcomes": 0}, {}),
        "plans": (
            {"plans": 0, "plan_agents": 0, "plan_visits": 0},
            {"plans_with_outcomes_in_retention": 0},
        ),
        "access_tokens": ({"access_tokens": 3}, {}),
        "audit_log": ({"audit_log": 2}, {}),
    }
    assert ids(engine)["access_tokens"] == {"valid", "revoked-recently"}  # revoked at the cutoff


def test_a_dry_run_counts_the_same_and_changes_nothing(engine: Engine, settings: Settings) -> None:
    add_rows(engine, NOW)
    before = every_row(engine)
    report = purge(engine, settings, NOW, dry_run=True)
    assert report.dry_run
    assert counts(report.counts()) == EXPECTED
    after = every_row(engine)
    assert {name: rows for name, rows in after.items() if name != "audit_log"} == {
        name: rows for name, rows in before.items() if name != "audit_log"
    }
    assert set(before["audit_log"]) < set(after["audit_log"])  # only the run's own entry
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1


def test_every_run_is_audited_with_counts_only(engine: Engine, settings: Settings) -> None:
    add_rows(engine, NOW)
    for dry_run in (True, False):
        report = purge(engine, settings, NOW, dry_run=dry_run)
        with Session(engine) as session:
            entry = session.scalars(
                select(AuditRecord)
                .where(AuditRecord.action == "retention.purge")
                .order_by(AuditRecord.id.desc())
            ).first()
        assert entry is not None
        assert entry.actor_name == PURGE_ACTOR
        assert entry.details == report.counts()
        assert entry.details is not None
        assert entry.details["dry_run"] is dry_run
        assert NOTE not in json.dumps(entry.details)
        assert "städtle" not in json.dumps(entry.details, ensure_ascii=False).casefold()


def test_now_must_be_aware(engine: Engine, settings: Settings) -> None:
    with pytest.raises(ValueError, match="aware"):
        purge(engine, settings, NOW.replace(tzinfo=None))


def test_what_the_api_stored_goes_once_past_retention(client: TestClient) -> None:
    """A plan and an outcome made through the API, purged 3 years and a day later."""
    body: dict[str, Any] = json.loads((DATA_DIR / "samples" / "plan-request.json").read_text())
    date = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)  # outcomes are in the past
    body |= {
        "date": date.isoformat(),
        "cases": body["cases"][:3],
        "options": {"time_limit_seconds": 0.5},
    }
    plan = client.post("/plan", json=body).json()
    stop = plan["itineraries"][0]["stops"][0]
    outcome = {"outcome": "not_home", "occurred_at": stop["service_start"], "notes": NOTE}
    assert client.post(f"/visits/{stop['visit_id']}/outcome", json=outcome).status_code == 201
    state = client.app.state  # type: ignore[attr-defined]
    engine: Engine = state.store._engine
    now = dt.datetime.now(dt.UTC)
    keep_tokens = state.settings.model_copy(update={"retention_access_tokens_days": 36_500})
    purge(engine, keep_tokens, now + dt.timedelta(days=1000))
    assert client.get(f"/plans/{plan['plan_id']}").status_code == 200  # held by its outcome
    report = purge(engine, keep_tokens, now + dt.timedelta(days=1096))
    assert counts(report.counts())["outcomes"] == ({"visit_outcomes": 1}, {})
    assert counts(report.counts())["plans"][0]["plans"] == 1
    assert client.get(f"/plans/{plan['plan_id']}").status_code == 404
    assert client.get(f"/cases/{stop['case_id']}/history").status_code == 404


def test_retention_settings_are_at_least_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    assert (
        defaults.retention_plans_days,
        defaults.retention_outcomes_days,
        defaults.retention_audit_log_days,
        defaults.retention_access_tokens_days,
    ) == (400, 1095, 2190, 90)
    monkeypatch.setenv("DOORSTEP_RETENTION_OUTCOMES_DAYS", "30")
    assert Settings().retention_outcomes_days == 30
    monkeypatch.setenv("DOORSTEP_RETENTION_AUDIT_LOG_DAYS", "0")
    with pytest.raises(ValidationError, match="retention_audit_log_days"):
        Settings()


def _run_purge(database_url: str, var_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_VAR_DIR": str(var_dir),
        "DOORSTEP_DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "purge", *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_purge_command_prints_the_counts(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'doorstep.db'}"
    engine = create_db_engine(database_url)
    migrate(engine)
    add_rows(engine, dt.datetime.now(dt.UTC))
    before = every_row(engine)
    dry = _run_purge(database_url, tmp_path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    printed = json.loads(dry.stdout)
    assert printed["dry_run"] is True
    assert counts(printed) == EXPECTED
    assert every_row(engine)["plans"] == before["plans"]
    done = _run_purge(database_url, tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["dry_run"] is False
    assert counts(printed) == EXPECTED
    assert printed["classes"]["plans"]["retention_days"] == 400
    assert ids(engine)["plans"] == {"fresh", "held"}
    for output in (dry.stdout, done.stdout):
        assert NOTE not in output
        assert "städtle" not in output.casefold()
    engine.dispose()


def test_a_failed_run_is_audited_with_what_it_did(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Classes are committed one by one: when plans fail, the outcomes already went, and the
    audit entry says so."""
    add_rows(engine, NOW)

    def broken(_session: Session, _cutoff: dt.datetime) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setitem(retention._PURGERS, "plans", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        purge(engine, settings, NOW)
    assert ids(engine)["visit_outcomes"] == {"v-fresh", "v-held"}
    assert ids(engine)["plans"] == set(PLANS)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "retention.purge")
        ).one()
    assert entry.outcome == "failed"
    assert entry.details is not None
    assert counts(entry.details) == {"outcomes": EXPECTED["outcomes"]}
