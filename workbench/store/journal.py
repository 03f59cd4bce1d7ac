"""The append-only journal of a review session (``<file>.journal`` beside the alignment).

Durability model (decided for the review UI; see README "Review"):

* every decision (a transaction, an undo, a redo) is appended to the journal as one JSON
  line and ``fsync``-ed before the screen shows it, so SIGKILL or a power cut after the
  keystroke loses nothing;
* every so often, and on quit, the whole alignment is written as a snapshot with
  :func:`workbench.store.files.save_alignment` (atomic: temporary file, fsync, rename) and a
  fresh journal is started;
* the journal's header names the SHA-256 of the alignment file it applies to. On open, a
  journal whose base matches is replayed; one whose base does not match was already folded
  into a snapshot (a crash between the two renames) or belongs to another version of the
  file: it is set aside (renamed ``.orphaned-<time>``), never applied twice.

Records are self-contained (each carries the steps it applied), so replay needs nothing but
the snapshot and the journal. Cursor records (where the reviewer is) are appended without
fsync: the operating system keeps them across a process kill.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from workbench.errors import InputError, WorkbenchError
from workbench.fileio import atomic_write_text, describe_os_error
from workbench.jsonlines import dumps_line
from workbench.store.model import now_iso

FORMAT_NAME = "workbench-journal"
SCHEMA_VERSION = 1


def journal_path(alignment_path: Path) -> Path:
    return alignment_path.with_name(alignment_path.name + ".journal")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _dumps(data: dict[str, Any]) -> str:
    return dumps_line(data, separators=(",", ":"))  # U+2028 escaped, lone surrogates repaired


@dataclass
class JournalContent:
    header: dict[str, Any]
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, record)
    good_bytes: int = 0  # length of the well-formed part (a torn last line is cut off)
    torn_tail: bool = False


def read_journal(path: Path) -> JournalContent | None:
    """Parse a journal; ``None`` if it has no usable header. A torn last line is dropped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    try:
        header = json.loads(complete[0]) if complete else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        return None
    content = JournalContent(header, good_bytes=len(complete[0]) + 1, torn_tail=bool(tail))
    for number, raw in enumerate(complete[1:], start=2):
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, RecursionError):
            if number == len(complete):  # the last line, cut by a kill mid-write
                content.torn_tail = True
                break
            raise InputError("journal line is damaged", path, number) from None
        content.records.append((number, record))
        content.good_bytes += len(raw) + 1
    return content


class Journal:
    """Appends records to ``path``; started lazily at the first record."""

    def __init__(self, path: Path, base_sha256: str):
        self.path = path
        self.base_sha256 = base_sha256
        self._handle: IO[bytes] | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the open journal
        self.records_since_snapshot = 0

    def adopt(self, good_bytes: int, records: int) -> None:
        """Continue an existing journal (after replay), cutting off a torn last line."""
        with open(self.path, "r+b") as handle:
            handle.truncate(good_bytes)
            handle.flush()
            os.fsync(handle.fileno())
        self._open_for_append()
        self.records_since_snapshot = records

    def start(self, base_sha256: str, cursor: str | None) -> None:
        """Begin a fresh journal for the alignment file with hash ``base_sha256``."""
        self.close()
        self.base_sha256 = base_sha256
        header = {
            "format": FORMAT_NAME,
            "schema": SCHEMA_VERSION,
            "base_sha256": base_sha256,
            "cursor": cursor,
            "started": now_iso(),
        }
        atomic_write_text(self.path, _dumps(header))
        self._open_for_append()
        self.records_since_snapshot = 0

    def _open_for_append(self) -> None:
        self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open for appends
        info = os.fstat(self._handle.fileno())
        self._identity = (info.st_dev, info.st_ino)

    def problem(self) -> str | None:
        """Why the journal file this session appends to is no longer at its path (removed, or
        replaced by another session's), or ``None`` when it still is."""
        if self._handle is None:
            return None
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return f"its journal {self.path.name} was removed"
        if (info.st_dev, info.st_ino) != self._identity:
            return f"its journal {self.path.name} was replaced by another program or session"
        return None

    @property
    def started(self) -> bool:
        return self._handle is not None

    def append(
        self, record: dict[str, Any], *, durable: bool = True, cursor: str | None = None
    ) -> None:
        """Append one record. If the disk refuses it (full, quota), the journal is cut back to
        where it was (no torn line stays behind) and a decision raises
        :class:`WorkbenchError` (it is not made); a cursor record (``durable=False``) is
        simply dropped."""
        if self._handle is None:
            self.start(self.base_sha256, cursor)
        assert self._handle is not None
        data = _dumps(record).encode("utf-8")
        fd = self._handle.fileno()
        self._handle.flush()  # nothing buffered: records are written with os.write below
        offset = os.lseek(fd, 0, os.SEEK_END)
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            if durable:
                os.fsync(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, offset)
            if not durable:
                return
            raise WorkbenchError(
                f"{describe_os_error(exc)}: the change was not saved; free some space and "
                "do it again",
                self.path,
            ) from None
        if durable:
            self.records_since_snapshot += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
