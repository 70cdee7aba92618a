"""Users and tokens for tests: a caller of each role, made through the app's own store."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth import Role, UserStore

PASSWORD = "correct horse battery staple"


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}


def new_user(
    client: TestClient,
    role: Role,
    *,
    team: str | None = None,
    agent_id: str | None = None,
    username: str | None = None,
) -> dict[str, str]:
    """Add a user of ``role`` (password ``PASSWORD``) and return a header with a personal
    access token of theirs."""
    users: UserStore = client.app.state.users  # type: ignore[attr-defined]
    user = users.create(
        username or f"{role}-{uuid.uuid4().hex[:8]}",
        role,
        password=PASSWORD,
        team=team,
        agent_id=agent_id,
    )
    return bearer(users.issue_token(user.id, "tests", dt.timedelta(days=1)).secret)


@contextmanager
def admin_client(app: FastAPI, **options: Any) -> Iterator[TestClient]:
    """A client of ``app`` (lifespan running) signed in as a new admin."""
    with TestClient(app, **options) as client:
        client.headers.update(new_user(client, "admin"))
        yield client
