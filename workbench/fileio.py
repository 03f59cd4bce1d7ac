"""Atomic file writes: a crash never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from workbench import recovery
from workbench.errors import WorkbenchError

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def describe_os_error(exc: OSError) -> str:
    """What went wrong, in the user's terms (``the disk is full (no space left on device)``)."""
    if exc.errno in _DISK_FULL:
        return "the disk is full (no space left on device)"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


def os_error(exc: OSError, path: str | Path | None = None) -> WorkbenchError:
    """A one-line :class:`WorkbenchError` for a failed write (disk full, quota, read-only
    file system, permission): the user's to fix, not a bug to show as a traceback."""
    where = path if path is not None else exc.filename if isinstance(exc.filename, str) else None
    return WorkbenchError(
        f"{describe_os_error(exc)}; nothing was written, existing files are unchanged", where
    )


def new_file_mode() -> int:
    """The mode a new file gets from ``open()``: 0o666 less the umask (``mkstemp`` gives
    0o600, which would hide exports and translations from the rest of a team)."""
    try:  # Linux: read it without changing it (os.umask sets it, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("Umask:"))
        mask = int(line.split()[1], 8)
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def is_writable(path: Path) -> bool:
    """Writable for us, and not marked read-only (no write bit): root honours the mark too."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


_fsync_dir = recovery.fsync_dir


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def check_output_path(path: Path) -> None:
    """Refuse an output path that exists and is not a regular file (a folder, a device such
    as ``/dev/full``, a FIFO, a socket, a symbolic link): it would be replaced by a file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WorkbenchError(f"cannot use this output path ({exc.strerror})", path) from None
    if stat.S_ISREG(info.st_mode):
        return
    kind = (
        "a folder"
        if stat.S_ISDIR(info.st_mode)
        else "a symbolic link"
        if stat.S_ISLNK(info.st_mode)
        else "a device, FIFO or socket"
    )
    raise WorkbenchError(f"output path is {kind}, not a regular file; give a new file name", path)


def _check_target(path: Path) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise WorkbenchError(f"folder {directory} does not exist", path)
    if not is_writable(directory):
        raise WorkbenchError(f"folder {directory} is not writable", path)
    check_output_path(path)
    if path.exists() and not is_writable(path):
        raise WorkbenchError("file is read-only", path)
    return directory


class AtomicGroup:
    """Output files written as one unit: :meth:`open` gives a temporary file beside each
    target; :meth:`commit` renames them all into place, or (on any failure) none. A group
    of several files first writes a commit record (``workbench.recovery``), so that a kill
    between its renames is settled by the next command that meets the folder."""

    def __init__(self) -> None:
        self._entries: list[tuple[Path, str, IO]] = []  # (target, temporary name, handle)

    def open(self, path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> IO:
        path = Path(path)
        if any(target == path for target, _, _ in self._entries):
            raise WorkbenchError("two outputs of this command would be one file", path)
        directory = _check_target(path)
        recovery.recover_once(directory)  # what a killed writer left here, once per process
        binary = "b" in mode
        fd, tmp_name = recovery.temp_file(path)
        try:
            handle = os.fdopen(
                fd, mode, encoding=None if binary else encoding, newline=None if binary else ""
            )
        except BaseException:
            os.close(fd)
            os.unlink(tmp_name)
            recovery.forget(tmp_name)
            raise
        self._entries.append((path, tmp_name, handle))
        return handle

    def commit(self) -> None:
        for _path, _tmp, handle in self._entries:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        for path, tmp_name, _ in self._entries:
            check_output_path(path)  # it may have become a folder or a device meanwhile
            with contextlib.suppress(OSError):
                mode = path.stat().st_mode & 0o777 if path.exists() else new_file_mode()
                os.chmod(tmp_name, mode)
        if len(self._entries) == 1:  # one rename is atomic: no backup, no record
            path, tmp_name, _ = self._entries[0]
            os.replace(tmp_name, path)
            _fsync_dir(_folder(path))
            return
        self._commit_group()

    def _commit_group(self) -> None:
        token = recovery.new_token()
        backups = self._backups(token)
        records: list[str] = []
        done: list[Path] = []
        settled = True
        try:
            records = recovery.write_record(
                [(path, tmp, backups.get(path)) for path, tmp, _ in self._entries], token
            )
            for path, tmp_name, _ in self._entries:
                os.replace(tmp_name, path)
                done.append(path)
        except BaseException:
            settled = self._roll_back(done, backups)
            raise
        finally:
            if settled:  # else the record and backups stay for recovery.recover to finish
                for backup in backups.values():
                    with contextlib.suppress(OSError):
                        os.unlink(backup)
                    recovery.forget(backup)
                for directory in {_folder(path) for path in done}:
                    _fsync_dir(directory)
                recovery.remove_record(records)

    def _backups(self, token: str) -> dict[Path, str]:
        """A hard link to each file about to be replaced, to put it back if a later rename
        fails (where the file system has no hard links, there is no roll-back)."""
        backups = {}
        for path, _, _ in self._entries:
            if path.exists():
                name = recovery.owned_name(path, token, "bak")
                try:
                    os.link(path, name)
                except OSError:
                    recovery.forget(name)
                    continue
                backups[path] = name
        return backups

    @staticmethod
    def _roll_back(done: list[Path], backups: dict[Path, str]) -> bool:
        """Put back the files already replaced; ``False`` if one could not be."""
        settled = True
        for path in done:
            try:
                if path in backups:
                    os.replace(backups.pop(path), path)
                else:
                    os.unlink(path)
            except OSError:
                settled = False
        return settled

    def discard(self) -> None:
        for _path, tmp_name, handle in self._entries:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            recovery.forget(tmp_name)
        self._entries = []


@contextlib.contextmanager
def atomic_group() -> Iterator[AtomicGroup]:
    """Write several files as one unit::

        with atomic_group() as group:
            group.open(a).write(...)
            group.open(b).write(...)

    Nothing is in place until the block ends without error; then every file is renamed
    into place (if a rename fails, those already renamed are put back). On an error no
    target changes; after a kill, the next command that meets the folder finishes (or
    undoes) the group and removes its leftovers (``workbench.recovery``).
    """
    group = AtomicGroup()
    try:
        yield group
        group.commit()
    except OSError as exc:  # disk full, quota, read-only: one line, and no target changed
        targets = [target for target, _, _ in group._entries]
        raise os_error(exc, targets[0] if len(targets) == 1 else None) from None
    finally:
        group.discard()


@contextlib.contextmanager
def atomic_writer(
    path: str | Path, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    If the block raises (or the process dies), ``path`` keeps its old content and the
    temporary file is removed (after a kill, by the next command in that folder). A ``path``
    that exists and is not a regular file (folder, device, link) is refused.
    """
    with atomic_group() as group:
        yield group.open(path, mode, encoding)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    with atomic_writer(path, "w") as handle:
        handle.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)
