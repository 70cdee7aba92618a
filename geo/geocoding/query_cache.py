"""A small on-disk cache of a geocoding service's answers, in SQLite.

Answers are kept by the service's address and the query's normalised form, so a query asked
again, even spelt differently in case, accents or punctuation, never reaches the service
twice. "Nothing found" is an answer too and is kept; errors are not.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocode_cache (
    endpoint TEXT NOT NULL,
    query TEXT NOT NULL,
    answer TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (endpoint, query)
)
"""

_MISSING = object()


class QueryCache:
    """Answers (any JSON value, ``None`` for "nothing found") by endpoint and query key.

    Each call opens and closes its own connection: the service is far slower than that, and
    no connection is left open for the caller to forget.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as db, db:
            db.execute(_SCHEMA)

    def get(self, endpoint: str, key: str) -> tuple[bool, Any]:
        """``(True, answer)`` if the answer is kept, else ``(False, None)``."""
        with closing(sqlite3.connect(self.path)) as db:
            row = db.execute(
                "SELECT answer FROM geocode_cache WHERE endpoint = ? AND query = ?",
                (endpoint, key),
            ).fetchone()
        if row is None:
            return False, None
        return True, json.loads(row[0])

    def put(self, endpoint: str, key: str, answer: Any) -> None:
        """Keep ``answer`` (JSON-serialisable) for the query."""
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?, ?)",
                (endpoint, key, json.dumps(answer, ensure_ascii=False), time.time()),
            )

    def __len__(self) -> int:
        with closing(sqlite3.connect(self.path)) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()
        return int(count)
