"""Users: admins add them, set their role and scope, and switch them off."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request, status

from app.access import AdminRole, audit
from app.auth import UserInfo
from app.auth.users import UsernameTakenError
from app.auth_schemas import UserIn, UserOut, UserPatchIn, check_role_scope
from app.deps import UsersDep
from app.errors import PlanInputError

router = APIRouter(tags=["users"])


def _out(info: UserInfo) -> UserOut:
    return UserOut(**dataclasses.asdict(info))


@router.get("/users")
def list_users(_: AdminRole, users: UsersDep) -> list[UserOut]:
    """Every user."""
    return [_out(info) for info in users.all()]


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Invalid, or the username is taken."}},
)
def create_user(request: Request, body: UserIn, principal: AdminRole, users: UsersDep) -> UserOut:
    """Add a user with a password (they can then make their own tokens)."""
    try:
        info = users.create(
            body.username,
            body.role,
            password=body.password,
            team=body.team,
            agent_id=body.agent_id,
        )
    except UsernameTakenError:
        raise PlanInputError(("username",), "this username is taken") from None
    audit(request, principal, "user.create", f"user {info.id}", details={"role": info.role})
    return _out(info)


@router.patch("/users/{user_id}", responses={404: {"description": "No such user."}})
def update_user(
    request: Request, user_id: str, body: UserPatchIn, principal: AdminRole, users: UsersDep
) -> UserOut:
    """Change a user's role, scope, password or whether they may sign in."""
    current = users.get(user_id)
    try:
        check_role_scope(
            body.role or current.role, body.team or current.team, body.agent_id or current.agent_id
        )
    except ValueError as exc:
        raise PlanInputError(("role",), str(exc)) from None
    info = users.update(
        user_id,
        role=body.role,
        team=body.team,
        agent_id=body.agent_id,
        active=body.active,
        password=body.password,
    )
    changed = sorted(body.model_dump(exclude_none=True).keys() - {"password"})
    audit(
        request,
        principal,
        "user.update",
        f"user {user_id}",
        details={"changed": changed, "password_changed": body.password is not None},
    )
    return _out(info)
