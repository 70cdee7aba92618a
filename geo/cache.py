"""Built artefacts on disk: content digests, and pickles written atomically and read back
checked."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes as hex, so caches follow the data, not its name."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def save_pickle(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` through a temporary file and a rename, so a crash
    mid-write never leaves a truncated file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    Path(tmp_name).replace(path)


def load_pickle(path: Path, kind: type[T]) -> T:
    """Read back what :func:`save_pickle` wrote, checking that it is a ``kind``.

    Only ever point this at files this program wrote: unpickling runs code.

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        If it holds something else than a ``kind`` or is truncated.
    """
    with path.open("rb") as handle:
        try:
            value = pickle.load(handle)
        # An outdated layout fails with whatever the old classes no longer have.
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError) as exc:
            msg = f"{path.name} is damaged: {exc}"
            raise ValueError(msg) from exc
    if not isinstance(value, kind):
        msg = f"{path.name} holds a {type(value).__name__}, not a {kind.__name__}"
        raise ValueError(msg)
    return value
