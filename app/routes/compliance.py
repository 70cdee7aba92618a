"""Compliance profiles: list them, read one, add a version (admins)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from app.access import AdminRole, AnyRole, audit
from app.compliance import ProfileConflictError, ProfileIn
from app.deps import ProfileLibraryDep
from app.errors import NotFoundError

router = APIRouter(tags=["compliance"])


@router.get("/compliance/profiles")
def list_profiles(_: AnyRole, library: ProfileLibraryDep) -> list[ProfileIn]:
    """Every version of every profile: the shipped ones and those admins added."""
    return library.versions()


@router.get("/compliance/profiles/{profile_id}", responses={404: {"description": "Unknown."}})
def read_profile(profile_id: str, _: AnyRole, library: ProfileLibraryDep) -> list[ProfileIn]:
    """Every version of one profile, oldest first."""
    versions = library.versions(profile_id)
    if not versions:
        msg = f"no compliance profile {profile_id!r}"
        raise NotFoundError(msg)
    return versions


@router.post(
    "/compliance/profiles",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "That version or a newer one exists."}},
)
def add_profile(
    request: Request, body: ProfileIn, library: ProfileLibraryDep, principal: AdminRole
) -> ProfileIn:
    """Add a profile, or a new version of one (admins). Versions are never replaced: plans
    made under an older version keep naming it."""
    try:
        library.add(body)
    except ProfileConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    audit(request, principal, "profile.add", f"profile {body.id} v{body.version}")
    return body
