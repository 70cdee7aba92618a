"""Request and response bodies of sign-in, tokens, users and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.auth import Role
from app.schemas import Identifier, StrictModel

Username = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")]
Password = Annotated[
    str, Field(min_length=12, max_length=256, description="12 characters or more.")
]
TeamName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class SignInOut(BaseModel):
    """A sign-in token (OAuth2's own field names: ``expires_in`` is in seconds)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the token lasts.")


class UserOut(BaseModel):
    """A user; never the password."""

    id: str
    username: str
    role: Role
    team: str | None
    agent_id: str | None
    active: bool
    created_at: dt.datetime


class MeOut(BaseModel):
    """The caller."""

    id: str
    username: str
    role: Role
    team: str | None
    agent_id: str | None


def check_role_scope(role: Role | None, team: str | None, agent_id: str | None) -> None:
    """Raise ValueError unless a planner has a team and an agent user an agent id."""
    if role == "planner" and team is None:
        msg = "a planner needs a team"
        raise ValueError(msg)
    if role == "agent" and agent_id is None:
        msg = "an agent user needs agent_id: the agent id their plans use"
        raise ValueError(msg)


class UserIn(StrictModel):
    """Body of ``POST /users``."""

    username: Username
    password: Password
    role: Role
    team: TeamName | None = Field(default=None, description="A planner's team or branch.")
    agent_id: Identifier | None = Field(default=None, description="An agent user's agent id.")

    @model_validator(mode="after")
    def _scope_fits_role(self) -> UserIn:
        check_role_scope(self.role, self.team, self.agent_id)
        return self


class UserPatchIn(StrictModel):
    """Body of ``PATCH /users/{user_id}``: only what changes."""

    role: Role | None = None
    team: TeamName | None = None
    agent_id: Identifier | None = None
    active: bool | None = None
    password: Password | None = None


class PersonalTokenIn(StrictModel):
    """Body of ``POST /auth/tokens``."""

    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    expires_in_days: int = Field(default=90, ge=1, le=3650)


class PersonalTokenOut(BaseModel):
    """A personal access token, without its secret."""

    id: str
    user_id: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class IssuedTokenOut(PersonalTokenOut):
    """A new token: ``token`` is shown this once and never again."""

    token: str


class AuditEntryOut(BaseModel):
    """One audit log entry."""

    id: int
    at: dt.datetime
    actor_id: str | None
    actor_name: str | None
    actor_role: str | None
    action: str
    target: str | None
    outcome: Literal["ok", "denied", "failed"]
    client: str | None
    details: dict[str, Any] | None
