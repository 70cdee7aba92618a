"""Build-once artefacts kept on disk, so a restart loads instead of rebuilding."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes as hex, so caches follow the data, not its name."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def load_or_build(cache_path: Path, build: Callable[[], T]) -> tuple[T, bool]:
    """Load ``cache_path`` if it exists, else call ``build`` and store its result there.

    The file is written to a temporary name and renamed, so a crash mid-write never leaves a
    truncated cache behind. The cache holds our own pickled objects: never point it at files
    from elsewhere.

    Returns
    -------
    tuple
        The object, and whether it was built (``True``) rather than loaded.
    """
    if cache_path.exists():
        with cache_path.open("rb") as handle:
            loaded: T = pickle.load(handle)
        return loaded, False
    value = build()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cache_path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    Path(tmp_name).replace(cache_path)
    logger.info("cached %s", cache_path.name)
    return value, True
