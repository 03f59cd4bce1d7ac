"""A damaged translation cache is one line naming the file, not a traceback (issue 11, 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.translate.cache import TranslationCache, cache_key


def _filled(path: Path) -> list[str]:
    with TranslationCache(path) as cache:
        rows = [
            (cache_key("id", f"s{i}"), f"source {i} " * 20, f"target {i} " * 20) for i in range(800)
        ]
        cache.put_many("id", rows)
    return [key for key, _, _ in rows]


def test_a_damaged_page_in_the_middle(tmp_path) -> None:
    path = tmp_path / "cache.sqlite"
    keys = _filled(path)
    data = bytearray(path.read_bytes())
    assert len(data) > 20 * 4096
    for page in range(3, len(data) // 4096 - 1, 2):  # every other page after the schema
        data[page * 4096 : page * 4096 + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    cache = TranslationCache(path)
    with pytest.raises(InputError, match="translation cache is not usable") as info:
        cache.get_many(keys)
        cache.count()
    cache.close()
    assert info.value.path == path and "delete the file" in str(info.value)


def test_a_file_that_is_not_sqlite(tmp_path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(InputError, match="not usable"):
        TranslationCache(path).get_many(["x"])
