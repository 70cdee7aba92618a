"""First-run set-up of sign-in: the signing secret and the first admin."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from app.auth.users import UserStore

logger = logging.getLogger(__name__)

FIRST_ADMIN = "admin"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def signing_secret(configured: str | None, var_dir: Path) -> str:
    """The configured secret, else one kept in ``var_dir/jwt-secret`` (made once, owner-only)
    so sign-ins survive restarts and are shared by the workers of one machine."""
    if configured:
        return configured
    path = var_dir / "jwt-secret"
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def ensure_first_admin(users: UserStore, password: str | None, var_dir: Path) -> None:
    """With no users yet, add ``admin``: with ``password``, else a random one written to
    ``var_dir/initial-admin-password`` for the operator (never to the log)."""
    if users.count():
        return
    if not password:  # unset or blank: never an admin without a password
        password = secrets.token_urlsafe(18)
        path = var_dir / "initial-admin-password"
        _write_private(path, password)
        logger.warning("first run: sign in as %r; the password is in %s", FIRST_ADMIN, path)
    users.create(FIRST_ADMIN, "admin", password=password)
