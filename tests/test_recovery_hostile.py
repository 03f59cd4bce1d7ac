"""Hostile leftovers meet ``workbench.recovery``: commit records that are FIFOs, links to
``/dev/zero``, huge, or carry names no file can have; leftover names with a pid no process can
have, or a pid now reused by an unrelated process; leftovers that are links or folders pointing
outside; two recoverers at once; a folder that refuses every change. Recovery never hangs,
never raises, never touches a file outside its folder, and settles what it can."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.test_commit_recovery import NAMES, ROOT, _child
from workbench import recovery
from workbench.cli import main

HOST = recovery._HOST
DEAD = 4_000_000  # over Linux's largest pid_max (2**22): no such process
RECORD = f".{recovery.RECORD}.wb{HOST}-{DEAD}-abcd1234.json"


def _recover(folder: Path, seconds: float = 10) -> str | None:
    """``recover(folder)`` in a thread: a hang fails the test instead of stopping it."""
    result: list[str | None] = []
    thread = threading.Thread(target=lambda: result.append(recovery.recover(folder)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "recovery hangs"
    return result[0]


def test_a_pid_no_process_can_have_is_a_dead_owner(tmp_path, capsys):
    leftover = tmp_path / f".a.txt.wb{HOST}-{'9' * 30}-abcd1234.tmp"
    leftover.write_text("half\n")
    assert main(["status", str(tmp_path)]) == 2  # not an alignment file: the command's own line
    err = capsys.readouterr().err
    assert "Traceback" not in err and "removed 1 leftover file" in err
    assert not leftover.exists()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _huge(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(recovery.MAX_RECORD + 1)


def _outside_link(path: Path) -> None:
    outside = path.parent.parent / "outside.json"
    outside.write_text('{"token": "abcd1234", "home": ".", "entries": []}')
    path.symlink_to(outside)


@pytest.mark.parametrize("make", [_fifo, _zero_link, _huge, _outside_link])
def test_a_record_that_is_no_plain_small_file_is_left_in_one_line(tmp_path, make):
    folder = tmp_path / "out"
    folder.mkdir()
    make(folder / RECORD)
    line = _recover(folder)
    assert line == f"{folder}: damaged commit record {RECORD} left as it is"
    assert os.path.lexists(folder / RECORD)


@pytest.mark.parametrize(
    "body",
    [
        {"token": "abcd1234", "home": 5, "entries": []},
        {"token": "abcd1234", "home": ".", "entries": ["a.txt"]},
        {"token": "abcd1234", "home": "a\0b", "entries": [{"target": "a.txt"}]},
        {
            "token": "abcd1234",
            "home": ".",
            "entries": [
                {"target": "a\0", "tmp": f".a\0.wb{HOST}-{DEAD}-abcd1234.tmp", "new": [1, 2]}
            ],
        },
    ],
)
def test_a_record_with_names_no_file_can_have_is_refused(tmp_path, body):
    (tmp_path / RECORD).write_text(json.dumps(body))
    line = _recover(tmp_path)
    assert line is not None and RECORD in line and "left as it is" in line
    assert os.listdir(tmp_path) == [RECORD]


def test_a_pid_reused_by_an_unrelated_process_does_not_keep_leftovers(
    tmp_path, live_pid, monkeypatch
):
    leftover = tmp_path / f".a.txt.wb{HOST}-{live_pid}-abcd1234.tmp"
    leftover.write_text("half\n")
    assert _recover(tmp_path) is None  # its owner may be the live process: kept
    started = recovery.started_at(live_pid)
    assert started is not None and abs(started - time.time()) < 60
    monkeypatch.setattr(recovery, "started_at", lambda pid: time.time() + 60)
    assert "removed 1 leftover file" in (_recover(tmp_path) or "")
    assert not leftover.exists()


def test_leftovers_that_point_outside_are_removed_and_the_outside_is_not(tmp_path):
    folder, outside = tmp_path / "out", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n")
    (folder / f".a.txt.wb{HOST}-{DEAD}-aaaa.tmp").symlink_to(outside)
    (folder / f".b.txt.wb{HOST}-{DEAD}-bbbb.bak").symlink_to(outside / "keep.txt")
    built = folder / f".m.wb{HOST}-{DEAD}-cccc.tmp"
    built.mkdir()
    (built / "link").symlink_to(outside)
    (built / "file").write_text("half\n")
    assert "removed 3 leftover files" in (_recover(folder) or "")
    assert os.listdir(folder) == []
    assert (outside / "keep.txt").read_text() == "keep\n"


def _killed_group(tmp_path: Path) -> Path:
    """A group of three files killed after its record and its first rename."""
    folder = tmp_path / "out"
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text(f"old {name}\n")
    _child(folder, "replace", 3)
    words = {(folder / name).read_text().split()[0] for name in NAMES}
    assert words == {"old", "new"}  # half of the group in place
    return folder


def _settled(folder: Path) -> str:
    assert sorted(os.listdir(folder)) == NAMES
    words = {(folder / name).read_text().split()[0] for name in NAMES}
    assert len(words) == 1
    return words.pop()


def test_a_folder_that_refuses_changes_is_left_as_it_was_then_settled(tmp_path, monkeypatch):
    folder = _killed_group(tmp_path)
    before = {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as patch:
        for fn in ("rename", "replace", "unlink", "rmdir"):
            patch.setattr(os, fn, read_only)
        _recover(folder)
    assert {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))} == before
    assert "finished an interrupted write" in (_recover(folder) or "")
    assert _settled(folder) == "new"


RECOVER = """
import sys
from workbench import recovery
print(recovery.recover(sys.argv[1]))
"""


def test_two_processes_recovering_one_folder_settle_it_once(tmp_path):
    for attempt in range(4):
        folder = _killed_group(tmp_path / str(attempt))
        argv = [sys.executable, "-c", RECOVER, str(folder)]
        procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)]
        procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT))
        lines = [proc.communicate(timeout=60)[0] for proc in procs]
        assert all(proc.returncode == 0 for proc in procs)
        assert sum("finished an interrupted write" in line for line in lines) == 1
        assert _settled(folder) == "new"
