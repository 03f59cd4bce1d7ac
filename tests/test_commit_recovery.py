"""A multi-file ``atomic_group`` killed at any point of its commit is settled by the next
command that meets the folder: every target holds the old or every target the new content,
no temporary/backup/record file is left, nothing else in the folder is touched, and files
of a live process (or another machine) are left alone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench import recovery
from workbench.cli import main
from workbench.fileio import atomic_group

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["a.txt", "b.txt", "c.txt"]
HOST = recovery._HOST

# One group of three files, with os.<fn>'s <at>-th call (during the commit) replaced by a
# SIGKILL ("count": print how many calls the commit makes). <raise_at>: that os.replace
# call raises ENOSPC instead (an in-process roll-back, which the kill may then interrupt).
CHILD = """
import errno, os, signal, sys
from pathlib import Path
from workbench.fileio import atomic_group
folder, fn, at, raise_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
real, calls, counting = getattr(os, fn), [0], False
def hooked(*args, **kwargs):
    if counting:
        calls[0] += 1
        if calls[0] == raise_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        if calls[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(os, fn, hooked)
try:
    with atomic_group() as group:
        for name in ["a.txt", "b.txt", "c.txt"]:
            group.open(folder / name).write(f"new {name}\\n" * 500)
        counting = True
finally:
    print(calls[0])
"""

# Commit version 1, 2, 3... of the three files until killed.
LOOP = """
import sys
from pathlib import Path
from workbench.fileio import atomic_group
folder, version = Path(sys.argv[1]), 0
print("ready", flush=True)
while True:
    version += 1
    with atomic_group() as group:
        for name in ["a.txt", "b.txt", "c.txt"]:
            group.open(folder / name).write(f"{version} {name}\\n" * 300)
"""


def _child(folder: Path, fn: str, at: int, raise_at: int = 0) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-c", CHILD, str(folder), fn, str(at), str(raise_at)]
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=60)


def _folder(tmp_path: Path, live_pid: int) -> tuple[Path, dict[str, bytes]]:
    """Old targets, plus files recovery must never touch."""
    folder = tmp_path / "out"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_text(f"old {name}\n", encoding="utf-8")
    others = {
        "notes.txt": b"mine\n",
        ".a.txt.x1y2z3.tmp": b"an older release's temporary file: owner unknown\n",
        f".a.txt.wb{HOST}-{live_pid}-abcd1234.tmp": b"a live process's\n",
        ".a.txt.wbffffff-1-abcd1234.tmp": b"another machine's\n",
        f".{recovery.RECORD}.wb{HOST}-{live_pid}-0badf00d.json": b"{}\n",
    }
    for name, data in others.items():
        (folder / name).write_bytes(data)
    return folder, others


def _state(folder: Path) -> str:
    words = {(folder / name).read_text(encoding="utf-8").split()[0] for name in NAMES}
    return words.pop() if len(words) == 1 else "mixed"


def _assert_settled(folder: Path, others: dict[str, bytes]) -> str:
    assert sorted(p.name for p in folder.iterdir()) == sorted([*NAMES, *others])
    assert {name: (folder / name).read_bytes() for name in others} == others
    state = _state(folder)
    assert state != "mixed"
    return state


def _counts(tmp_path: Path, live_pid: int) -> dict[str, int]:
    counts = {}
    for fn in ("replace", "link", "fsync", "unlink", "rename"):
        (tmp_path / f"count-{fn}").mkdir()
        folder, _ = _folder(tmp_path / f"count-{fn}", live_pid)
        counts[fn] = int(_child(folder, fn, 0).stdout)
    return counts


def test_a_kill_at_every_step_of_the_commit_is_settled(tmp_path, live_pid) -> None:
    counts = _counts(tmp_path, live_pid)
    assert counts["replace"] >= 4 and counts["link"] == 3, counts  # record + 3 renames
    seen = {"mixed": 0, "new": 0, "old": 0}
    for fn, total in counts.items():
        for at in range(1, total + 1):
            work = tmp_path / f"{fn}-{at}"
            work.mkdir()
            folder, others = _folder(work, live_pid)
            proc = _child(folder, fn, at)
            assert proc.returncode == -signal.SIGKILL, (fn, at, proc.stderr)
            seen[_state(folder)] += 1
            line = recovery.recover(folder)
            assert "\n" not in (line or ""), (fn, at)
            assert _assert_settled(folder, others) in ("new", "old"), (fn, at)
            assert recovery.recover(folder) is None  # nothing left to do
    assert seen["mixed"] >= 2 and seen["old"] >= 1, seen  # the half-committed case was met


def test_a_kill_during_the_roll_back_of_a_failed_rename_is_undone(tmp_path, live_pid) -> None:
    """The third rename fails (ENOSPC); the kill comes after the first file was put back:
    a.txt is old, b.txt new, c.txt old. It cannot be finished, so it is undone."""
    folder, others = _folder(tmp_path, live_pid)
    proc = _child(folder, "replace", 6, raise_at=4)  # record, a, b, c fails, put a back, kill
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _state(folder) == "mixed"
    line = recovery.recover(folder)
    assert line is not None and "undid an interrupted write of a.txt, b.txt, c.txt" in line
    assert _assert_settled(folder, others) == "old"


def test_leftovers_of_a_live_writer_are_not_touched(tmp_path, live_pid) -> None:
    folder, others = _folder(tmp_path, live_pid)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.replace("os.kill(os.getpid(), signal.SIGKILL)", "signal.pause()"),
         str(folder), "replace", "3", "0"],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while _state(folder) != "mixed":  # paused between its first and second rename
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert recovery.recover(folder) is None
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    finally:
        proc.kill()
        proc.wait()
    assert "finished an interrupted write" in (recovery.recover(folder) or "")
    assert _assert_settled(folder, others) == "new"


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_at_random_points_of_a_group_commit(tmp_path, live_pid, seed) -> None:
    folder, others = _folder(tmp_path, live_pid)
    for name in NAMES:
        (folder / name).write_text(f"0 {name}\n", encoding="utf-8")
    rng, seen = random.Random(seed), set()
    for _ in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-c", LOOP, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        seen.add(_state(folder) == "mixed")
        recovery.recover(folder)
        _assert_settled(folder, others)
    assert int(_state(folder)) > 0  # commits did happen


def test_any_command_naming_the_folder_settles_it_in_one_line(tmp_path, live_pid, capsys) -> None:
    folder, others = _folder(tmp_path, live_pid)
    assert _child(folder, "replace", 3).returncode == -signal.SIGKILL  # after a.txt's rename
    assert _state(folder) == "mixed"
    main(["status", str(folder / "a.txt"), "--corpus", str(tmp_path / "none")])
    err = [line for line in capsys.readouterr().err.splitlines() if "interrupted" in line]
    assert err == [
        f"workbench: {folder}: finished an interrupted write of a.txt, b.txt, c.txt; "
        "removed 4 leftover files of a killed write"  # 3 backups, the record
    ]
    assert _assert_settled(folder, others) == "new"


def test_a_killed_single_file_write_leaves_only_what_recovery_removes(tmp_path) -> None:
    """``atomic_writer`` (a group of one: no record) killed before its rename."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text("old\n", encoding="utf-8")
    script = (
        "import os, signal, sys\nfrom workbench.fileio import atomic_writer\n"
        "with atomic_writer(sys.argv[1]) as h:\n    h.write('new')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(folder / "a.txt")], cwd=ROOT, timeout=60)
    assert len(list(folder.iterdir())) == 2
    assert recovery.recover(folder) == f"{folder}: removed 1 leftover file of a killed write"
    assert [p.name for p in folder.iterdir()] == ["a.txt"]
    assert (folder / "a.txt").read_text(encoding="utf-8") == "old\n"


def test_a_group_over_two_folders_is_settled_from_either(tmp_path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    script = (
        "import os, signal, sys\nfrom workbench.fileio import atomic_group\n"
        "real, n = os.replace, [0]\n"
        "def hooked(*a):\n    n[0] += 1\n"
        "    if n[0] == 4: os.kill(os.getpid(), signal.SIGKILL)\n    return real(*a)\n"
        "with atomic_group() as g:\n"
        "    g.open(sys.argv[1]).write('new')\n    g.open(sys.argv[2]).write('new')\n"
        "    os.replace = hooked\n"
    )  # replace calls: record copy, home record, first rename, kill at the second
    (one / "x.txt").write_text("old", encoding="utf-8")
    (two / "y.txt").write_text("old", encoding="utf-8")
    argv = [sys.executable, "-c", script, str(one / "x.txt"), str(two / "y.txt")]
    assert subprocess.run(argv, cwd=ROOT, timeout=60).returncode == -signal.SIGKILL
    assert (one / "x.txt").read_text() == "new" and (two / "y.txt").read_text() == "old"
    assert "finished an interrupted write of x.txt, y.txt" in (recovery.recover(two) or "")
    assert [p.name for p in one.iterdir()] == ["x.txt"]
    assert [p.name for p in two.iterdir()] == ["y.txt"]
    assert (two / "y.txt").read_text() == "new"


def test_a_target_changed_after_the_kill_keeps_the_pieces(tmp_path, live_pid) -> None:
    """b.txt replaced by hand after the kill: neither finished nor undone, nothing removed."""
    folder, _ = _folder(tmp_path, live_pid)
    assert _child(folder, "replace", 3).returncode == -signal.SIGKILL  # after a.txt's rename
    (folder / "b.txt").unlink()
    (folder / "b.txt").write_text("by hand\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    line = recovery.recover(folder) or ""
    assert "was left as it is (b.txt changed since); its files: .a.txt.wb" in line
    assert {p.name: p.read_bytes() for p in folder.iterdir() if "commit" not in p.name} == {
        n: d for n, d in before.items() if "commit" not in n
    }  # only the record was renamed (claimed), to be tried again by the next process


def test_a_killed_builders_folder_is_removed_a_live_ones_kept(tmp_path, live_pid) -> None:
    """``recovery.temp_dir`` (a CTranslate2 conversion's work folder) after a kill."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    for pid in (dead, live_pid):
        work = tmp_path / f".model.wb{HOST}-{pid}-abcd1234.tmp"
        (work / "model").mkdir(parents=True)
        (work / "model" / "model.bin").write_bytes(b"x" * 1000)
    line = recovery.recover(tmp_path)
    assert line == f"{tmp_path}: removed 1 leftover file of a killed write"
    assert [p.name for p in tmp_path.iterdir()] == [f".model.wb{HOST}-{live_pid}-abcd1234.tmp"]


def test_a_recovery_killed_halfway_is_finished_by_the_next(tmp_path, live_pid) -> None:
    """The writer dies after its first rename; the first recoverer claims the record and
    dies after one of its own renames; the next recoverer finishes the group."""
    folder, others = _folder(tmp_path, live_pid)
    assert _child(folder, "replace", 3).returncode == -signal.SIGKILL  # a new, b c old
    script = (
        "import os, signal, sys\nfrom workbench import recovery\n"
        "real, n = os.replace, [0]\n"
        "def hooked(*a):\n    n[0] += 1\n"
        "    if n[0] == 2: os.kill(os.getpid(), signal.SIGKILL)\n    return real(*a)\n"
        "os.replace = hooked\nrecovery.recover(sys.argv[1])\n"
    )  # os.rename claims the record; the first os.replace finishes b.txt, then the kill
    argv = [sys.executable, "-c", script, str(folder)]
    assert subprocess.run(argv, cwd=ROOT, timeout=60).returncode == -signal.SIGKILL
    assert [_state(folder), (folder / "c.txt").read_text(encoding="utf-8")[:3]] == ["mixed", "old"]
    assert "finished an interrupted write" in (recovery.recover(folder) or "")
    assert _assert_settled(folder, others) == "new"


def test_our_pid_on_a_file_we_did_not_make_is_a_dead_process(tmp_path) -> None:
    """In a container every run may get the same pid: a leftover with our pid that this
    process did not make is a dead one's; one this process has open is ours."""
    stale = tmp_path / f".a.txt.wb{HOST}-{os.getpid()}-abcd1234.tmp"
    stale.write_text("a dead run's\n", encoding="utf-8")
    with atomic_group() as group:
        group.open(tmp_path / "b.txt").write("mine")
        ours = [p for p in tmp_path.iterdir() if p.name.startswith(".b.txt.wb")]
        assert len(ours) == 1 and not stale.exists()  # removed by open()'s recovery
        assert recovery.recover(tmp_path) is None and ours[0].exists()
    assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]


def test_a_crafted_record_cannot_reach_other_files(tmp_path) -> None:
    """A record naming a file outside its folder (or a temporary file that is not one) is
    refused: without the check, "undo" would delete ../victim.txt, "finish" overwrite it."""
    folder = tmp_path / "shared"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (folder / "evil").write_text("evil\n", encoding="utf-8")
    ident = [victim.stat().st_dev, victim.stat().st_ino]
    evil = [(folder / "evil").stat().st_dev, (folder / "evil").stat().st_ino]
    rows = [
        {"target": "../victim.txt", "tmp": "evil", "new": ident, "backup": None, "old": None},
        {"target": "../victim.txt", "tmp": "evil", "new": evil, "backup": None, "old": ident},
    ]
    for row in rows:
        record = folder / f".{recovery.RECORD}.wb{HOST}-1-abcd1234.json"
        record.write_text(json.dumps({"token": "abcd1234", "home": ".", "entries": [row]}))
        assert "is not one workbench wrote" in (recovery.recover(folder) or "")
        assert victim.read_text(encoding="utf-8") == "precious\n"
        assert (folder / "evil").exists() and record.exists()
