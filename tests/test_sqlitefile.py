"""Two jobs opening one new cache at once: the WAL switch waits for the other's lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from workbench.sqlitefile import open_shared


def hold_exclusive(path: Path, seconds: float) -> threading.Thread:
    """Another connection holds an exclusive lock on ``path`` for ``seconds``."""
    ready = threading.Event()

    def run() -> None:
        other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        other.execute("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=run)
    thread.start()
    ready.wait(5)
    return thread


def test_a_busy_wal_switch_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite answers "database is locked" at once (no busy handler) when another job is
    switching the same new file to WAL: the switch is tried again until it goes through."""
    real = sqlite3.connect
    refusals = []

    class Busy:
        def __init__(self, *args, **kwargs):
            self.db = real(*args, **kwargs)

        def execute(self, sql: str, *args):
            if "journal_mode" in sql and len(refusals) < 3:
                refusals.append(sql)
                raise sqlite3.OperationalError("database is locked")
            return self.db.execute(sql, *args)

        def close(self) -> None:
            self.db.close()

    monkeypatch.setattr("workbench.sqlitefile.sqlite3.connect", Busy)
    db = open_shared(tmp_path / "cache.sqlite", timeout=5)
    assert len(refusals) == 3
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite").write_bytes(b"not a database" * 100)
    start = time.monotonic()
    with pytest.raises(sqlite3.DatabaseError):
        open_shared(tmp_path / "cache.sqlite", timeout=5)
    assert time.monotonic() - start < 1


def test_a_lock_held_past_the_timeout_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    thread = hold_exclusive(path, 1.0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        open_shared(path, timeout=0.2)
    thread.join()
