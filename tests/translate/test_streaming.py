"""The Ray engine's driver streams its input (``translate/streaming.py``): the streaming
readers read what the in-memory readers read and refuse what they refuse; the driver's heap
stays far below the input's size; a killed job resumes from its shards. Ray itself is
replaced here by a stand-in ``run_blocks`` (the real one: tests/translate/test_ray_engine.py)."""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import workbench.translate.distributed as distributed
from workbench.errors import InputError
from workbench.settings import TranslateSettings
from workbench.translate.cache import TranslationCache
from workbench.translate.records import iter_records, read_records
from workbench.translate.streaming import translate_file_ray


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", b"\xef\xbb\xbfBonjour.\r\n\nMerci.\n\n"),
        ("b.txt", b"un\ndeux"),
        ("c.txt", b"  \nun \xc3\xa9t\xc3\xa9\x0bdeux\n"),
        ("d.jsonl", b'{"id": 1, "text": "un"}\n\n{"id": "b", "text": ""}\r\n'),
    ],
)
def test_streamed_records_are_the_records(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    records = read_records(path)
    assert list(iter_records(path)) == list(zip(records.ids, records.texts, strict=True))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", b"un\ndeux\x00\n"),
        ("b.txt", b"\xef\xbb\xbfun\nd\xffeux\n"),
        ("c.txt", b" \n\r\n"),
        ("d.jsonl", b'{"id": 1, "text": "un"}\n{"id": 2}\n'),
        ("e.jsonl", b'{"id": 1, "text": "un"}\n\xff\n'),
        ("f.jsonl", b"\n\n"),
        ("missing.txt", None),
    ],
)
def test_streamed_records_fail_as_the_records_do(tmp_path, name, data):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(InputError) as whole:
        read_records(path)
    with pytest.raises(InputError) as streamed:
        list(iter_records(path))
    assert str(streamed.value) == str(whole.value)


def test_streamed_parquet_is_the_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"id": list(range(9000)), "text": [f"s{i}" for i in range(9000)]}), path
    )
    records = read_records(path)
    assert list(iter_records(path)) == list(zip(records.ids, records.texts, strict=True))


@dataclass
class FakeEngine:
    """What the driver needs of an engine; the stand-in workers upper-case."""

    identity: dict = field(default_factory=lambda: {"model": "upper", "src": "fr", "tgt": "en"})
    src_lang: str = "fr"
    tgt_lang: str = "en"

    def prepare(self) -> None:
        pass


@pytest.fixture
def fake_ray(monkeypatch) -> dict:
    """``run_blocks`` in this process: blocks consumed one by one, as the real one puts them
    into the object store; ``stop_after`` blocks, then a crash (a killed driver)."""
    seen: dict = {"blocks": 0, "lazy": None, "stop_after": None}

    def run_blocks(job, actor, args, blocks, on_result, desc, progress):
        seen["lazy"] = not isinstance(blocks, dict | list | tuple)
        for index, texts in blocks:
            if seen["stop_after"] is not None and seen["blocks"] == seen["stop_after"]:
                raise KeyboardInterrupt
            seen["blocks"] += 1
            on_result(index, json.dumps([t.upper() for t in texts]))

    monkeypatch.setattr(distributed, "run_blocks", run_blocks)
    monkeypatch.setattr(distributed, "connect", lambda address, cpus: None)
    monkeypatch.setattr(distributed, "for_workers", lambda engine, threads: engine)
    return seen


def settings(**changes) -> TranslateSettings:
    return TranslateSettings(engine="ray", threads=1, **{"block_lines": 500, **changes})


def run(source: Path, out: Path, cache: str = ":memory:", **changes):
    with TranslationCache(cache) as opened:
        return translate_file_ray(
            source, out, FakeEngine(), opened, settings(**changes), out.with_suffix(".shards")
        )


def _peak(tmp_path: Path, count: int) -> tuple[int, int]:
    """The driver's heap peak (bytes, tracemalloc) for a job of ``count`` lines, and the
    input's size."""
    source = tmp_path / f"in-{count}.txt"
    lines = [f"phrase numéro {i} d'un très long fichier d'entrée" for i in range(count)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / f"out-{count}.txt"
    tracemalloc.start()
    try:
        stats = run(source, out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stats.translated == count
    assert out.read_text(encoding="utf-8").splitlines() == [line.upper() for line in lines]
    return peak, source.stat().st_size


def test_the_driver_heap_does_not_grow_with_the_input(tmp_path, fake_ray):
    small, _ = _peak(tmp_path, 20_000)
    assert fake_ray["lazy"] and fake_ray["blocks"] == 40  # blocks handed over one by one
    big, size = _peak(tmp_path, 80_000)
    assert big < 1.5 * small and big < size / 2, (small, big, size)
    assert not list((tmp_path / "out-80000.shards").glob("job-*"))  # the working file is gone


def test_a_killed_job_resumes_without_redoing_finished_blocks(tmp_path, fake_ray):
    source = tmp_path / "in.jsonl"
    texts = [f"phrase {i % 700}" for i in range(1000)] + ["", "phrase 3"]  # repeats, a blank
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    fake_ray["stop_after"] = 3
    with pytest.raises(KeyboardInterrupt):
        run(source, tmp_path / "out.jsonl", block_lines=100)
    assert not (tmp_path / "out.jsonl").exists()  # no partial output
    fake_ray["stop_after"], fake_ray["blocks"] = None, 0
    stats = run(source, tmp_path / "out.jsonl", block_lines=100)
    assert fake_ray["blocks"] == 4 and stats.cached == 300 and stats.translated == 400
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert rows == [{"id": i, "text": t, "translation": t.upper()} for i, t in enumerate(texts)]


def test_a_bad_record_stops_the_job_before_any_block_is_sent(tmp_path, fake_ray):
    source = tmp_path / "in.jsonl"
    good = "".join(json.dumps({"id": i, "text": f"phrase {i}"}) + "\n" for i in range(3000))
    source.write_text(good + '{"id": 3000}\n')
    with pytest.raises(InputError, match=':3001: "text" must be a string'):
        run(source, tmp_path / "out.jsonl")
    assert fake_ray["blocks"] == 0 and not (tmp_path / "out.jsonl").exists()


def test_a_second_run_takes_everything_from_the_cache(tmp_path, fake_ray):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(f"phrase {i}" for i in range(1200)) + "\n")
    cache = str(tmp_path / "cache.sqlite")
    run(source, tmp_path / "one.txt", cache)
    fake_ray["blocks"] = 0
    stats = run(source, tmp_path / "two.txt", cache)
    assert fake_ray["blocks"] == 0 and stats.cached == 1200 and stats.translated == 0
    assert (tmp_path / "one.txt").read_bytes() == (tmp_path / "two.txt").read_bytes()
