"""Article reading messages (issue 11, items 16 and 19): sizes people can read, unreadable
files as one line."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from workbench.corpus.ingest import read_article
from workbench.errors import InputError


@pytest.mark.parametrize(
    ("size", "limit", "message"),
    [
        (2, 1, "file is 2 bytes, over the 1 byte limit"),
        (5_000, 1_000, "file is 5.0 KB, over the 1.0 KB limit"),
        (12_000_000, 10_000_000, "file is 12.0 MB, over the 10.0 MB limit"),
    ],
)
def test_sizes_are_never_shown_as_zero(tmp_path, size, limit, message) -> None:
    path = tmp_path / "a.txt"
    with open(path, "wb") as handle:
        handle.truncate(size)
    with pytest.raises(InputError, match=message):
        read_article(path, limit)


def test_an_unreadable_article_is_one_line(tmp_path, monkeypatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text\n")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:  # what a non-root user gets for a 0000 file
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(InputError, match="cannot read this article") as info:
        read_article(path, 1000)
    assert info.value.path == path


def test_a_manifest_that_is_a_folder(tmp_path) -> None:
    from workbench.corpus.manifest import load_manifest

    (tmp_path / "manifest.toml").mkdir()
    with pytest.raises(InputError, match="is a folder, not a manifest file"):
        load_manifest(tmp_path)
