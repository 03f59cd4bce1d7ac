"""Issue 11 item 4: a review session that lost its lock or journal stops before a decision
it cannot keep (removed lock, --take-over of a live session, replaced journal)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workbench.store import Alignment, Link, Status, load_alignment, save_alignment
from workbench.store.journal import journal_path
from workbench.store.lock import lock_path
from workbench.store.session import ReviewSession, SessionLostError

ROOT = Path(__file__).resolve().parents[2]

OTHER_SESSION = """
import sys
from workbench.store.session import ReviewSession
s = ReviewSession.open(sys.argv[1], "bob", take_over=True)
s.reject(5)
s.close()
"""


def write_file(path: Path, n: int = 6) -> Path:
    links = [Link(f"L{i:05d}", [f"fr:{i}"], [f"en:{i}"], Status.AUTO, 0.5) for i in range(1, n + 1)]
    save_alignment(Alignment("fr", "en", ["fr"], ["en"], {}, {}, links), path)
    return path


def statuses(path: Path) -> list[str]:
    session = ReviewSession.open(path, "check")
    try:
        return [str(link.status) for link in session.links]
    finally:
        session.release()


def test_removed_lock_stops_the_session_before_the_decision(tmp_path):
    path = write_file(tmp_path / "a.align.jsonl")
    session = ReviewSession.open(path, "ana")
    session.approve(0)
    journal_before = journal_path(path).read_bytes()
    lock_path(path).unlink()
    with pytest.raises(SessionLostError, match="lock file .* was removed"):
        session.approve(1)
    assert str(session.links[1].status) == "auto"  # not shown as done
    assert journal_path(path).read_bytes() == journal_before
    with pytest.raises(SessionLostError):
        session.close()  # no snapshot either
    assert statuses(path)[:2] == ["approved", "auto"]


def test_take_over_of_a_live_session_loses_no_decision(tmp_path):
    path = write_file(tmp_path / "a.align.jsonl")
    a = ReviewSession.open(path, "ana")
    a.approve(0)
    a.approve(1)
    subprocess.run(
        [sys.executable, "-c", OTHER_SESSION, str(path)], cwd=ROOT, check=True, timeout=60
    )
    with pytest.raises(SessionLostError, match="taken over|replaced|removed"):
        a.approve(2)
    a.set_cursor("L00004")  # a cursor move writes nothing into the other session's journal
    with pytest.raises(SessionLostError):
        a.close()
    # a's two decisions (journaled before the take-over) and b's one are all in the file
    assert [str(k.status) for k in load_alignment(path).links] == [
        "approved", "approved", "auto", "auto", "auto", "rejected"
    ]  # fmt: skip


def test_replaced_journal_is_noticed(tmp_path):
    path = write_file(tmp_path / "a.align.jsonl")
    session = ReviewSession.open(path, "ana")
    session.approve(0)
    jpath = journal_path(path)
    replacement = tmp_path / "other"
    replacement.write_bytes(jpath.read_bytes())
    replacement.replace(jpath)
    before = jpath.read_bytes()
    with pytest.raises(SessionLostError, match="journal"):
        session.approve(1)
    assert jpath.read_bytes() == before
    session.release()


def test_an_owned_session_is_not_disturbed(tmp_path):
    path = write_file(tmp_path / "a.align.jsonl")
    session = ReviewSession.open(path, "ana")
    for i in range(3):
        session.approve(i)
    session.save()  # a snapshot starts a new journal: still ours
    session.reject(3)
    session.close()
    assert [str(k.status) for k in load_alignment(path).links][:4] == ["approved"] * 3 + [
        "rejected"
    ]
    assert not lock_path(path).exists()
