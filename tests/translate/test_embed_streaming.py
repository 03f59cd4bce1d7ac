"""``embed`` and ``embed --into-cache`` stream their input (``translate/embed.py``,
``embed_import.py``, with the pieces of ``translate/streaming.py``): the folder is byte for byte
what the whole-input code wrote, a killed job resumes from its shards, the driver's heap does
not grow with the input. A hash-based encoder stands in for the model and an in-process
``run_blocks`` for Ray (the real one: tests/translate/test_ray_engine.py)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import workbench.align.signals.encoder as encoders
import workbench.translate.distributed as distributed
from workbench.errors import InputError, WorkbenchError
from workbench.translate.distributed import RayJob
from workbench.translate.embed import INDEX, embed_file, npy_bytes, shard_file
from workbench.translate.embed_import import import_embeddings
from workbench.translate.records import read_records

RAY = RayJob(None, 2, 1)


class HashEncoder:
    """Unit rows from each sentence's digest (a blank sentence: zeros); ``fail_after`` blocks,
    then a crash; ``on_encode`` runs before each block."""

    id = "hash-encoder"
    dim = 8

    def __init__(self) -> None:
        self.blocks = 0
        self.fail_after: int | None = None
        self.on_encode: Any = None

    def provenance(self) -> dict[str, Any]:
        return {"id": self.id, "package": "hash==1", "note": "é"}

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and self.blocks == self.fail_after:
            raise KeyboardInterrupt
        if self.on_encode:
            self.on_encode()
        self.blocks += 1
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            if text.strip():
                digest = np.frombuffer(hashlib.sha256(text.encode()).digest()[:8], np.uint8)
                vector = digest.astype(np.float32) - 127.5
                out[row] = vector / np.linalg.norm(vector)
        return out


@pytest.fixture
def encoder(monkeypatch) -> HashEncoder:
    fake = HashEncoder()
    monkeypatch.setattr(encoders, "get_encoder", lambda name, models_dir=None: fake)
    return fake


@pytest.fixture
def fake_ray(monkeypatch) -> dict:
    """``run_blocks`` in this process with the real actor class, blocks taken one by one."""
    seen: dict = {"blocks": 0, "lazy": None}

    def run_blocks(job, actor, args, blocks, on_result, desc, progress):
        seen["lazy"] = not isinstance(blocks, dict | list | tuple)
        worker = actor(*args)
        for index, texts in blocks:
            seen["blocks"] += 1
            out = worker({"index": [index], "texts": [json.dumps(texts)]})
            on_result(out["index"][0], out["output"][0])

    monkeypatch.setattr(distributed, "run_blocks", run_blocks)
    return seen


def whole_input_folder(source: Path, block_lines: int, encoder: HashEncoder) -> dict[str, bytes]:
    """What the whole-input ``embed_file`` wrote (records read whole, one index dump)."""
    records = read_records(source)
    texts = records.texts
    blocks = [texts[i : i + block_lines] for i in range(0, len(texts), block_lines)]
    files = {shard_file(encoder.id, b): npy_bytes(encoder.encode(b)) for b in blocks}
    index = {
        "encoder": encoder.provenance(),
        "dim": encoder.dim,
        "count": len(texts),
        "ids": records.ids,
        "shards": [{"file": shard_file(encoder.id, b), "rows": len(b)} for b in blocks],
    }
    files[INDEX] = (json.dumps(index, ensure_ascii=False) + "\n").encode()
    return files


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


def generated(tmp_path: Path, kind: str, count: int = 3001) -> Path:
    texts = [f"phrase {i % 900} « {i} »" if i % 97 else " " * (i % 2) for i in range(count)]
    if kind == "txt":
        path = tmp_path / "in.txt"
        path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(texts).encode() + b"\n")
    else:
        ids = [i if i % 3 == 0 else (f"é-{i}" if i % 3 == 1 else i + 0.5) for i in range(count)]
        rows = (
            json.dumps({"id": d, "text": t}, ensure_ascii=False)
            for d, t in zip(ids, texts, strict=True)
        )
        path = tmp_path / "in.jsonl"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["txt", "jsonl"])
@pytest.mark.parametrize("engine", ["local", "ray"])
def test_the_folder_is_the_whole_input_folder_byte_for_byte(
    tmp_path, encoder, fake_ray, kind, engine
):
    source = generated(tmp_path, kind)
    out = tmp_path / "emb"
    stats = embed_file(source, out, "hash", tmp_path, 64, RAY if engine == "ray" else None)
    assert stats.sentences == 3001 and stats.blocks == 47 and stats.reused == 0
    assert folder_files(out) == whole_input_folder(source, 64, encoder)  # no job-*.sqlite left
    if engine == "ray":
        assert fake_ray["lazy"] and fake_ray["blocks"] == 47


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_a_killed_job_resumes_from_its_shards(tmp_path, encoder, fake_ray, engine):
    source = generated(tmp_path, "jsonl", 1000)
    out = tmp_path / "emb"
    ray = RAY if engine == "ray" else None
    encoder.fail_after = 4
    with pytest.raises(KeyboardInterrupt):
        embed_file(source, out, "hash", tmp_path, 100, ray)
    assert len(list(out.glob("*.npy"))) == 4 and not (out / INDEX).exists()
    (out / "job-999999999.sqlite").write_bytes(b"left by a killed job")  # a dead pid's file
    encoder.fail_after, encoder.blocks = None, 0
    stats = embed_file(source, out, "hash", tmp_path, 100, ray)
    assert encoder.blocks == 6 and stats.reused == 4 and stats.blocks == 10
    assert folder_files(out) == whole_input_folder(source, 100, encoder)


def test_a_bad_record_leaves_no_folder_and_encodes_nothing(tmp_path, encoder):
    source = tmp_path / "in.jsonl"
    good = "".join(json.dumps({"id": i, "text": f"phrase {i}"}) + "\n" for i in range(3000))
    source.write_text(good + '{"id": 3000}\n')
    with pytest.raises(InputError, match=':3001: "text" must be a string'):
        embed_file(source, tmp_path / "emb", "hash", tmp_path, 100)
    assert encoder.blocks == 0 and not (tmp_path / "emb").exists()


def test_an_input_changed_during_the_job_writes_no_index(tmp_path, encoder):
    source = generated(tmp_path, "txt", 300)

    def edit() -> None:
        source.write_text(source.read_text(encoding="utf-8-sig").replace("phrase 5 ", "X "))

    encoder.on_encode = edit
    with pytest.raises(WorkbenchError, match="the input changed while the job ran"):
        embed_file(source, tmp_path / "emb", "hash", tmp_path, 100)
    assert not (tmp_path / "emb" / INDEX).exists()


def _heap(tmp_path: Path, count: int, into_cache: bool) -> tuple[int, int]:
    """The heap peak (bytes, tracemalloc) of an embed job on ``count`` lines, or of loading
    its folder into a cache, and the input's size."""
    source = tmp_path / f"in-{count}.txt"
    lines = (f"phrase numéro {i} d'un très long fichier d'entrée" for i in range(count))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, cache = tmp_path / f"emb-{count}", tmp_path / f"cache-{count}.sqlite"
    if into_cache:
        embed_file(source, out, "hash", tmp_path, 500, RAY)
    tracemalloc.start()
    try:
        if into_cache:
            assert import_embeddings(source, out, "hash", tmp_path, cache).rows == count
        else:
            assert embed_file(source, out, "hash", tmp_path, 500, RAY).sentences == count
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, source.stat().st_size


@pytest.mark.parametrize("into_cache", [False, True], ids=["embed", "into-cache"])
def test_the_heap_does_not_grow_with_the_input(tmp_path, encoder, fake_ray, into_cache):
    small, _ = _heap(tmp_path, 20_000, into_cache)
    big, size = _heap(tmp_path, 80_000, into_cache)
    assert big < 1.5 * small and big < size / 4, (small, big, size)


def test_the_import_is_one_transaction_of_every_shard(tmp_path, encoder):
    source = generated(tmp_path, "jsonl", 1000)
    out, cache = tmp_path / "emb", tmp_path / "cache.sqlite"
    embed_file(source, out, "hash", tmp_path, 100)
    assert import_embeddings(source, out, "hash", tmp_path, cache).rows == 1000
    with sqlite3.connect(cache) as db:
        distinct = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    assert distinct == len(set(read_records(source).texts))


def test_a_line_dropped_from_the_input_is_refused_by_its_count(tmp_path, encoder):
    source = generated(tmp_path, "txt", 1000)
    out, cache = tmp_path / "emb", tmp_path / "cache.sqlite"
    embed_file(source, out, "hash", tmp_path, 100)
    lines = source.read_bytes().split(b"\r\n")
    source.write_bytes(b"\r\n".join(lines[:10] + lines[11:]))
    with pytest.raises(InputError, match="the input has 999 records, the embeddings 1000"):
        import_embeddings(source, out, "hash", tmp_path, cache)
    assert not cache.exists()


@pytest.mark.parametrize("slice_chars", [1, 3, 7, 1 << 16])
def test_the_index_read_without_its_ids_is_the_index(tmp_path, slice_chars):
    from workbench.translate.embed import index_text_without_ids

    ids = [1, 'a"]b', "x\\", "[{", {"k": ["]"]}, "ids", None, 2.5, 'q\\"', "é"]
    index = {"encoder": {"id": "e", "ids": ["x"]}, "dim": 8, "ids": ids, "shards": [{"a": 1}]}
    for text in (json.dumps(index), json.dumps(index, indent=2, ensure_ascii=False)):
        path = tmp_path / INDEX
        path.write_text(text, encoding="utf-8")
        assert json.loads(index_text_without_ids(path, slice_chars)) == {**index, "ids": []}
