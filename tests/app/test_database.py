"""Storage: the migrations match the tables, and PostgreSQL works by changing the URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from app.config import Settings
from app.db import MIGRATIONS_DIR, Base, create_db_engine, migrate
from app.main import create_app
from tests.auth import admin_client, new_user
from tests.feasibility import plan_violations


def test_migrations_create_exactly_the_declared_tables(tmp_path: Path) -> None:
    """Migrating an empty database gives the schema the ORM declares, nothing more or less."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.mark.postgres
def test_migrations_from_empty_match_the_tables_on_postgresql(postgres_url: str) -> None:
    engine = create_db_engine(postgres_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_plans_are_stored_in_postgresql(
    postgres_url: str, settings: Settings, sample_request: dict[str, Any]
) -> None:
    """With a PostgreSQL URL, migrations run from empty and a plan reads back after the app
    is created anew."""
    pg_settings = settings.model_copy(update={"database_url": postgres_url})
    with admin_client(create_app(pg_settings)) as client:
        plan = client.post("/plan", json=sample_request).json()
    assert plan_violations(sample_request, plan) == []
    with admin_client(create_app(pg_settings)) as client:
        assert client.get(f"/plans/{plan['plan_id']}").json() == plan
        itinerary = client.get("/itinerary/A-1", params={"date": plan["date"]}).json()
        assert itinerary["plan_id"] == plan["plan_id"]


@pytest.mark.postgres
def test_postgresql_keeps_the_audit_log_append_only_and_scopes_plans(
    postgres_url: str, settings: Settings, sample_request: dict[str, Any]
) -> None:
    """The trigger refuses updates of the audit log; a planner's plan is their team's."""
    pg_settings = settings.model_copy(update={"database_url": postgres_url})
    body = sample_request | {"cases": sample_request["cases"][:5]}
    with admin_client(create_app(pg_settings)) as client:
        planner = new_user(client, "planner", team="vaduz")
        other = new_user(client, "planner", team="schaan")
        plan_id = client.post("/plan", json=body, headers=planner).json()["plan_id"]
        assert client.get(f"/plans/{plan_id}", headers=planner).status_code == 200
        assert client.get(f"/plans/{plan_id}", headers=other).status_code == 404
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            logged = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
            assert logged >= 3
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET outcome = 'ok'"))
    finally:
        engine.dispose()


def _alembic(engine: Engine, action: Literal["upgrade", "downgrade"], revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _indexes(engine: Engine, table: str) -> set[str | None]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_retention_indexes_migrate_up_and_down_keeping_the_data(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """0005 only adds indexes: a database of 0004 with a plan in it goes up, down and up
    again, the plan still there."""
    url = (
        request.getfixturevalue("postgres_url")
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'old.db'}"
    )
    engine = create_db_engine(url)
    _alembic(engine, "upgrade", "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plans (id, date, region, created_at, request, response) "
                "VALUES ('p-1', '2026-11-18', 'liechtenstein', '2026-11-17 10:00:00+00', "
                "'{}', '{}')"
            )
        )
    added = {"ix_visit_outcomes_recorded_at", "ix_visit_outcomes_visit_id"}
    assert not added & _indexes(engine, "visit_outcomes")
    migrate(engine)
    assert added <= _indexes(engine, "visit_outcomes")
    assert "ix_plans_created_at" in _indexes(engine, "plans")
    _alembic(engine, "downgrade", "0004")
    assert not added & _indexes(engine, "visit_outcomes")
    assert "ix_plans_created_at" not in _indexes(engine, "plans")
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM plans")).scalars().all() == ["p-1"]
        if backend == "sqlite":  # the declared schema, exactly (as from empty)
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
