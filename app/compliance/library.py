"""Every compliance profile version the service knows: the shipped files and those an admin
added, and which version of a profile is in effect on a day."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.compliance.schema import ProfileIn
from app.db import ComplianceProfileRecord


class ProfileError(Exception):
    """A profile id that cannot be used for a plan: unknown, or not in effect."""


class ProfileConflictError(Exception):
    """An added profile version that is not newer than the known ones."""


def load_profile_files(directory: Path) -> list[ProfileIn]:
    """The profiles in ``directory``'s ``*.toml`` files.

    Raises
    ------
    ValueError
        If a file is not a valid profile (the message names the file and the field).
    """
    profiles = []
    for path in sorted(directory.glob("*.toml")):
        try:
            profiles.append(ProfileIn.model_validate(tomllib.loads(path.read_text("utf-8"))))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            msg = f"compliance profile {path.name}: {exc}"
            raise ValueError(msg) from exc
    return profiles


class ProfileLibrary:
    """Shipped profiles plus admin-added versions stored in the database."""

    def __init__(self, engine: Engine, shipped: list[ProfileIn]) -> None:
        self._engine = engine
        self._shipped = shipped

    def versions(self, profile_id: str | None = None) -> list[ProfileIn]:
        """All versions (of one profile, or of all), by id then version."""
        query = select(ComplianceProfileRecord.body)
        if profile_id is not None:
            query = query.where(ComplianceProfileRecord.id == profile_id)
        with Session(self._engine) as session:
            stored = [ProfileIn.model_validate(body) for body in session.scalars(query)]
        shipped = [p for p in self._shipped if profile_id is None or p.id == profile_id]
        return sorted(shipped + stored, key=lambda p: (p.id, p.version))

    def in_effect(self, profile_id: str, date: dt.date) -> ProfileIn:
        """The highest version of ``profile_id`` in effect on ``date``.

        Raises
        ------
        ProfileError
            If there is no such profile, or none of its versions applies on ``date``.
        """
        versions = self.versions(profile_id)
        if not versions:
            msg = f"unknown compliance profile {profile_id!r}"
            raise ProfileError(msg)
        effective = [p for p in versions if p.in_effect(date)]
        if not effective:
            spans = ", ".join(
                f"v{p.version} {p.effective_from}..{p.effective_to or ''}" for p in versions
            )
            msg = f"compliance profile {profile_id!r} is not in effect on {date} ({spans})"
            raise ProfileError(msg)
        return effective[-1]

    def add(self, profile: ProfileIn) -> None:
        """Store a new version.

        Raises
        ------
        ProfileConflictError
            If a version at least as high exists: versions are never replaced.
        """
        existing = self.versions(profile.id)
        if existing and existing[-1].version >= profile.version:
            msg = (
                f"profile {profile.id!r} already has version {existing[-1].version}; "
                "a new version must be higher"
            )
            raise ProfileConflictError(msg)
        with Session(self._engine) as session, session.begin():
            session.add(
                ComplianceProfileRecord(
                    id=profile.id,
                    version=profile.version,
                    body=profile.model_dump(mode="json"),
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
