"""A review session: one alignment file, locked, journaled, with undo/redo.

The UI (``workbench.review``) and the tests drive this class; it owns every change to the
alignment. Opening a session locks the file, loads it, replays its journal (decisions made
since the last snapshot, and the undo history with them) and returns the reviewer to the
link they were on.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.store import ops
from workbench.store.files import gc_paused, load_alignment, save_alignment
from workbench.store.history import (
    History,
    HistoryError,
    ReplaceLinks,
    Step,
    Transaction,
    step_from_dict,
)
from workbench.store.journal import (
    Journal,
    JournalContent,
    file_sha256,
    journal_path,
    read_journal,
)
from workbench.store.lock import FileLock, acquire
from workbench.store.model import Alignment, Link, Status, now_iso


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def check_openable(path: Path) -> None:
    """Refuse, before anything is written, a file we cannot review and save."""
    if not path.exists():
        raise InputError("alignment file does not exist", path)
    if path.is_dir():
        raise InputError("is a folder, not an alignment file", path)
    if not _writable(path):
        raise InputError("alignment file is read-only; decisions could not be saved", path)
    folder = path.parent if str(path.parent) else Path(".")
    if not _writable(folder):
        raise InputError(f"folder {folder} is not writable (the journal and lock go there)", path)


class SessionLostError(WorkbenchError):
    """The session's lock or journal is no longer its own: it must stop writing."""


class ReviewSession:
    """Alignment + undo history + journal + lock. Use :meth:`open`, then :meth:`close`."""

    def __init__(
        self,
        path: Path,
        alignment: Alignment,
        reviewer: str,
        journal: Journal,
        lock: FileLock | None,
        clock: Callable[[], str] = now_iso,
        snapshot_every: int = 500,
        snapshot_seconds: float = 300.0,
    ):
        self.path = path
        self.alignment = alignment
        self.reviewer = reviewer
        self.journal = journal
        self.lock = lock
        self.clock = clock
        self.snapshot_every = snapshot_every
        self.snapshot_seconds = snapshot_seconds
        self.history = History()
        self.notices: list[str] = []
        self.cursor: str | None = None
        self.replayed = 0
        self._number = 0
        self._index: dict[str, int] | None = None
        self._hint = 0  # position of the last change: ids are looked up around it first
        self._pending_from = 0  # no pending link before this position
        self._counts = alignment.counts()
        self._last_snapshot = time.monotonic()
        self._closed = False
        self._conflict_path: Path | None = None
        self.snapshot_error: WorkbenchError | None = None  # the last failed periodic snapshot
        # recomputes a changed link's score, features and flags (jobs/rescoring.py); None: off
        self.rescorer: Callable[[Link, Alignment], Link] | None = None

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        reviewer: str,
        *,
        take_over: bool = False,
        validate: Callable[[Alignment], None] | None = None,
        clock: Callable[[], str] = now_iso,
        snapshot_every: int = 500,
        snapshot_seconds: float = 300.0,
    ) -> ReviewSession:
        """Lock, load and recover ``path``. ``validate`` may raise to refuse the file
        (e.g. sentence ids missing from the corpus); nothing is written before it passes."""
        path = Path(path)
        check_openable(path)
        lock, notice = acquire(path, reviewer, take_over=take_over)
        try:
            alignment = load_alignment(path)
            if validate is not None:
                with gc_paused():
                    validate(alignment)
            session = cls(
                path,
                alignment,
                reviewer,
                Journal(journal_path(path), file_sha256(path)),
                lock,
                clock,
                snapshot_every,
                snapshot_seconds,
            )
            if notice:
                session.notices.append(notice)
            session._recover()
        except BaseException:
            lock.release()
            raise
        return session

    def _recover(self) -> None:
        jpath = self.journal.path
        content = read_journal(jpath)
        if content is None:
            if jpath.exists():
                self._set_aside(jpath, "its header is unreadable")
            return
        if content.header.get("base_sha256") != self.journal.base_sha256:
            if content.records:
                self._set_aside(
                    jpath,
                    "it was made for another version of the file: either its decisions are "
                    "already in the last snapshot, or the file was replaced",
                )
            else:
                with contextlib.suppress(FileNotFoundError):
                    jpath.unlink()
            return
        decisions = self._replay_journal(content)
        self.journal.adopt(content.good_bytes, decisions)
        if decisions:
            self.notices.append(f"recovered {decisions} decision(s) from the journal")

    def _replay_journal(self, content: JournalContent) -> int:
        """Apply a journal that belongs to this file, in memory; the number of decisions."""
        jpath = self.journal.path
        self.cursor = content.header.get("cursor")
        for line, record in content.records:
            try:
                self._replay(record)
            except (HistoryError, KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"journal does not fit the alignment file ({exc}); nothing was changed. "
                    "Move the journal aside to open the last snapshot",
                    jpath,
                    line,
                ) from None
        if content.torn_tail:
            self.notices.append("the journal's last line was cut off by a crash and was dropped")
        decisions = sum(1 for _, r in content.records if r.get("kind") != "cursor")
        self.replayed = decisions
        return decisions

    def _set_aside(self, jpath: Path, why: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = jpath.with_name(f"{jpath.name}.orphaned-{stamp}")
        os.replace(jpath, target)
        self.notices.append(f"journal {jpath.name} was not applied ({why}); kept as {target.name}")

    def _replay(self, record: dict[str, Any]) -> None:
        kind = record["kind"]
        if kind == "cursor":
            self.cursor = record.get("cursor")
            return
        steps = [step_from_dict(d) for d in record["steps"]]
        number = int(record["n"])
        self._number = max(self._number, number)
        if kind == "do":
            transaction = Transaction(record.get("label", ""), steps, record.get("cursor"), number)
            self._apply(steps)
            self.history.record(transaction)
        elif kind in ("undo", "redo"):
            stack = self.history.done if kind == "undo" else self.history.undone
            if stack and stack[-1].number == number:
                (self.history.pop_undo if kind == "undo" else self.history.pop_redo)()
            else:  # history from before a snapshot: apply the recorded steps as they are
                self.history.clear()
            self._apply(steps)
        else:
            raise ValueError(f"unknown record kind {kind!r}")
        if record.get("cursor"):
            self.cursor = record["cursor"]

    def ownership_problem(self) -> str | None:
        """Why this session no longer owns its file (lock removed or taken over, journal
        replaced), or ``None``. Checked before every write: appending to a journal that
        another session has replaced or adopted would lose decisions."""
        problem = self.lock.problem() if self.lock is not None else None
        return problem or self.journal.problem()

    def check_owner(self) -> None:
        """Raise :class:`SessionLostError` (nothing written) when the session lost its file."""
        problem = self.ownership_problem()
        if problem is not None:
            raise SessionLostError(
                f"this review session no longer owns the file: {problem}. This decision was "
                "not saved; quit and open the file again (decisions made before it are kept "
                "in the file and its journal)",
                self.path,
            )

    def save(self) -> None:
        """Write a snapshot of the alignment (atomic) and start a fresh journal.

        If another program rewrote the file since it was opened (``workbench align``, a git
        checkout), it is not overwritten: the session's alignment goes to a
        ``.conflict-<time>.align.jsonl`` copy beside it and :class:`WorkbenchError` says so.
        A session that lost its lock or journal writes nothing (:class:`SessionLostError`).
        """
        self.check_owner()
        if self.path.exists() and file_sha256(self.path) != self.journal.base_sha256:
            if self._conflict_path is None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                stem = self.path.name.removesuffix(".align.jsonl")
                self._conflict_path = self.path.with_name(f"{stem}.conflict-{stamp}.align.jsonl")
            save_alignment(self.alignment, self._conflict_path)
            raise WorkbenchError(
                "was changed on disk by another program during this review session; it was "
                f"left as it is, and the reviewed alignment was saved as {self._conflict_path.name}",
                self.path,
            )
        save_alignment(self.alignment, self.path)
        self.journal.start(file_sha256(self.path), self.cursor)
        self._last_snapshot = time.monotonic()

    @property
    def dirty(self) -> bool:
        """Decisions not yet in the snapshot (they are safe in the journal)."""
        return self.journal.records_since_snapshot > 0

    def close(self) -> None:
        """Snapshot if anything changed, keep the cursor, release the lock."""
        if self._closed:
            return
        if self.ownership_problem() is not None:
            self.release()  # the lock is released only if it is still ours
            self.check_owner()
        try:
            if self.dirty:
                self.save()
            elif self.journal.started or self.cursor is not None:
                self.journal.start(self.journal.base_sha256, self.cursor)
        finally:
            self.journal.close()
            if self.lock is not None:
                self.lock.release()
            self._closed = True

    def prepare(self) -> None:
        """Create the journal now (it is otherwise created by the first decision), so that
        the first decision costs one append, not a file creation."""
        if not self.journal.started and not self._closed and self.ownership_problem() is None:
            self.journal.start(self.journal.base_sha256, self.cursor)

    def release(self) -> None:
        """Give the file up without writing anything (the journal keeps what it has)."""
        if not self._closed:
            self.journal.close()
            if self.lock is not None:
                self.lock.release()
            self._closed = True

    # -- state -----------------------------------------------------------------------------

    @property
    def links(self) -> list[Link]:
        return self.alignment.links

    def index(self, link_id: str) -> int:
        """Position of link ``link_id`` (looked up near the last change first: O(1) there)."""
        links = self.alignment.links
        for i in range(max(0, self._hint - 64), min(len(links), self._hint + 65)):
            if links[i].id == link_id:
                return i
        if self._index is None:
            self._index = {link.id: i for i, link in enumerate(links)}
        return self._index[link_id]

    def counts(self) -> dict[Status, int]:
        return dict(self._counts)

    def first_pending(self) -> int | None:
        links = self.alignment.links
        for i in range(self._pending_from, len(links)):
            if links[i].status.pending:
                self._pending_from = i
                return i
        self._pending_from = len(links)
        return None

    def next_pending(self, index: int, step: int = 1) -> int | None:
        """The next pending link after ``index`` (``step=-1``: before), wrapping around."""
        links = self.alignment.links
        n = len(links)
        for k in range(1, n + 1):
            i = (index + step * k) % n
            if links[i].status.pending:
                return i
        return None

    def set_cursor(self, link_id: str | None) -> None:
        """Remember where the reviewer is (journaled without fsync; not a decision)."""
        if link_id == self.cursor:
            return
        self.cursor = link_id
        if self.journal.started and self.ownership_problem() is None:
            self.journal.append({"kind": "cursor", "cursor": link_id}, durable=False)

    # -- changes ---------------------------------------------------------------------------

    def stamp(self) -> ops.Stamp:
        return ops.Stamp(self.reviewer, self.clock())

    def _apply(self, steps: list[Step]) -> None:
        Transaction("", steps).apply(self.alignment)
        for step in steps:
            if isinstance(step, ReplaceLinks):
                self._hint = step.at
                self._pending_from = min(self._pending_from, step.at)
                for link in step.old:
                    self._counts[link.status] -= 1
                for link in step.new:
                    self._counts[link.status] += 1
                if len(step.old) != len(step.new) or any(
                    a.id != b.id for a, b in zip(step.old, step.new, strict=True)
                ):
                    self._index = None

    def _write(self, kind: str, transaction: Transaction, steps: list[Step]) -> None:
        record = {
            "kind": kind,
            "n": transaction.number,
            "label": transaction.label,
            "time": self.clock(),
            "reviewer": self.reviewer,
            "cursor": transaction.cursor,
            "steps": [step.to_dict() for step in steps],
        }
        self.check_owner()  # before the append: another session may have the journal now
        self.journal.append(record, cursor=self.cursor)
        if transaction.cursor:
            self.cursor = transaction.cursor
        if (
            self.journal.records_since_snapshot >= self.snapshot_every
            or time.monotonic() - self._last_snapshot >= self.snapshot_seconds
        ):
            try:  # the decision is already safe in the journal: a failed snapshot is reported
                self.save()
                self.snapshot_error = None
            except WorkbenchError as exc:
                self.snapshot_error = exc
                self._last_snapshot = time.monotonic()

    def execute(self, transaction: Transaction | None) -> Transaction | None:
        """Apply, journal (durably) and record ``transaction``; ``None`` does nothing."""
        if transaction is None:
            return None
        self._number += 1
        transaction.number = self._number
        self._apply(transaction.steps)
        try:
            self._write("do", transaction, transaction.steps)
        except BaseException:
            self._apply(transaction.inverse_steps())  # not on disk: not made
            raise
        self.history.record(transaction)
        return transaction

    def undo(self) -> Transaction | None:
        if not self.history.can_undo:
            return None
        transaction = self.history.done[-1]
        steps = transaction.inverse_steps()
        self._apply(steps)
        try:
            self._write("undo", transaction, steps)
        except BaseException:
            self._apply(transaction.steps)
            raise
        self.history.pop_undo()
        return transaction

    def redo(self) -> Transaction | None:
        if not self.history.can_redo:
            return None
        transaction = self.history.undone[-1]
        self._apply(transaction.steps)
        try:
            self._write("redo", transaction, transaction.steps)
        except BaseException:
            self._apply(transaction.inverse_steps())
            raise
        self.history.pop_redo()
        return transaction

    # -- operations (by link position) -------------------------------------------------------

    def _rescored(self, transaction: Transaction | None) -> Transaction | None:
        return ops.rescored(self.alignment, transaction, self.rescorer)

    def approve(self, index: int) -> Transaction | None:
        return self.execute(ops.approve(self.alignment, index, self.stamp()))

    def reject(self, index: int) -> Transaction | None:
        return self.execute(ops.reject(self.alignment, index, self.stamp()))

    def toggle_flag(self, index: int) -> Transaction | None:
        return self.execute(ops.toggle_flag(self.alignment, index, self.stamp()))

    def merge_next(self, index: int) -> Transaction | None:
        return self.execute(self._rescored(ops.merge_next(self.alignment, index, self.stamp())))

    def merge_previous(self, index: int) -> Transaction | None:
        return self.execute(self._rescored(ops.merge_previous(self.alignment, index, self.stamp())))

    def split(self, index: int) -> Transaction | None:
        return self.execute(self._rescored(ops.split(self.alignment, index, self.stamp())))

    def relink(
        self, index: int, tgt: list[str], src: list[str] | None = None, *, lift: bool = False
    ) -> Transaction | None:
        """``ops.relink``; ``lift``: the reviewer confirmed linking a rejected pair."""
        transaction = ops.relink(self.alignment, index, tgt, self.stamp(), src, lift=lift)
        return self.execute(self._rescored(transaction))

    def edit_text(
        self, sid: str, text: str, original: str, index: int | None = None
    ) -> Transaction | None:
        return self.execute(
            self._rescored(ops.edit_text(self.alignment, sid, text, original, self.stamp(), index))
        )


def load_current(path: str | Path) -> tuple[Alignment, int]:
    """The alignment as the reviewer last left it: the file with the decisions of its pending
    journal (a crashed or running review session) applied in memory. Read-only: no lock is
    taken, nothing is written, set aside or truncated. Returns the alignment and the number
    of journal decisions applied (0 when there is no journal for this version of the file).
    """
    path = Path(path)
    for _ in range(3):  # a live session may snapshot meanwhile: file and journal must match
        base = file_sha256(path) if path.is_file() else None
        alignment = load_alignment(path)
        content = read_journal(journal_path(path))
        if base == file_sha256(path):
            break
    if content is None or not any(r.get("kind") != "cursor" for _, r in content.records):
        return alignment, 0
    if content.header.get("base_sha256") != base:  # already in the file, or another version's
        return alignment, 0
    session = ReviewSession(path, alignment, "", Journal(journal_path(path), base), None)
    return session.alignment, session._replay_journal(content)


def open_session(path: str | Path, reviewer: str, **options: Any) -> ReviewSession:
    """Shorthand for :meth:`ReviewSession.open`."""
    return ReviewSession.open(path, reviewer, **options)


__all__ = [
    "ReviewSession",
    "SessionLostError",
    "WorkbenchError",
    "load_current",
    "check_openable",
    "open_session",
]
