"""The streamed jobs (Ray translate, ``embed``) under attack: an input appended to, truncated
or replaced between passes is refused in one line with no output (the old one intact); a
full disk under the scratch ``job-<pid>.sqlite`` is one line naming it; a killed job's scratch
file (damaged, or its pid reused since) is removed by the next job, which then works."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import workbench.align.signals.encoder as encoders
import workbench.translate.distributed as distributed
from tests.translate.test_embed_streaming import HashEncoder
from tests.translate.test_streaming import run
from workbench import recovery
from workbench.errors import WorkbenchError
from workbench.translate import streaming
from workbench.translate.embed import INDEX, embed_file

LINES = [f"phrase {i}" for i in range(1000)]


@pytest.fixture
def ray(monkeypatch) -> dict:
    """``run_blocks`` in this process (workers upper-case); ``during`` runs before block 1."""
    seen: dict = {"during": None}

    def run_blocks(job, actor, args, blocks, on_result, desc, progress):
        for index, texts in blocks:
            if seen["during"] is not None:
                seen["during"], during = None, seen["during"]
                during()
            on_result(index, json.dumps([t.upper() for t in texts]))

    monkeypatch.setattr(distributed, "run_blocks", run_blocks)
    monkeypatch.setattr(distributed, "connect", lambda address, cpus: None)
    monkeypatch.setattr(distributed, "for_workers", lambda engine, threads: engine)
    return seen


def _truncated(path: Path) -> None:
    path.write_text("\n".join(LINES[:500]) + "\n")


def _reordered(path: Path) -> None:  # the same sentences, another file (a new inode)
    other = path.with_name("other.txt")
    other.write_text("\n".join(reversed(LINES)) + "\n")
    os.replace(other, path)


def _appended_repeat(path: Path) -> None:
    with open(path, "a") as handle:
        handle.write(LINES[0] + "\n")


def _appended_new(path: Path) -> None:
    with open(path, "a") as handle:
        handle.write("une phrase que le plan n'a pas vue\n")


@pytest.mark.parametrize("change", [_truncated, _reordered, _appended_repeat, _appended_new])
def test_translate_refuses_an_input_changed_between_its_passes(tmp_path, ray, change):
    source, out = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text("\n".join(LINES) + "\n")
    out.write_text("the previous good output\n")
    ray["during"] = lambda: change(source)
    with pytest.raises(WorkbenchError, match="the input changed while the job ran") as caught:
        run(source, out, block_lines=100)
    assert len(str(caught.value).splitlines()) == 1 and str(source) in str(caught.value)
    assert out.read_text() == "the previous good output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.shards", "out.txt"]
    assert not list((tmp_path / "out.shards").glob("job-*"))
    assert run(source, out, block_lines=100).sentences == len(set(source.read_text().splitlines()))


@pytest.fixture
def encoder(monkeypatch) -> HashEncoder:
    fake = HashEncoder()
    monkeypatch.setattr(encoders, "get_encoder", lambda name, models_dir=None: fake)
    return fake


def test_embed_refuses_an_input_whose_ids_changed_between_its_passes(tmp_path, encoder):
    source = tmp_path / "in.jsonl"

    def write(prefix: str) -> None:
        rows = (json.dumps({"id": f"{prefix}{i}", "text": t}) for i, t in enumerate(LINES))
        source.write_text("\n".join(rows) + "\n")

    write("a")
    encoder.on_encode = lambda: write("b")  # the same texts: every shard's name still holds
    with pytest.raises(WorkbenchError, match="the input changed while the job ran"):
        embed_file(source, tmp_path / "emb", "hash", tmp_path, 100)
    assert not (tmp_path / "emb" / INDEX).exists()


def _full_scratch(monkeypatch) -> None:
    """The scratch file's disk fills up once it holds a few pages (SQLITE_FULL)."""
    real = streaming.JobStore.__init__

    def small(self, folder: Path) -> None:
        real(self, folder)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 2}")

    monkeypatch.setattr(streaming.JobStore, "__init__", small)


def test_a_full_disk_under_the_translate_scratch_file_is_one_line(tmp_path, ray, monkeypatch):
    source, out = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text("\n".join(f"une phrase assez longue, numéro {i}" for i in range(3000)))
    out.write_text("the previous good output\n")
    _full_scratch(monkeypatch)
    with pytest.raises(WorkbenchError, match="the job's working file failed") as caught:
        run(source, out, block_lines=100)
    assert "job-" in str(caught.value) and len(str(caught.value).splitlines()) == 1
    assert out.read_text() == "the previous good output\n"
    assert not list((tmp_path / "out.shards").glob("job-*"))


def test_a_full_disk_under_the_embed_scratch_file_is_one_line(tmp_path, encoder, monkeypatch):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(f"une phrase assez longue, numéro {i}" for i in range(3000)))
    _full_scratch(monkeypatch)
    with pytest.raises(WorkbenchError, match="the job's working file failed"):
        embed_file(source, tmp_path / "emb", "hash", tmp_path, 100)
    assert not list((tmp_path / "emb").glob("job-*"))


def _scratch(folder: Path, pid: int, data: bytes = b"not SQLite at all") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"job-{pid}.sqlite"
    path.write_bytes(data)
    return path


def _stale(folder: Path, live_pid: int, monkeypatch) -> Callable[[], None]:
    """A killed job's damaged scratch file, one of a pid over pid_t, one whose pid a later
    process has, and a folder with such a name (not ours to remove)."""
    dead = _scratch(folder, 4_000_000)
    huge = _scratch(folder, int("9" * 30))
    reused = _scratch(folder, live_pid)
    (folder / "job-4000001.sqlite").mkdir()
    monkeypatch.setattr(recovery, "started_at", lambda pid: time.time() + 60)

    def check() -> None:
        assert not dead.exists() and not huge.exists() and not reused.exists()
        assert (folder / "job-4000001.sqlite").is_dir()

    return check


def test_a_killed_translate_jobs_scratch_files_are_removed(tmp_path, ray, live_pid, monkeypatch):
    source, out = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text("\n".join(LINES) + "\n")
    run(source, out, block_lines=100)
    check = _stale(tmp_path / "out.shards", live_pid, monkeypatch)
    run(source, out, block_lines=100)
    check()
    assert out.read_text().splitlines() == [line.upper() for line in LINES]


def test_a_killed_embed_jobs_scratch_files_are_removed(tmp_path, encoder, live_pid, monkeypatch):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(LINES) + "\n")
    embed_file(source, tmp_path / "emb", "hash", tmp_path, 100)
    check = _stale(tmp_path / "emb", live_pid, monkeypatch)
    assert embed_file(source, tmp_path / "emb", "hash", tmp_path, 100).sentences == len(LINES)
    check()


def test_the_scratch_file_is_not_sqlite_errors_escaping(tmp_path):
    store = streaming.JobStore(tmp_path)
    store.db.close()
    store.db = sqlite3.connect(":memory:")  # a store whose tables are gone
    with pytest.raises(WorkbenchError, match="the job's working file failed"):
        store.add_todo(0, "x", ["a"])
    with pytest.raises(WorkbenchError, match="the job's working file failed"):
        list(store.todo())
    store.close()
