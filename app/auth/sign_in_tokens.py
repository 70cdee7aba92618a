"""Short-lived signed tokens (JWT, HS256) that the pages get at sign-in."""

from __future__ import annotations

import datetime as dt

import jwt

_ALGORITHM = "HS256"
_AUDIENCE = "doorstep"


def issue(user_id: str, secret: str, lifetime: dt.timedelta) -> str:
    """A token naming ``user_id`` that expires after ``lifetime``."""
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": user_id, "aud": _AUDIENCE, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def user_id_of(token: str, secret: str) -> str | None:
    """The user a valid, unexpired token names; None for anything else."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], audience=_AUDIENCE, options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
