"""The SQLite translation cache: keys, durability across processes, two writers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.translate.cache import TranslationCache, cache_key, identity_digest

IDENTITY = {"model": "m", "revision": "r", "backend": "ctranslate2", "decoding": {"beam_size": 4}}


def test_key_depends_on_every_part_of_the_identity():
    base = identity_digest(IDENTITY)
    assert cache_key(base, "a") != cache_key(base, "b")
    for change in ({"revision": "r2"}, {"backend": "transformers"}, {"decoding": {"beam_size": 1}}):
        assert identity_digest({**IDENTITY, **change}) != base


def test_put_then_get_survives_reopening(tmp_path: Path):
    path = tmp_path / "c.sqlite"
    digest = identity_digest(IDENTITY)
    with TranslationCache(path) as cache:
        cache.put_many(digest, [(cache_key(digest, "Bonjour"), "Bonjour", "Hello")])
    with TranslationCache(path) as cache:
        assert cache.get_many([cache_key(digest, "Bonjour"), cache_key(digest, "x")]) == {
            cache_key(digest, "Bonjour"): "Hello"
        }
        assert cache.count(digest) == 1
        assert cache._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WRITER = """
import sys
from workbench.translate.cache import TranslationCache, cache_key
cache = TranslationCache(sys.argv[1])
who = sys.argv[2]
for batch in range(40):
    rows = [(cache_key("id", f"{who}{batch}-{i}"), f"{who}{batch}-{i}", "t") for i in range(10)]
    rows.append((cache_key("id", f"shared{batch}"), f"shared{batch}", "t"))  # both write these
    cache.put_many("id", rows)
"""


def test_two_processes_write_at_once_without_losing_rows(tmp_path: Path):
    path = tmp_path / "c.sqlite"
    TranslationCache(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who]) for who in ("a", "b")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with TranslationCache(path) as cache:
        assert cache.count() == 2 * 400 + 40
        assert cache._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_damaged_cache_file_is_refused_with_advice(tmp_path: Path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="delete the file") as err:
        TranslationCache(path)
    assert str(path) in str(err.value)
    assert sqlite3.sqlite_version  # the stdlib module is what is used
