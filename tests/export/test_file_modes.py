"""New output files respect the umask, as a plain open() would (issue 11, item 19): mkstemp's
0600 hid exports and translations from the rest of a team."""

from __future__ import annotations

import os
import stat

import pytest

from workbench.fileio import atomic_write_text, new_file_mode


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_new_files_get_0666_less_the_umask(tmp_path, mask) -> None:
    old = os.umask(mask)
    try:
        assert new_file_mode() == 0o666 & ~mask
        path = tmp_path / f"out-{mask:o}.tsv"
        atomic_write_text(path, "x\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    finally:
        os.umask(old)


def test_a_replaced_file_keeps_its_mode(tmp_path) -> None:
    path = tmp_path / "kept.tsv"
    path.write_text("old\n")
    path.chmod(0o640)
    atomic_write_text(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new\n"
