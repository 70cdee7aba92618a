"""Authentication and role checks for every request, as FastAPI dependencies.

A request carries ``Authorization: Bearer <token>``: a personal access token (``dsp_...``)
or a sign-in token from ``POST /auth/token``. Wrong roles get 403; objects out of a
caller's scope answer 404 as if they did not exist (app.scope). Every refusal is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer

from app.audit import AuditLog, AuditOutcome
from app.auth import Principal, Role, UserStore, sign_in_tokens
from app.auth.users import TOKEN_PREFIX
from app.errors import NotFoundError
from app.rate_limits import RateLimits
from app.scope import Scope

bearer_token = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def client_address(request: Request) -> str | None:
    """The address the request came from."""
    return request.client.host if request.client else None


def audit(
    request: Request,
    principal: Principal | None,
    action: str,
    target: str | None = None,
    *,
    outcome: AuditOutcome = "ok",
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the app's audit log for this request."""
    log: AuditLog = request.app.state.audit
    log.record(
        action,
        principal,
        target=target,
        outcome=outcome,
        client=client_address(request),
        details=details,
    )


def too_many(retry_after: int) -> HTTPException:
    """The 429 for a limit that resets in ``retry_after`` seconds."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many requests: retry in {retry_after} s",
        {"Retry-After": str(retry_after)},
    )


def _principal_of(request: Request, token: str) -> Principal | None:
    users: UserStore = request.app.state.users
    if token.startswith(TOKEN_PREFIX):
        return users.principal_for_token(token)
    user_id = sign_in_tokens.user_id_of(token, request.app.state.jwt_secret)
    return users.principal(user_id) if user_id else None


def authenticated(
    request: Request, token: Annotated[str | None, Depends(bearer_token)]
) -> Principal:
    """The caller, from a valid token; 401 otherwise, 429 over the rate limit."""
    limits: RateLimits = request.app.state.rate_limits
    principal = _principal_of(request, token) if token else None
    if principal is None:
        wait = limits.retry_after("failed_access", client_address(request) or "?")
        if wait is not None:
            raise too_many(wait)
        audit(request, None, "access.unauthenticated", _route(request), outcome="denied")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in: a valid bearer token is required",
            {"WWW-Authenticate": "Bearer"},
        )
    wait = limits.retry_after("token", principal.rate_key)
    if wait is not None:
        raise too_many(wait)
    request.state.principal = principal
    return principal


def allow(*roles: Role) -> Callable[[Request, Principal], Principal]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    def check(
        request: Request, principal: Annotated[Principal, Depends(authenticated)]
    ) -> Principal:
        if principal.role not in roles:
            audit(request, principal, "access.forbidden", _route(request), outcome="denied")
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"the {principal.role} role may not do this"
            )
        return principal

    return check


async def _audited_not_found(request: Request, exc: Exception) -> JSONResponse:
    # Out of scope and missing look the same to the caller; the audit log keeps the attempt.
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        await run_in_threadpool(
            audit, request, principal, "access.not_found", _route(request), outcome="denied"
        )
    return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc)})


def install_access_audit(app: FastAPI) -> None:
    """Audit every 404 a signed-in caller meets."""
    app.add_exception_handler(NotFoundError, _audited_not_found)


def _route(request: Request) -> str:
    return f"{request.method} {request.url.path}"


AnyRole = Annotated[Principal, Depends(authenticated)]
AdminRole = Annotated[Principal, Depends(allow("admin"))]
PlannerRole = Annotated[Principal, Depends(allow("admin", "planner"))]
ReaderRole = Annotated[Principal, Depends(allow("admin", "planner", "auditor"))]
AuditorRole = Annotated[Principal, Depends(allow("admin", "auditor"))]
FieldRole = Annotated[Principal, Depends(allow("admin", "planner", "agent"))]


def scope_of(principal: AnyRole) -> Scope:
    """What the caller may see."""
    return Scope.of(principal)


ScopeDep = Annotated[Scope, Depends(scope_of)]
