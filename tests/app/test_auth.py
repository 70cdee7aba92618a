"""Signing in, personal access tokens, users, rate limits and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import stat
from typing import Any

import jwt
import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from app.auth import UserStore
from app.config import Settings
from app.main import create_app
from tests.auth import PASSWORD, admin_client, bearer, new_user


def _users(client: TestClient) -> UserStore:
    users: UserStore = client.app.state.users  # type: ignore[attr-defined]
    return users


def _sign_in(client: TestClient, username: str, password: str) -> Any:
    return client.post("/auth/token", data={"username": username, "password": password})


def test_sign_in_gives_a_short_lived_token_that_works(client: TestClient) -> None:
    new_user(client, "planner", team="vaduz", username="paula")
    answer = _sign_in(client, "paula", PASSWORD)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    me = client.get("/auth/me", headers=bearer(body["access_token"])).json()
    assert (me["username"], me["role"], me["team"]) == ("paula", "planner", "vaduz")


@pytest.mark.parametrize(
    ("username", "password"), [("paula", "wrong password!"), ("nobody", PASSWORD)]
)
def test_a_wrong_password_or_user_is_401_and_audited(
    client: TestClient, username: str, password: str
) -> None:
    new_user(client, "planner", team="vaduz", username="paula")
    answer = _sign_in(client, username, password)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "wrong username or password"  # the same either way
    failed = client.get("/audit", params={"action": "auth.sign_in", "outcome": "failed"}).json()
    assert [(e["actor_name"], e["actor_id"]) for e in failed] == [(username, None)]


def test_expired_forged_and_foreign_tokens_are_refused(client: TestClient) -> None:
    new_user(client, "planner", team="vaduz", username="paula")
    user_id = _users(client).authenticate("paula", PASSWORD).user_id  # type: ignore[union-attr]
    secret: str = client.app.state.jwt_secret  # type: ignore[attr-defined]
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": user_id, "aud": "doorstep", "iat": now}
    good = jwt.encode(claims | {"exp": now + dt.timedelta(minutes=5)}, secret, "HS256")
    expired = jwt.encode(claims | {"exp": now - dt.timedelta(seconds=1)}, secret, "HS256")
    forged = jwt.encode(
        claims | {"exp": now + dt.timedelta(minutes=5)},
        "a guessed secret, long enough for HS256",
        "HS256",
    )
    unsigned = jwt.encode(claims | {"exp": now + dt.timedelta(minutes=5)}, None, "none")
    assert client.get("/auth/me", headers=bearer(good)).status_code == 200
    for token in (expired, forged, unsigned, "dsp_0123456789abcdef_nope", "garbage"):
        assert client.get("/auth/me", headers=bearer(token)).status_code == 401, token


def test_a_personal_token_is_shown_once_stored_hashed_and_revocable(
    client: TestClient, settings: Settings
) -> None:
    created = client.post("/auth/tokens", json={"name": "nightly import", "expires_in_days": 7})
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith("dsp_")
    expires = dt.datetime.fromisoformat(token["expires_at"])
    assert dt.timedelta(days=6, hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(7)
    listed = client.get("/auth/tokens").json()
    assert "token" not in next(t for t in listed if t["id"] == token["id"])
    with sqlalchemy.create_engine(settings.database_url).connect() as db:
        stored = db.execute(sqlalchemy.text("SELECT * FROM access_tokens")).all()
    assert token["token"] not in json.dumps([list(map(str, row)) for row in stored])

    headers = bearer(token["token"])
    assert client.get("/auth/me", headers=headers).status_code == 200
    assert client.delete(f"/auth/tokens/{token['id']}").json()["revoked_at"] is not None
    assert client.get("/auth/me", headers=headers).status_code == 401


def test_expired_tokens_and_switched_off_users_are_refused(client: TestClient) -> None:
    users = _users(client)
    user = users.create("ed", "auditor", password=PASSWORD)
    stale = users.issue_token(user.id, "old", dt.timedelta(seconds=-1))
    fresh = users.issue_token(user.id, "new", dt.timedelta(days=1))
    assert client.get("/auth/me", headers=bearer(stale.secret)).status_code == 401
    assert client.get("/auth/me", headers=bearer(fresh.secret)).status_code == 200
    assert client.patch(f"/users/{user.id}", json={"active": False}).status_code == 200
    assert client.get("/auth/me", headers=bearer(fresh.secret)).status_code == 401
    assert _sign_in(client, "ed", PASSWORD).status_code == 401


def test_a_token_longer_than_allowed_is_422(client: TestClient) -> None:
    answer = client.post("/auth/tokens", json={"name": "x", "expires_in_days": 3000})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "expires_in_days"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"role": "planner"}, ["body"]),  # a planner needs a team
        ({"role": "agent"}, ["body"]),  # an agent user needs an agent id
        ({"password": "short"}, ["body", "password"]),
        ({"role": "superuser"}, ["body", "role"]),
        ({"username": "admin"}, ["body", "username"]),  # taken
        ({"is_admin": True}, ["body", "is_admin"]),  # unknown fields are refused
    ],
)
def test_bad_users_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], loc: list[str]
) -> None:
    valid = {"username": "newbie", "password": PASSWORD, "role": "auditor"}
    answer = client.post("/users", json=valid | body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == loc


def test_a_planner_moved_to_another_team_loses_the_old_teams_plans(
    client: TestClient, sample_request: dict[str, Any]
) -> None:
    headers = new_user(client, "planner", team="vaduz", username="paula")
    body = sample_request | {"cases": sample_request["cases"][:5]}
    plan_id = client.post("/plan", json=body, headers=headers).json()["plan_id"]
    assert client.get(f"/plans/{plan_id}", headers=headers).status_code == 200
    user_id = next(u["id"] for u in client.get("/users").json() if u["username"] == "paula")
    client.patch(f"/users/{user_id}", json={"team": "schaan"})
    assert client.get(f"/plans/{plan_id}", headers=headers).status_code == 404


def test_rate_limits_per_token_and_for_sign_in(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit": "3/minute"})
    with admin_client(create_app(limited)) as client:
        other = new_user(client, "auditor", username="ann")
        answers = [client.get("/auth/me").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        too_many = client.get("/auth/me")
        assert int(too_many.headers["Retry-After"]) >= 1
        assert client.get("/auth/me", headers=other).status_code == 200  # its own budget
        attempts = [_sign_in(client, "ann", "not it at all").status_code for _ in range(11)]
        assert attempts == [401] * 10 + [429]
        assert _sign_in(client, "ann", PASSWORD).status_code == 429  # even the right one


def test_the_first_run_makes_an_admin_with_a_private_password_file(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        password_file = settings.var_dir / "initial-admin-password"
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((settings.var_dir / "jwt-secret").stat().st_mode) == 0o600
        token = _sign_in(client, "admin", password_file.read_text().strip()).json()
        me = client.get("/auth/me", headers=bearer(token["access_token"])).json()
        assert me["role"] == "admin"
    password_file.unlink()
    with TestClient(create_app(settings)) as client:  # users exist: no second admin
        assert not password_file.exists()
        assert _users(client).count() == 1


def test_the_flow_is_in_the_audit_log(client: TestClient, sample_request: dict[str, Any]) -> None:
    planner = new_user(client, "planner", team="vaduz", username="paula")
    _sign_in(client, "paula", PASSWORD)
    body = sample_request | {"cases": sample_request["cases"][:5], "date": "2026-11-18"}
    plan = client.post("/plan", json=body, headers=planner).json()
    plan_id = plan["plan_id"]
    client.post(f"/plans/{plan_id}/publish", headers=planner)
    stop = plan["itineraries"][0]["stops"][0]
    outcome = {"outcome": "met", "occurred_at": stop["service_start"]}
    recorded = client.post(f"/visits/{stop['visit_id']}/outcome", json=outcome, headers=planner)
    assert recorded.status_code == 201, recorded.text
    agent_id = plan["itineraries"][0]["agent_id"]
    client.get(f"/plans/{plan_id}/itineraries/{agent_id}.csv", headers=planner)
    by_action = {e["action"]: e for e in client.get("/audit").json() if e["actor_name"] == "paula"}
    assert {"auth.sign_in", "plan.create", "plan.publish", "outcome.record", "plan.export"} <= set(
        by_action
    )
    assert by_action["plan.create"]["target"] == f"plan {plan_id}"
    assert by_action["plan.create"]["details"] == {"cases": 5, "agents": len(body["agents"])}
    assert by_action["plan.export"]["details"] == {"format": "csv"}


def test_the_audit_log_refuses_updates(client: TestClient, settings: Settings) -> None:
    _sign_in(client, "admin", "not the password")
    engine = sqlalchemy.create_engine(settings.database_url)
    with engine.begin() as db:
        assert db.execute(sqlalchemy.text("SELECT count(*) FROM audit_log")).scalar_one() > 0
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), engine.begin() as db:
        db.execute(sqlalchemy.text("UPDATE audit_log SET action = 'nothing'"))


def test_passwords_are_stored_as_argon2_hashes(client: TestClient, settings: Settings) -> None:
    new_user(client, "auditor", username="ann")
    with sqlalchemy.create_engine(settings.database_url).connect() as db:
        (stored,) = db.execute(
            sqlalchemy.text("SELECT password_hash FROM users WHERE username = 'ann'")
        ).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
