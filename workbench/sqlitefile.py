"""Opening the SQLite caches (translations, embeddings) that several jobs share at once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

BUSY_SECONDS = 60.0  # how long a job waits for another one's lock


def open_shared(path: str | Path, timeout: float = BUSY_SECONDS) -> sqlite3.Connection:
    """A connection in WAL mode (readers never wait for the writer), autocommit.

    Switching a fresh file to WAL takes an exclusive lock for which SQLite does not call its
    busy handler: two jobs opening a new cache at once could see "database is locked" at
    once. That step is retried here until ``timeout``; later statements use SQLite's own
    busy timeout."""
    db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    deadline, pause = time.monotonic() + timeout, 0.02
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                db.close()
                raise
            if time.monotonic() + pause > deadline:
                db.close()
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
    db.execute("PRAGMA synchronous=NORMAL")
    return db
