"""Compliance profiles: list them, read one, add a version (admins)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from app.compliance import ProfileConflictError, ProfileIn
from app.deps import AdminDep, ProfileLibraryDep
from app.errors import NotFoundError

router = APIRouter(tags=["compliance"])


@router.get("/compliance/profiles")
def list_profiles(library: ProfileLibraryDep) -> list[ProfileIn]:
    """Every version of every profile: the shipped ones and those admins added."""
    return library.versions()


@router.get("/compliance/profiles/{profile_id}", responses={404: {"description": "Unknown."}})
def read_profile(profile_id: str, library: ProfileLibraryDep) -> list[ProfileIn]:
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
def add_profile(body: ProfileIn, library: ProfileLibraryDep, _: AdminDep) -> ProfileIn:
    """Add a profile, or a new version of one (admins). Versions are never replaced: plans
    made under an older version keep naming it."""
    try:
        library.add(body)
    except ProfileConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return body
