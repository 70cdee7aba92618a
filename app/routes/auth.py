"""Signing in, the caller, and the caller's personal access tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.access import AnyRole, audit, client_address, too_many
from app.auth import TokenInfo, sign_in_tokens
from app.auth_schemas import IssuedTokenOut, MeOut, PersonalTokenIn, PersonalTokenOut, SignInOut
from app.deps import RateLimitsDep, SettingsDep, UsersDep
from app.errors import NotFoundError, PlanInputError

router = APIRouter(tags=["auth"])


def token_out(info: TokenInfo) -> PersonalTokenOut:
    """A token's public fields."""
    return PersonalTokenOut(**dataclasses.asdict(info))


@router.post(
    "/auth/token",
    responses={
        401: {"description": "Wrong username or password."},
        429: {"description": "Too many attempts."},
    },
)
def sign_in(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    users: UsersDep,
    settings: SettingsDep,
    rate_limits: RateLimitsDep,
) -> SignInOut:
    """OAuth2 password sign-in: a short-lived bearer token for the pages."""
    for key in (f"name:{form.username.lower()}", f"client:{client_address(request)}"):
        wait = rate_limits.retry_after("sign_in", key)
        if wait is not None:
            raise too_many(wait)
    principal = users.authenticate(form.username, form.password)
    if principal is None:
        request.app.state.audit.record(
            "auth.sign_in",
            None,
            actor_name=form.username[:100],
            outcome="failed",
            client=client_address(request),
        )
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            {"WWW-Authenticate": "Bearer"},
        )
    audit(request, principal, "auth.sign_in")
    lifetime = dt.timedelta(minutes=settings.access_token_minutes)
    token = sign_in_tokens.issue(principal.user_id, request.app.state.jwt_secret, lifetime)
    return SignInOut(access_token=token, expires_in=int(lifetime.total_seconds()))


@router.get("/auth/me")
def me(principal: AnyRole) -> MeOut:
    """Who the token belongs to."""
    return MeOut(
        id=principal.user_id,
        username=principal.username,
        role=principal.role,
        team=principal.team,
        agent_id=principal.agent_id,
    )


@router.post("/auth/tokens", status_code=status.HTTP_201_CREATED)
def create_token(
    request: Request,
    body: PersonalTokenIn,
    principal: AnyRole,
    users: UsersDep,
    settings: SettingsDep,
) -> IssuedTokenOut:
    """A new personal access token of the caller, for scripts and integrations. The token
    is in this answer only: it is stored as a hash."""
    if body.expires_in_days > settings.personal_token_max_days:
        raise PlanInputError(
            ("expires_in_days",), f"at most {settings.personal_token_max_days} days"
        )
    issued = users.issue_token(
        principal.user_id, body.name, dt.timedelta(days=body.expires_in_days)
    )
    audit(request, principal, "token.create", f"token {issued.info.id}")
    return IssuedTokenOut(**dataclasses.asdict(issued.info), token=issued.secret)


@router.get("/auth/tokens")
def list_tokens(principal: AnyRole, users: UsersDep) -> list[PersonalTokenOut]:
    """The caller's tokens (an admin's answer holds everyone's)."""
    owner = None if principal.role == "admin" else principal.user_id
    return [token_out(info) for info in users.tokens(owner)]


@router.delete("/auth/tokens/{token_id}", responses={404: {"description": "No such token."}})
def revoke_token(
    request: Request, token_id: str, principal: AnyRole, users: UsersDep
) -> PersonalTokenOut:
    """Revoke a token for good: one's own, or any as an admin."""
    info = users.token(token_id)
    if principal.role != "admin" and info.user_id != principal.user_id:
        msg = f"no token {token_id!r}"
        raise NotFoundError(msg)
    revoked = users.revoke_token(token_id)
    audit(request, principal, "token.revoke", f"token {token_id}")
    return token_out(revoked)
