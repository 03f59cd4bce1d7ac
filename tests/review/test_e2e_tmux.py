"""The real ``workbench review`` program in tmux: key flow end to end, and SIGKILL mid-session."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from workbench.store import Status, load_alignment
from workbench.store.journal import journal_path
from workbench.store.lock import lock_path, pid_alive
from workbench.store.session import ReviewSession

from .conftest import write_seed_alignments

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
WORKBENCH = Path(sys.executable).parent / "workbench"


class Tmux:
    """One private tmux server (its own socket) running one window."""

    def __init__(self, command: str, width: int = 120, height: int = 40):
        self.socket = f"wb-test-{uuid.uuid4().hex[:8]}"
        self.run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command)
        self.run("resize-window", "-t", "t", "-x", str(width), "-y", str(height))

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "t")

    def pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never appeared; screen:\n{screen}")

    def close(self) -> None:
        self.run("kill-server")


def review_command(path: Path, tail: str = "; echo EXIT=$?; sleep 30") -> str:
    env = "TERM=xterm-256color"
    return f"cd {ROOT} && {env} {WORKBENCH} review {path} --corpus {CORPUS} --reviewer e2e{tail}"


def statuses(path: Path) -> list[Status]:
    return [link.status for link in load_alignment(path).links]


def test_review_flow_in_a_real_terminal(tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    term = Tmux(review_command(path))
    try:
        term.wait_for(r"first pending #1")
        for n in (1, 2, 3):
            term.keys("a")
            term.wait_for(rf"approved {n} ")
        term.keys("x")
        term.wait_for(r"rejected 1 ")
        term.keys("u")
        term.wait_for(r"rejected 0 ")
        term.keys("q")
        screen = term.wait_for(r"EXIT=\d+")
        assert "EXIT=0" in screen and "Traceback" not in screen
    finally:
        term.close()
    saved = statuses(path)
    assert saved[:4] == [Status.APPROVED] * 3 + [Status.AUTO]
    assert Status.REJECTED not in saved
    assert load_alignment(path).links[0].reviewer == "e2e"
    assert not lock_path(path).exists()
    # reopen: everything is there and the cursor is back on link 4
    term = Tmux(review_command(path))
    try:
        screen = term.wait_for(r"first pending #4")
        assert "approved 3 " in screen and "at #4 " in screen
        term.keys("q")
        term.wait_for(r"EXIT=0")
    finally:
        term.close()


def test_sigkill_during_approvals_loses_no_decision_shown(tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    term = Tmux(review_command(path, tail="").replace("&& TERM", "&& exec env TERM"))
    try:
        term.wait_for(r"first pending #1")
        pid = term.pid()
        term.keys("a")
        term.wait_for(r"approved 1 ")
        for _ in range(5):  # then a burst, killed while keys are still being handled
            term.keys("a")
            time.sleep(0.03)
        screen = term.screen()  # what the reviewer has seen
        shown = int(re.search(r"approved (\d+) ", screen).group(1))
        os.kill(pid, signal.SIGKILL)
    finally:
        term.close()
    assert shown >= 1
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:  # SIGKILL is delivered asynchronously
        time.sleep(0.05)
    assert lock_path(path).exists() and journal_path(path).exists()
    session = ReviewSession.open(path, "after-crash")  # the dead session's lock is stale
    try:
        approved = [link.status == Status.APPROVED for link in session.links]
        assert sum(approved) >= shown
        assert all(approved[: sum(approved)])  # approvals went in order: no gap
        assert any("took over" in notice for notice in session.notices)
    finally:
        session.close()


def test_terminal_smaller_than_80x24_is_refused(tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path / "alignments")["th"]
    before = path.read_bytes()
    term = Tmux(review_command(path), width=70, height=20)
    try:
        screen = term.wait_for(r"EXIT=\d+")
    finally:
        term.close()
    assert "EXIT=2" in screen and "80x24" in screen and "Traceback" not in screen
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "fr-en.align.jsonl",
        "th-en.align.jsonl",
    ]


def test_no_argument_offers_the_files_in_alignments(tmp_path: Path) -> None:
    write_seed_alignments(tmp_path / "alignments")
    command = (
        f"cd {tmp_path} && TERM=xterm-256color {WORKBENCH} review --corpus {CORPUS} "
        "--reviewer e2e; echo EXIT=$?; sleep 30"
    )
    term = Tmux(command)
    try:
        screen = term.wait_for(r"Review which file \[1-2\]")
        assert (
            "1. alignments/fr-en.align.jsonl" in screen
            and "2. alignments/th-en.align.jsonl" in screen
        )
        term.keys("2", "Enter")
        term.wait_for(r"th-2021-xinhua:0 \(1/11\)")
        term.keys("q")
        assert "EXIT=0" in term.wait_for(r"EXIT=\d+")
    finally:
        term.close()


def test_fresh_fr_review_starts_at_the_article_first_sentence(tmp_path: Path) -> None:
    """Align the seed corpus afresh, open fr-en: row 1 is the French article's first sentence."""
    out = tmp_path / "alignments"
    aligned = subprocess.run(
        [str(WORKBENCH), "align", str(CORPUS), "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert aligned.returncode == 0, aligned.stderr
    path = out / "fr-en.align.jsonl"
    first = load_alignment(path).links[0]
    assert first.src[0] == "fr-2022-cnw:0"  # a 1-1, or a 2-1 that starts there
    term = Tmux(review_command(path))
    try:
        screen = term.wait_for(r"first pending #1")
        row = next(line for line in screen.splitlines() if re.match(r"\s+1 ", line))
        assert "BEIJING, 29 novembre 2022" in row
        assert "fr-2022-cnw:0 (1/13)" in screen  # the detail panel: the same sentence
        term.keys("q")
        assert "EXIT=0" in term.wait_for(r"EXIT=\d+")
    finally:
        term.close()
