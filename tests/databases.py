"""The database a test's app runs on: SQLite (the embedded default) or, with
``DOORSTEP_TEST_DATABASE=postgresql``, a fresh PostgreSQL database per use on the server named
by ``DOORSTEP_TEST_POSTGRES_URL`` (production's database; scripts/test.sh runs the storage
tests on both)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("DOORSTEP_TEST_POSTGRES_URL")
ON_POSTGRES = os.environ.get("DOORSTEP_TEST_DATABASE") == "postgresql"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("DOORSTEP_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)")
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"doorstep_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@contextmanager
def database_for_test(folder: Path) -> Iterator[str]:
    """The URL of an empty database for one app: PostgreSQL when the run asks for it, else
    SQLite in ``folder``."""
    if ON_POSTGRES:
        with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'doorstep.db'}"
