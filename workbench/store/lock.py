"""One reviewer per alignment file: a lock file beside it (``<file>.lock``).

The lock holds who, on which host, with which process, and since when. A second session
on the same file is refused with that information. A lock whose process is gone (same
host, dead pid) is stale: it is taken over with a notice. The lock file is created
atomically with its content (written to a temporary file, then hard-linked into place), so
another process never reads a half-written lock.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.recovery import forget, pid_alive, temp_file
from workbench.store.model import now_iso


class LockedError(WorkbenchError):
    """Another live session holds the alignment file."""


@dataclass
class LockInfo:
    user: str
    host: str
    pid: int
    since: str

    def describe(self) -> str:
        return f"{self.user} on {self.host} (pid {self.pid}) since {self.since}"


def lock_path(alignment_path: Path) -> Path:
    return alignment_path.with_name(alignment_path.name + ".lock")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def read_lock(path: Path) -> LockInfo | None:
    """The lock's content, or ``None`` when it is unreadable or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockInfo(str(data["user"]), str(data["host"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def live_holder(alignment_path: Path) -> LockInfo | None:
    """Who holds ``alignment_path`` in a live review session, if anyone."""
    info = read_lock(lock_path(alignment_path))
    if info is None or (info.host == socket.gethostname() and not pid_alive(info.pid)):
        return None
    return info


def file_identity(path: Path) -> tuple[int, int] | None:
    """``(device, inode)`` of ``path``; ``None`` when it does not exist."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


@dataclass
class FileLock:
    """A held lock; :meth:`release` removes it (only if it is still ours)."""

    path: Path
    info: LockInfo
    identity: tuple[int, int] | None = None  # the lock file we created, to notice a new one

    def __post_init__(self) -> None:
        if self.identity is None:
            self.identity = file_identity(self.path)

    def problem(self) -> str | None:
        """Why this lock is no longer ours (removed, taken over), or ``None`` if it is."""
        identity = file_identity(self.path)
        if identity is None:
            return f"its lock file {self.path.name} was removed"
        current = read_lock(self.path)
        if (
            identity != self.identity
            or current is None
            or ((current.host, current.pid) != (self.info.host, self.info.pid))
        ):
            who = current.describe() if current is not None else "another program"
            return f"its lock {self.path.name} was taken over by {who}"
        return None

    def release(self) -> None:
        current = read_lock(self.path)
        if current is not None and current.pid == self.info.pid and current.host == self.info.host:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _create(path: Path, info: LockInfo) -> bool:
    """Create the lock file with ``info``; ``False`` if it already exists."""
    fd, tmp = temp_file(path)  # named with our pid: a kill's leftover is removed later
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(info)) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        forget(tmp)


def acquire(
    alignment_path: Path, user: str | None = None, *, take_over: bool = False
) -> tuple[FileLock, str | None]:
    """Lock ``alignment_path`` for this process; return the lock and a notice (or ``None``).

    Raises :class:`LockedError` naming the holder when a live session has it, unless
    ``take_over`` is set (the reviewer knows the other session is gone).
    """
    path = lock_path(alignment_path)
    info = LockInfo(user or current_user(), socket.gethostname(), os.getpid(), now_iso())
    notice = None
    for _ in range(3):
        if _create(path, info):
            return FileLock(path, info), notice
        holder = read_lock(path)
        if holder is not None and holder.host == info.host and holder.pid == info.pid:
            return FileLock(path, info), notice  # this process already holds it
        stale = holder is None or (holder.host == info.host and not pid_alive(holder.pid))
        if not stale and not take_over:
            raise LockedError(
                f"is being reviewed by {holder.describe()}; wait until that session quits, "
                "or, if it is gone, run again with --take-over",
                alignment_path,
            )
        what = "an unreadable lock" if holder is None else f"the lock of {holder.describe()}"
        reason = "taken over on request" if not stale else "its process is gone"
        notice = f"took over {what} ({reason})"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    raise LockedError(
        "could not create the lock file (another session keeps taking it)", alignment_path
    )
