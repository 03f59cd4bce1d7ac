"""The translation cache: every translation, durable, keyed by model and settings and source.

SQLite in WAL mode: readers never block the writer, two jobs can write at once (each batch is
one short ``BEGIN IMMEDIATE`` transaction; the other job waits for the lock). A commit is in
the write-ahead log when it returns, so a killed or interrupted job loses at most the batch in
flight. ``synchronous=NORMAL`` skips the fsync per commit (12 ms each here, 10% of a GPU job):
only a power cut or OS crash can lose the last commits, and it never corrupts the cache.
The key is a SHA-256 of the job identity (model id, revision, backend, languages, decoding
settings) and the source text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.sqlitefile import open_shared

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_CHUNK = 500  # keys per SELECT (SQLite's variable limit is far above)


@contextlib.contextmanager
def _usable(path: str | Path) -> Iterator[None]:
    """SQLite failures as one line: a damaged page, a full disk, a lock held too long."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if "full" in str(exc):
            raise WorkbenchError(
                f"the disk is full; the translation cache could not be written ({exc}); "
                "translations already stored are kept",
                path,
            ) from None
        raise InputError(
            f"translation cache is not usable ({exc}); delete the file to start a new cache "
            "(translations files in the corpus are kept)",
            path,
        ) from None


def identity_digest(identity: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def cache_key(identity_hash: str, source: str) -> str:
    return hashlib.sha256(f"{identity_hash}\0{source}".encode()).hexdigest()


class TranslationCache:
    """``get_many`` / ``put_many`` over one SQLite file (``:memory:`` for a throwaway cache)."""

    def __init__(self, path: str | Path):
        self.path = path
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = open_shared(path)
            self._db.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"translation cache is not usable ({exc}); delete the file to start a new cache",
                path,
            ) from None

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with _usable(self.path):
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", chunk
                )
                found.update(rows)
        return found

    def put_many(self, identity_hash: str, rows: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(key, source, translation)`` rows in one transaction (all or none)."""
        now = time.time()
        values = [(key, identity_hash, source, target, now) for key, source, target in rows]
        if not values:
            return
        with _usable(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", values
                )
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def count(self, identity_hash: str | None = None) -> int:
        with _usable(self.path):
            if identity_hash is None:
                return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
            sql = "SELECT COUNT(*) FROM translations WHERE identity = ?"
            return self._db.execute(sql, (identity_hash,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
