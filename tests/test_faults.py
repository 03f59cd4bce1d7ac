"""Fault injection (issue 11, item 15): a full disk at each write, a real small disk, a kernel
file-size limit, and kill -9 at random points of a writer. Invariants: one line on stderr,
exit code 2, no traceback; every output is either untouched or complete, and no temporary
file is left behind (after a kill, the next command's ``recovery.recover`` removes them).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.export.conftest import build_alignments
from workbench.cli import main
from workbench.errors import WorkbenchError
from workbench.recovery import recover
from workbench.store import load_alignment, save_alignment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FORMATS = {"jsonl": "out.jsonl", "tsv": "out.tsv", "tmx": "out.tmx", "moses": "out"}


class FullDisk:
    """Make the ``n``-th write to a file opened by ``os.fdopen`` (how every atomic writer
    opens its temporary file) fail with ENOSPC; ``n = None`` only counts."""

    def __init__(self, monkeypatch, fail_at: int | None) -> None:
        self.fail_at, self.writes = fail_at, 0
        real = os.fdopen

        def fdopen(fd, *args, **kwargs):
            return _Handle(real(fd, *args, **kwargs), self)

        monkeypatch.setattr(os, "fdopen", fdopen)


class _Handle:
    def __init__(self, handle, disk: FullDisk) -> None:
        self._handle, self._disk = handle, disk

    def write(self, data):
        self._disk.writes += 1
        if self._disk.fail_at is not None and self._disk.writes > self._disk.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __iter__(self):
        return iter(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _export_argv(fmt: str, folder: Path, files: list[Path]) -> list[str]:
    out = folder / FORMATS[fmt]
    return ["export", *map(str, files), "-f", fmt, "--out", str(out), "--corpus", str(CORPUS)]


@pytest.fixture
def aligned(tmp_path: Path) -> list[Path]:
    (tmp_path / "alignments").mkdir()
    return build_alignments(tmp_path / "alignments")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_on_a_full_disk_at_every_write(fmt, aligned, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    argv = _export_argv(fmt, out, aligned)
    with monkeypatch.context() as patch:
        counter = FullDisk(patch, None)
        assert main(argv) == 0
    total = counter.writes
    assert total > 0
    before = _listing(out)  # a previous, complete export stays as it is
    capsys.readouterr()
    points = sorted({0, total - 1, *random.Random(fmt).sample(range(total), min(total, 8))})
    for fail_at in points:
        with monkeypatch.context() as patch:
            FullDisk(patch, fail_at)
            assert main(argv) == 2, fail_at
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "the disk is full" in err[0], (fail_at, err)
        assert _listing(out) == before, fail_at


def test_saving_an_alignment_on_a_full_disk_keeps_the_old_file(aligned, monkeypatch) -> None:
    path = aligned[0]
    before = path.read_bytes()
    alignment = load_alignment(path)
    alignment.links[0].note = "changed"
    for fail_at in (0, 1, 3):
        with monkeypatch.context() as patch:
            FullDisk(patch, fail_at)
            with pytest.raises(WorkbenchError, match="disk is full"):
                save_alignment(alignment, path)
        assert path.read_bytes() == before
        assert sorted(p.name for p in path.parent.iterdir()) == sorted(p.name for p in aligned)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "96k"):
    """A real tmpfs of ``size`` mounted on ``folder`` (root only), unmounted afterwards."""
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the injected ENOSPC tests cover this")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill ``folder``'s file system, leaving about ``leave`` bytes free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with open(folder / "filler", "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"x" * max(0, free - leave))


@pytest.mark.parametrize("fmt", ["jsonl", "tmx", "moses"])
def test_export_onto_a_really_full_disk(fmt, aligned, tmp_path, capsys) -> None:
    with small_disk(tmp_path / "disk") as disk:
        _fill(disk, 4096)
        before = _listing(disk)
        assert main(_export_argv(fmt, disk, aligned)) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "the disk is full" in err[0], err
        assert _listing(disk) == before  # no partial output, no temporary file


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("limit", [1, 5000])
def test_a_kernel_write_failure_in_a_real_process(limit, aligned, tmp_path) -> None:
    """Not injected: the kernel refuses the write past ``limit`` bytes (RLIMIT_FSIZE)."""
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-m", "workbench", *_export_argv("jsonl", out, aligned)]
    proc = subprocess.run(
        argv, capture_output=True, text=True, preexec_fn=_limit_file_size(limit), timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert list(out.iterdir()) == []


KILLED_EXPORT = """
import sys
from workbench.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed_runs(argv: list[str], folder: Path, seed: int, rounds: int = 3):
    """Run ``argv`` ``rounds`` times from an empty ``folder``, each killed (SIGKILL) at a
    random moment 0.3-2 s in; yields after each kill, for the caller's checks."""
    rng = random.Random(seed)
    for n in range(rounds):
        for leftover in folder.iterdir():
            leftover.unlink()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        yield n


@pytest.mark.slow
def test_kill_9_at_random_points_of_an_export(tmp_path) -> None:
    from workbench.store import Alignment, Link

    folder = tmp_path / "alignments"
    folder.mkdir()
    sentences = [f"fr-2022-cnw:{i}" for i in range(10)]
    targets = [f"en-2022-chinadaily:{i}" for i in range(10)]
    links = [
        Link(f"L{i:06d}", [sentences[i % 10]], [targets[i % 10]], score=0.5)
        for i in range(1, 30_001)
    ]
    for link in links:
        link.status = link.status.APPROVED
    path = folder / "fr-en.align.jsonl"
    save_alignment(
        Alignment("fr", "en", ["fr-2022-cnw"], ["en-2022-chinadaily"], links=links), path
    )
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-c", KILLED_EXPORT, *_export_argv("jsonl", out, [path])]
    complete = 0
    for _ in killed_runs(argv, out, seed=11):
        recover(out)  # what the next command does first: settle, remove leftovers
        result = out / "out.jsonl"
        if result.exists():  # renamed into place: complete
            rows = result.read_text(encoding="utf-8").split("\n")
            assert rows[-1] == "" and len(rows) - 1 == len(links)
            assert all(json.loads(row)["link_id"] for row in rows[:-1])
            complete += 1
        # the data file and its manifest land together, and nothing else remains
        assert result.exists() == (out / "out.jsonl.meta.json").exists()
        assert {p.name for p in out.iterdir()} <= {"out.jsonl", "out.jsonl.meta.json"}


@pytest.mark.slow
def test_kill_9_at_random_points_of_an_import(tmp_path) -> None:
    """`import` of a 30,000-link JSONL export killed at random points: the alignment file is
    absent or complete, never half-written."""
    from workbench.store import Status

    rows = [
        json.dumps(
            {
                "src_lang": "fr",
                "tgt_lang": "en",
                "src_ids": [f"fr-2022-cnw:{i % 10}"],
                "tgt_ids": [f"en-2022-chinadaily:{i % 10}"],
                "link_id": f"L{i:06d}",
                "status": "approved",
                "alignment": "fr-en",
                "note": "n" * 40,
            }
        )
        for i in range(1, 30_001)
    ]
    source = tmp_path / "pairs.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    back = tmp_path / "back"
    back.mkdir()
    argv = [sys.executable, "-c", KILLED_EXPORT, "import", str(source), "--out", f"{back}/"]
    for _ in killed_runs(argv, back, seed=7):
        target = back / "fr-en.align.jsonl"
        if target.exists():
            loaded = load_alignment(target)
            assert len(loaded.links) == len(rows)
            assert all(link.status is Status.APPROVED for link in loaded.links)
        recover(back)  # what the next command does first: no leftover remains
        assert [p.name for p in back.iterdir()] in ([], ["fr-en.align.jsonl"])


def test_a_full_disk_at_the_closing_snapshot_loses_no_decision(tmp_path, monkeypatch) -> None:
    """Quit with the disk full: one-line error, the lock is gone, the decision is in the
    journal and comes back on the next open."""
    from workbench.store import Alignment, Link, Status
    from workbench.store.lock import lock_path
    from workbench.store.session import ReviewSession

    path = tmp_path / "fr-en.align.jsonl"
    links = [Link(f"L{i:05d}", [f"fr:{i}"], [f"en:{i}"]) for i in range(1, 4)]
    save_alignment(Alignment("fr", "en", links=links), path)
    before = path.read_bytes()
    session = ReviewSession.open(path, "ana")
    session.approve(0)
    with monkeypatch.context() as patch:
        FullDisk(patch, 0)
        with pytest.raises(WorkbenchError, match="disk is full"):
            session.close()
    assert not lock_path(path).exists()
    assert path.read_bytes() == before  # the snapshot was not half-written
    again = ReviewSession.open(path, "ana")
    assert again.alignment.links[0].status is Status.APPROVED
    again.close()
    assert load_alignment(path).links[0].status is Status.APPROVED
