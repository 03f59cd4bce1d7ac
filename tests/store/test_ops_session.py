"""Review sessions: journal, snapshots, recovery, cursor, locking, import hygiene."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.errors import InputError, WorkbenchError
from workbench.store import Alignment, Link, Status, load_alignment, save_alignment
from workbench.store.journal import journal_path
from workbench.store.lock import LockedError, lock_path
from workbench.store.session import ReviewSession

ROOT = Path(__file__).resolve().parents[2]


def clock() -> str:
    return "2026-01-02T03:04:05+00:00"


def write_file(path: Path, n: int = 6) -> Path:
    links = [
        Link(
            f"L{i:05d}",
            [f"fr:{i}"],
            [f"en:{i}"],
            Status.AUTO,
            0.5,
            created="2026-01-01T00:00:00+00:00",
        )
        for i in range(1, n + 1)
    ]
    save_alignment(Alignment("fr", "en", ["fr"], ["en"], {}, {}, links), path)
    return path


def open_session(path: Path, **kw) -> ReviewSession:
    return ReviewSession.open(path, "ana", clock=clock, **kw)


def statuses(alignment: Alignment) -> list[str]:
    return [str(link.status) for link in alignment.links]


def test_decisions_are_in_the_journal_before_any_snapshot(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    original = path.read_bytes()
    session = open_session(path)
    session.approve(0)
    session.reject(1)
    assert path.read_bytes() == original  # no snapshot yet
    records = [json.loads(line) for line in journal_path(path).read_text().splitlines()[1:]]
    assert [r["kind"] for r in records if r["kind"] != "cursor"] == ["do", "do"]
    assert lock_path(path).exists()
    # recovery without close (as after a kill): a second session of this process takes the file
    session.journal.close()
    again = open_session(path)
    assert statuses(again.alignment)[:3] == ["approved", "rejected", "auto"]
    assert again.replayed == 2 and again.cursor == "L00002"
    assert again.alignment.links[0].reviewer == "ana"
    # the undo history survives the recovery
    again.undo()
    assert statuses(again.alignment)[1] == "auto"
    again.close()
    assert statuses(load_alignment(path))[:2] == ["approved", "auto"]
    assert not lock_path(path).exists()


def test_close_snapshots_and_restores_cursor(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path)
    session.approve(2)
    session.set_cursor("L00005")
    session.close()
    assert statuses(load_alignment(path))[2] == "approved"
    reopened = open_session(path)
    assert reopened.cursor == "L00005" and reopened.replayed == 0
    reopened.close()


def test_periodic_snapshot_and_stale_journal_is_never_applied_twice(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path, snapshot_every=2)
    session.merge_next(0)
    session.approve(0)  # second decision: snapshot + fresh journal
    assert len(load_alignment(path).links) == 5
    session.approve(1)
    # simulate a crash between the snapshot rename and the fresh journal: an old journal
    # whose base is not the file on disk must be set aside, not replayed
    session.journal.close()
    stale = journal_path(path)
    header = json.loads(stale.read_text().splitlines()[0])
    header["base_sha256"] = "0" * 64
    lines = stale.read_text().splitlines()
    stale.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    again = open_session(path)
    assert len(again.alignment.links) == 5
    assert (
        statuses(again.alignment)[1] == "auto"
    )  # the unsnapshotted decision was in the stale journal
    assert any("not applied" in notice for notice in again.notices)
    assert list(tmp_path.glob("*.orphaned-*"))
    again.close()


def test_torn_last_journal_line_is_dropped(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path)
    session.approve(0)
    session.journal.close()
    with open(journal_path(path), "a", encoding="utf-8") as handle:
        handle.write('{"kind": "do", "n": 2, "ste')
    again = open_session(path)
    assert statuses(again.alignment)[0] == "approved"
    assert any("cut off" in notice for notice in again.notices)
    again.approve(1)  # appending after the cut works
    again.journal.close()
    third = open_session(path)
    assert statuses(third.alignment)[:2] == ["approved", "approved"]
    third.close()


def test_journal_that_does_not_fit_is_refused_without_change(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path)
    session.approve(0)
    session.journal.close()
    jpath = journal_path(path)
    lines = jpath.read_text().splitlines()
    record = json.loads(lines[1])
    record["steps"][0]["old"][0]["id"] = "L99999"
    jpath.write_text("\n".join([lines[0], json.dumps(record)]) + "\n")
    before = path.read_bytes(), jpath.read_bytes()
    with pytest.raises(InputError, match="journal does not fit"):
        open_session(path)
    assert (path.read_bytes(), jpath.read_bytes()) == before
    assert not lock_path(path).exists()


def test_counts_follow_every_change(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path)
    session.approve(0)
    session.reject(1)
    session.merge_next(2)
    session.undo()
    session.redo()
    session.split(2)
    assert session.counts() == session.alignment.counts()
    assert session.index("L00004") == 3
    session.close()


def test_read_only_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        open_session(tmp_path / "missing.align.jsonl")
    path = write_file(tmp_path / "a.align.jsonl")
    path.chmod(0o444)
    try:
        with pytest.raises(InputError, match="read-only"):
            open_session(path)
    finally:
        path.chmod(0o644)
    assert not lock_path(path).exists() and not journal_path(path).exists()


LOCK_HOLDER = textwrap.dedent(
    """
    import sys, time
    from workbench.store.session import ReviewSession
    s = ReviewSession.open(sys.argv[1], "bo")
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_second_reviewer_is_refused_and_stale_lock_taken_over(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as info:
            open_session(path)
        message = str(info.value)
        assert "bo on" in message and f"pid {holder.pid}" in message and "since" in message
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    session = open_session(path)  # the holder is dead: its lock is stale
    assert any("took over" in notice and "process is gone" in notice for notice in session.notices)
    session.close()


def test_core_and_cli_import_no_ui_or_torch() -> None:
    code = (
        "import sys, workbench.store, workbench.store.session, workbench.store.ops, workbench.cli\n"
        "workbench.cli.build_parser()\n"
        "bad = [m for m in ('textual', 'torch', 'transformers') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


APPROVER = textwrap.dedent(
    """
    import sys
    from workbench.store.session import ReviewSession
    s = ReviewSession.open(sys.argv[1], "bo", snapshot_every=int(sys.argv[2]))
    for i in range(len(s.links)):
        s.approve(i)
        print(i, flush=True)
    """
)


@pytest.mark.parametrize(("kill_after", "snapshot_every"), [(7, 500), (61, 25), (143, 10)])
def test_sigkill_at_any_moment_loses_no_acknowledged_decision(
    tmp_path: Path, kill_after: int, snapshot_every: int
) -> None:
    path = write_file(tmp_path / "a.align.jsonl", n=400)
    child = subprocess.Popen(
        [sys.executable, "-c", APPROVER, str(path), str(snapshot_every)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    done = []
    try:
        while len(done) < kill_after:
            done.append(int(child.stdout.readline()))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    session = open_session(path)
    approved = [i for i, link in enumerate(session.links) if link.status == Status.APPROVED]
    assert set(done) <= set(approved)
    assert approved == list(range(len(approved)))  # nothing after a gap, nothing twice
    assert session.counts() == session.alignment.counts()
    session.close()
    assert [link.status for link in load_alignment(path).links[: len(approved)]] == [
        Status.APPROVED
    ] * len(approved)


def test_file_rewritten_by_another_program_is_not_overwritten(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.align.jsonl")
    session = open_session(path)
    session.approve(0)
    write_file(path, n=3)  # e.g. `workbench align` ran meanwhile
    theirs = path.read_bytes()
    with pytest.raises(WorkbenchError, match="changed on disk"):
        session.close()
    assert path.read_bytes() == theirs
    (conflict,) = tmp_path.glob("a.conflict-*.align.jsonl")
    assert load_alignment(conflict).links[0].status == Status.APPROVED
    assert not lock_path(path).exists()
