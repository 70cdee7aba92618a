"""Users and their personal access tokens, in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.passwords import hash_password, verify_password
from app.auth.principal import Principal, Role
from app.db import AccessTokenRecord, UserRecord, as_utc
from app.errors import NotFoundError

TOKEN_PREFIX = "dsp_"
"""Personal access tokens read ``dsp_<id>_<secret>``: the prefix tells them from sign-in
tokens and lets secret scanners find leaked ones."""
_LAST_USED_EVERY = dt.timedelta(minutes=5)


class UsernameTakenError(Exception):
    """Another user has this username."""


@dataclass(frozen=True)
class UserInfo:
    """A user as admins see it (never the password hash)."""

    id: str
    username: str
    role: Role
    team: str | None
    agent_id: str | None
    active: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class TokenInfo:
    """A personal access token, without its secret."""

    id: str
    user_id: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``secret`` is the whole token, shown to its owner this once."""

    info: TokenInfo
    secret: str


def _secret_hash(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 is enough (no dictionary to try).
    return hashlib.sha256(secret.encode()).hexdigest()


def _user_info(record: UserRecord) -> UserInfo:
    return UserInfo(
        id=record.id,
        username=record.username,
        role=record.role,  # type: ignore[arg-type]  # checked on the way in
        team=record.team,
        agent_id=record.agent_id,
        active=record.active,
        created_at=as_utc(record.created_at),
    )


def _token_info(record: AccessTokenRecord) -> TokenInfo:
    return TokenInfo(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        created_at=as_utc(record.created_at),
        expires_at=as_utc(record.expires_at),
        revoked_at=record.revoked_at and as_utc(record.revoked_at),
        last_used_at=record.last_used_at and as_utc(record.last_used_at),
    )


def _principal(record: UserRecord, token_id: str | None = None) -> Principal:
    return Principal(
        user_id=record.id,
        username=record.username,
        role=record.role,  # type: ignore[arg-type]
        team=record.team,
        agent_id=record.agent_id,
        token_id=token_id,
    )


class UserStore:
    """Users and tokens in whatever database ``engine`` points at."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count(self) -> int:
        """How many users there are."""
        with Session(self._engine) as session:
            return session.scalar(select(func.count()).select_from(UserRecord)) or 0

    def create(
        self,
        username: str,
        role: Role,
        *,
        password: str | None = None,
        team: str | None = None,
        agent_id: str | None = None,
    ) -> UserInfo:
        """Add a user.

        Raises
        ------
        UsernameTakenError
            If the username is taken.
        """
        record = UserRecord(
            id=str(uuid.uuid4()),
            username=username,
            password_hash=hash_password(password) if password else None,
            role=role,
            team=team,
            agent_id=agent_id,
            active=True,
            created_at=dt.datetime.now(dt.UTC),
        )
        try:
            with Session(self._engine, expire_on_commit=False) as session, session.begin():
                session.add(record)
        except IntegrityError as exc:
            raise UsernameTakenError(username) from exc
        return _user_info(record)

    def all(self) -> list[UserInfo]:
        """Every user, by username."""
        with Session(self._engine) as session:
            records = session.scalars(select(UserRecord).order_by(UserRecord.username))
            return [_user_info(r) for r in records]

    def get(self, user_id: str) -> UserInfo:
        """One user. Raises NotFoundError if there is none."""
        with Session(self._engine) as session:
            return _user_info(self._record(session, user_id))

    def update(
        self,
        user_id: str,
        *,
        role: Role | None = None,
        team: str | None = None,
        agent_id: str | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> UserInfo:
        """Change what is given (None leaves a field). Raises NotFoundError."""
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            record = self._record(session, user_id)
            if role is not None:
                record.role = role
            if team is not None:
                record.team = team
            if agent_id is not None:
                record.agent_id = agent_id
            if active is not None:
                record.active = active
            if password is not None:
                record.password_hash = hash_password(password)
            return _user_info(record)

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The active user with this username and password, else None."""
        with Session(self._engine) as session:
            record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        matches = verify_password(record.password_hash if record else None, password)
        if record is None or not matches or not record.active:
            return None
        return _principal(record)

    def principal(self, user_id: str) -> Principal | None:
        """The active user ``user_id`` as a caller, else None."""
        with Session(self._engine) as session:
            record = session.get(UserRecord, user_id)
        return _principal(record) if record is not None and record.active else None

    def issue_token(self, user_id: str, name: str, lifetime: dt.timedelta) -> IssuedToken:
        """A new personal access token for the user. Raises NotFoundError."""
        token_id = secrets.token_hex(8)
        secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = dt.datetime.now(dt.UTC)
        record = AccessTokenRecord(
            id=token_id,
            user_id=user_id,
            name=name,
            secret_hash=_secret_hash(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            self._record(session, user_id)
            session.add(record)
        return IssuedToken(info=_token_info(record), secret=secret)

    def tokens(self, user_id: str | None = None) -> list[TokenInfo]:
        """The user's tokens (every user's if None), newest first."""
        query = select(AccessTokenRecord).order_by(AccessTokenRecord.created_at.desc())
        if user_id is not None:
            query = query.where(AccessTokenRecord.user_id == user_id)
        with Session(self._engine) as session:
            return [_token_info(r) for r in session.scalars(query)]

    def token(self, token_id: str) -> TokenInfo:
        """One token. Raises NotFoundError."""
        with Session(self._engine) as session:
            record = session.get(AccessTokenRecord, token_id)
            if record is None:
                msg = f"no token {token_id!r}"
                raise NotFoundError(msg)
            return _token_info(record)

    def revoke_token(self, token_id: str) -> TokenInfo:
        """Revoke a token for good (again: no change). Raises NotFoundError."""
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            record = session.get(AccessTokenRecord, token_id)
            if record is None:
                msg = f"no token {token_id!r}"
                raise NotFoundError(msg)
            record.revoked_at = record.revoked_at or dt.datetime.now(dt.UTC)
            return _token_info(record)

    def principal_for_token(self, secret: str) -> Principal | None:
        """The caller a personal access token stands for, if it is valid, unrevoked and
        unexpired and its user active; else None."""
        token_id = secret.removeprefix(TOKEN_PREFIX).split("_", 1)[0]
        now = dt.datetime.now(dt.UTC)
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            token = session.get(AccessTokenRecord, token_id)
            if (
                token is None
                or not secrets.compare_digest(token.secret_hash, _secret_hash(secret))
                or token.revoked_at is not None
                or as_utc(token.expires_at) <= now
            ):
                return None
            user = session.get(UserRecord, token.user_id)
            if user is None or not user.active:
                return None
            last_used = token.last_used_at and as_utc(token.last_used_at)
            if last_used is None or now - last_used > _LAST_USED_EVERY:
                token.last_used_at = now
            return _principal(user, token_id)

    @staticmethod
    def _record(session: Session, user_id: str) -> UserRecord:
        record = session.get(UserRecord, user_id)
        if record is None:
            msg = f"no user {user_id!r}"
            raise NotFoundError(msg)
        return record
