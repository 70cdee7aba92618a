"""Storage: the migrations match the tables, and PostgreSQL works by changing the URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from app.config import Settings
from app.db import Base, create_db_engine, migrate
from app.main import create_app
from tests.auth import admin_client, new_user
from tests.databases import fresh_postgres_database
from tests.feasibility import plan_violations


def test_migrations_create_exactly_the_declared_tables(tmp_path: Path) -> None:
    """Migrating an empty database gives the schema the ORM declares, nothing more or less."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


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
