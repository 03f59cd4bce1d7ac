"""Crash recovery for atomic writes (``workbench.fileio``).

Every temporary file, backup and commit record a writer leaves beside its outputs is named
``.<name>.wb<host>-<pid>-<random>.<tmp|bak|json>``: the name says which process owns it. A
group of several files writes a *commit record* (``.workbench-commit.wb…json``: which
temporary file replaces which target, with both files' inode numbers) and fsyncs it before
its first rename. :func:`recover` finds what a killed writer left in a folder: it finishes
the group (or, where that is impossible, puts the old files back), then removes the
leftovers. Files of a live process, of another machine, or not named this way are never
touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD = "workbench-commit"
_NAME = re.compile(
    r"^\.(?P<stem>.+)\.wb(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-(?P<rand>[a-z0-9_]+)"
    r"\.(?P<kind>tmp|bak|json)$"
)
_lock = threading.Lock()
_live: set[str] = set()  # names in use by this process (its pid may be a dead one's too)
_recovered: set[str] = set()  # folders this process has already recovered


def _host() -> str:
    return hashlib.sha1(socket.gethostname().encode(), usedforsecurity=False).hexdigest()[:6]


_HOST = _host()


def owner_tag() -> str:
    """``wb<host>-<pid>-``: the part of a leftover's name that says whose it is."""
    return f"wb{_HOST}-{os.getpid()}-"


def new_token() -> str:
    return secrets.token_hex(4)


def temp_file(path: Path) -> tuple[int, str]:
    """``mkstemp`` beside ``path``, named so that :func:`recover` can tell it is ours."""
    directory = path.parent if str(path.parent) else Path(".")
    with _lock:
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name[:120]}.{owner_tag()}", suffix=".tmp", dir=directory
        )
        _live.add(os.path.basename(name))
    return fd, name


def temp_dir(path: Path) -> Path:
    """``mkdtemp`` beside ``path`` (a folder built, then renamed into place), named like
    :func:`temp_file`: a killed builder's half-built folder is removed by :func:`recover`."""
    with _lock:
        name = tempfile.mkdtemp(
            prefix=f".{path.name[:120]}.{owner_tag()}", suffix=".tmp", dir=path.parent
        )
        _live.add(os.path.basename(name))
    return Path(name)


def owned_name(path: Path, token: str, kind: str) -> str:
    """``.<name>.wb<host>-<pid>-<token>.<kind>`` beside ``path``, marked as in use."""
    name = f".{path.name[:120]}.{owner_tag()}{token}.{kind}"
    with _lock:
        _live.add(name)
    return os.path.join(path.parent, name)


def forget(name: str | os.PathLike[str]) -> None:
    """``name`` is no longer in use by this process."""
    with _lock:
        _live.discard(os.path.basename(name))


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such pid (one over pid_t: none can be)
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


_SLACK = 2.0  # seconds: the boot time /proc gives is whole seconds


def started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where ``/proc`` says."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            ticks = int(handle.read().rpartition(")")[2].split()[19])
        with open("/proc/stat", encoding="ascii", errors="replace") as handle:
            boot = next(float(line.split()[1]) for line in handle if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def owner_alive(pid: int, path: str | Path) -> bool:
    """Whether ``path``'s owner, process ``pid``, still runs: a live process that started after
    ``path`` last changed is not its owner but a later one that got the same pid."""
    if not pid_alive(pid):
        return False
    try:
        changed = os.lstat(path).st_ctime
    except OSError:
        return True
    start = started_at(pid)
    return start is None or start <= changed + _SLACK


def _owner_alive(match: re.Match[str], path: str | Path) -> bool:
    if match["host"] != _HOST:
        return True  # another machine's: its liveness cannot be known, so it is left alone
    pid = int(match["pid"])
    if pid == os.getpid():  # ours, or a dead process's that had our pid (containers)
        with _lock:
            return os.path.basename(path) in _live
    return owner_alive(pid, path)


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _identity(path: str | Path) -> list[int] | None:
    try:
        info = os.lstat(path)
    except (OSError, ValueError):  # ValueError: a NUL in a name read from a record
        return None
    return [info.st_dev, info.st_ino]


def _unlink(path: str | Path) -> bool:
    try:
        os.unlink(path)
    except OSError:  # EISDIR (Linux) or EPERM (macOS) for a temp_dir; a link is unlinked
        if not os.path.isdir(path) or os.path.islink(path):
            return False
        shutil.rmtree(path, ignore_errors=True)
        return not os.path.lexists(path)
    return True


# --- the commit record --------------------------------------------------------------------


def write_record(entries: list[tuple[Path, str, str | None]], token: str) -> list[str]:
    """Write and fsync the record of a group (``(target, temporary, backup)`` each) in every
    folder it writes to, the first target's folder ("home") last; return their paths."""
    dirs: list[Path] = []
    for target, _, _ in entries:
        folder = target.parent if str(target.parent) else Path(".")
        if folder not in dirs:
            dirs.append(folder)
    home = os.path.abspath(dirs[0])

    def rel(path: str | Path) -> str:
        return os.path.relpath(os.path.abspath(path), home)

    rows = [
        {
            "target": rel(target),
            "tmp": rel(tmp),
            "new": _identity(tmp),
            "backup": rel(backup) if backup else None,
            "old": _identity(backup) if backup else _identity(target),
        }
        for target, tmp, backup in entries
    ]
    written: list[str] = []
    try:
        for folder in [*dirs[1:], dirs[0]]:
            body = {"version": 1, "token": token, "home": rel_to(home, folder), "entries": rows}
            path = owned_name(folder / RECORD, token, "json")
            written.append(path)
            _write_durably(path, json.dumps(body) + "\n")
    except BaseException:
        remove_record(written)
        raise
    for folder in dirs:
        fsync_dir(folder)
    return written


def rel_to(home: str, folder: Path) -> str:
    return os.path.relpath(home, os.path.abspath(folder))


def _write_durably(path: str, text: str) -> None:
    tmp = path[: -len(".json")] + ".tmp"
    forget_after = os.path.basename(tmp)
    with _lock:
        _live.add(forget_after)
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    finally:
        forget(tmp)


def remove_record(paths: list[str]) -> None:
    """Remove a finished group's record: the home copy first (the others then mean "done")."""
    for path in reversed(paths):
        _unlink(path)
        forget(path)


_PATHS = ("target", "tmp", "backup")


@dataclass
class _Entry:
    target: Path
    tmp: Path
    backup: Path | None
    new: list[int] | None
    old: list[int] | None

    def state(self) -> str:
        now = _identity(self.target)
        if now is not None and now == self.new:
            return "new"
        return "old" if now == self.old else "changed"

    def can_finish(self) -> bool:
        return self.state() == "new" or (self.new is not None and _identity(self.tmp) == self.new)

    def can_undo(self) -> bool:
        if self.state() == "old":
            return True
        return self.old is None or (self.backup is not None and _identity(self.backup) == self.old)


def _entries(record: dict[str, Any], home: Path) -> list[_Entry]:
    def ident(value: Any) -> list[int] | None:
        return [int(v) for v in value] if isinstance(value, list) and len(value) == 2 else None

    names = [record["home"], *(row.get(k) or "" for row in record["entries"] for k in _PATHS)]
    if not all(isinstance(name, str) and "\0" not in name for name in names):
        raise ValueError("a name that is not a file name")

    return [
        _Entry(
            home / row["target"],
            home / row["tmp"],
            home / row["backup"] if row.get("backup") else None,
            ident(row.get("new")),
            ident(row.get("old")),
        )
        for row in record["entries"]
    ]


def _well_formed(entries: list[_Entry], directory: Path, token: str) -> bool:
    """A record only renames and removes files of its own kind, beside its targets, in
    folders that hold a copy of it: a crafted one cannot reach any other file."""
    folders = {os.path.abspath(entry.target.parent) for entry in entries}
    if not entries or os.path.abspath(directory) not in folders:
        return False
    for entry in entries:
        for path, kind in ((entry.tmp, "tmp"), (entry.backup, "bak")):
            match = _NAME.match(path.name) if path is not None else None
            if path is not None and (
                path.parent != entry.target.parent
                or match is None
                or match["kind"] != kind
                or match["stem"] != entry.target.name[:120]
            ):
                return False
    return all(_records(Path(folder), token) for folder in folders)


def _settle(entries: list[_Entry]) -> tuple[str, bool]:
    """Bring every target of the group to its new content (or, failing that, its old one):
    ``(what was done, whether it is settled)``. Raises OSError if a rename fails."""
    states = [entry.state() for entry in entries]
    names = ", ".join(entry.target.name for entry in entries)
    if all(state == "new" for state in states):
        return "", True
    if "changed" not in states and all(entry.can_finish() for entry in entries):
        for entry, state in zip(entries, states, strict=True):
            if state == "old":
                os.replace(entry.tmp, entry.target)
        return f"finished an interrupted write of {names}", True
    if "changed" not in states and all(entry.can_undo() for entry in entries):
        for entry, state in zip(entries, states, strict=True):
            if state != "new":
                continue
            if entry.old is not None and entry.backup is not None:
                os.replace(entry.backup, entry.target)
            else:
                os.unlink(entry.target)
        return f"undid an interrupted write of {names} (it could not be finished)", True
    # a target changed since (edited, or the folder copied): its pieces are kept to check
    why = (
        f"{entries[states.index('changed')].target.name} changed since"
        if "changed" in states
        else "pieces missing"
    )
    kept = ", ".join(p.name for e in entries for p in (e.tmp, e.backup) if p and p.exists())
    return f"an interrupted write of {names} was left as it is ({why}); its files: {kept}", False


def _records(folder: Path, token: str) -> list[tuple[str, re.Match[str]]]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(name, _NAME.match(name)) for name in names if name.startswith(f".{RECORD}.wb")]
    return [
        (name, match)
        for name, match in found
        if match and match["kind"] == "json" and match["rand"] == token
    ]


MAX_RECORD = 1 << 20  # bytes: a record names a few files; a bigger one is not ours


def read_small_file(path: str | Path, limit: int = MAX_RECORD) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of at most
    ``limit`` bytes; else ``None``. Never blocks, never reads more than ``limit`` bytes."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


def _read_record(path: Path) -> dict[str, Any] | None:
    data = read_small_file(path)
    if data is None:
        return None
    try:
        record = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    shape = {"token": str, "home": str, "entries": list}
    if not isinstance(record, dict) or any(
        not isinstance(record.get(key), kind) for key, kind in shape.items()
    ):
        return None
    return record if all(isinstance(row, dict) for row in record["entries"]) else None


def _clean_group(entries: list[_Entry], token: str, claimed: str) -> int:
    """Remove a settled group's temporary files, backups and records (the claimed one last)."""
    removed = sum(_unlink(entry.tmp) for entry in entries)
    removed += sum(_unlink(entry.backup) for entry in entries if entry.backup is not None)
    folders = {entry.target.parent for entry in entries}
    for folder in folders:
        for name, _ in _records(folder, token):
            if os.path.abspath(folder / name) != os.path.abspath(claimed):
                removed += _unlink(folder / name)
        fsync_dir(folder)
    removed += _unlink(claimed)
    forget(claimed)
    return removed


def _protect(entries: list[_Entry], protected: set[str]) -> None:
    protected.update(os.path.abspath(e.tmp) for e in entries)
    protected.update(os.path.abspath(e.backup) for e in entries if e.backup is not None)


def _recover_group(
    directory: Path, name: str, match: re.Match[str], protected: set[str]
) -> tuple[str, int, bool]:
    """Settle the group whose record (or a copy) is ``name``: ``(what was done, files
    removed, whether the folder's other leftovers may now be removed)``."""
    if not os.path.lexists(directory / name):  # settled meanwhile (by this pass or another)
        return "", 0, True
    record = _read_record(directory / name)
    if record is None:
        if _owner_alive(match, directory / name):
            return "", 0, True
        return f"damaged commit record {name} left as it is", 0, False
    home, token = directory / record["home"], str(record["token"])
    try:
        entries = _entries(record, home)
    except (KeyError, TypeError, ValueError):
        entries = []
    if not _well_formed(entries, directory, token):
        return f"commit record {name} is not one workbench wrote; left as it is", 0, False
    current = _records(home, token)
    if not current:  # the group was settled: this is a copy its writer did not remove
        gone = not _owner_alive(match, directory / name) and _unlink(directory / name)
        return "", int(gone), True
    owner_name, owner = current[0]
    if _owner_alive(owner, home / owner_name):
        _protect(entries, protected)
        return "", 0, True
    claimed = owned_name(home / RECORD, token, "json")
    try:  # one recoverer only: the one whose rename of the home record succeeds
        os.rename(home / owner_name, claimed)
    except OSError:
        forget(claimed)
        return "", 0, False
    try:
        done, settled = _settle(entries)
    except OSError as exc:
        done, settled = f"could not settle an interrupted write ({exc.strerror})", False
    if not settled:  # kept as it is: the next command (another process) tries again
        forget(claimed)
        _protect(entries, protected)
        return done, 0, True
    return done, _clean_group(entries, token, claimed), True


def recover(directory: str | Path) -> str | None:
    """Settle what killed writers left in ``directory`` (finish each interrupted group, or put
    its old files back) and remove their leftovers; one line saying what was done, or
    ``None`` when there was nothing to do. Cheap when there is nothing: one ``listdir``."""
    directory = Path(directory)
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    found = [(n, m) for n in names if n.startswith(".") and (m := _NAME.match(n))]
    if not found:
        return None
    protected: set[str] = set()
    notes, removed, safe = [], 0, True
    for name, match in found:
        if match["kind"] == "json" and match["stem"] == RECORD:
            note, count, ok = _recover_group(directory, name, match, protected)
            notes += [note] if note else []
            removed, safe = removed + count, safe and ok
    for name, match in found if safe else []:
        path = os.path.abspath(directory / name)
        if match["kind"] != "json" and path not in protected and not _owner_alive(match, path):
            removed += _unlink(path)
    if removed:
        notes.append(
            f"removed {removed} leftover file{'s' if removed > 1 else ''} of a killed write"
        )
    return f"{directory}: {'; '.join(notes)}" if notes else None


def recover_once(directory: str | Path) -> None:
    """:func:`recover` ``directory`` the first time this process meets it; print its line."""
    key = os.path.abspath(directory)
    with _lock:
        if key in _recovered:
            return
        _recovered.add(key)
    try:
        line = recover(directory)
    except (OSError, ValueError) as exc:  # never a reason to stop the command itself
        line = f"{directory}: leftovers of a killed write not checked ({exc})"
    if line:
        print(f"workbench: {line}", file=sys.stderr)
