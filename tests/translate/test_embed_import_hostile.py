"""``embed --into-cache`` and ``embed`` against a hostile cache or disk: a cache locked by
another process, damaged, or a folder; a disk that fills up during the import or during the
index's write. Each is one line naming the file, exit 2, and the previous good state (the
cache's rows, the folder's index) is intact."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from tests.translate.test_embed_import import into_cache, job, rows_in  # noqa: F401 (fixture)
from workbench.align.signals import embed_cache
from workbench.cli import main
from workbench.translate.embed import INDEX


@pytest.fixture
def short_waits(monkeypatch) -> None:
    """SQLite's wait for another process's lock cut from 60 s to a moment."""
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real(*a, **{**k, "timeout": 0.2}))


def _one_line(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench: error: "), err
    assert all(word in lines[0] for word in words), err


def _locked_new(cache: Path) -> sqlite3.Connection:
    other = sqlite3.connect(cache, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # a cache file another process is creating
    return other


def _damaged(cache: Path) -> None:
    cache.write_bytes(b"not a database " * 500)


def _folder(cache: Path) -> None:
    cache.mkdir()


@pytest.mark.parametrize("make", [_locked_new, _damaged, _folder])
def test_a_cache_that_cannot_be_opened_is_one_line(job, capsys, short_waits, make):  # noqa: F811
    cache = job["cache"]
    before = make(cache)
    data = cache.read_bytes() if cache.is_file() else None
    assert into_cache(job) == 2
    _one_line(capsys.readouterr().err, str(cache), "embedding cache not usable", "nothing loaded")
    assert (cache.read_bytes() if cache.is_file() else None) == data
    if before is not None:
        before.execute("ROLLBACK")


def test_a_cache_locked_while_in_use_is_one_line_and_keeps_its_rows(job, capsys, short_waits):  # noqa: F811
    assert into_cache(job) == 0
    capsys.readouterr()
    with sqlite3.connect(job["cache"]) as db:
        db.execute("DELETE FROM embeddings WHERE key IN (SELECT key FROM embeddings LIMIT 5)")
    kept = rows_in(job["cache"])
    other = sqlite3.connect(job["cache"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    assert into_cache(job) == 2
    _one_line(capsys.readouterr().err, str(job["cache"]), "locked", "nothing loaded")
    other.execute("ROLLBACK")
    assert rows_in(job["cache"]) == kept


def test_a_disk_full_during_the_import_is_one_line_and_the_cache_unchanged(
    job,  # noqa: F811
    capsys,
    monkeypatch,
):
    real = embed_cache.EmbeddingStore.__init__

    def small(self, path, strict=False):
        real(self, path, strict)
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages + 1}")

    monkeypatch.setattr(embed_cache.EmbeddingStore, "__init__", small)
    assert into_cache(job) == 2
    _one_line(capsys.readouterr().err, str(job["cache"]), "full", "nothing loaded")
    assert rows_in(job["cache"]) == 0


def test_a_disk_full_while_the_index_is_written_keeps_the_old_index(job, capsys, monkeypatch):  # noqa: F811
    index = job["out"] / INDEX
    good = index.read_bytes()
    real = os.fsync

    def full(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    argv = ["embed", str(job["source"]), str(job["out"]), "--block-lines", "8", "--no-progress"]
    assert main(argv) == 2
    _one_line(capsys.readouterr().err, "the disk is full", INDEX)
    assert index.read_bytes() == good
    assert sorted(p.name for p in job["out"].iterdir() if p.name.startswith(".")) == []
