"""Sentence embeddings in parallel mode: the sentence-transformers path through the library
(a tiny random BERT + mean pooling, built and saved here, loaded offline), the default
encoder path, span embeddings (concatenations and sums), bead cosines, the DP using them,
and ``align-pair --encoder`` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from workbench.align.beads import parse_beads
from workbench.align.eval import score_documents
from workbench.align.parallel import Band, ParallelParams, align_parallel, full_band
from workbench.align.signals.bead_cosines import SpanEmbeddings, join_span, span_cosines
from workbench.align.signals.encoder import get_encoder
from workbench.cli import main

ROOT = Path(__file__).resolve().parents[2]
SRC = [
    "Der Berg ist hoch .",
    "Wir stiegen am Morgen auf .",
    "Das Wetter war schlecht .",
    "Am Abend kamen wir zurück .",
]
MT = [
    "La montagne est haute .",
    "Nous sommes montés le matin .",
    "Le temps était mauvais .",
    "Le soir nous sommes revenus .",
]
TGT = [
    "La montagne est très haute .",
    "Nous sommes montés au matin .",
    "Le temps était mauvais .",
    "Le soir , nous sommes revenus .",
]


@pytest.fixture(scope="session")
def st_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sentence-transformers model saved by the library: Transformer over a tiny random
    BERT (workbench.translate.toymodels) + mean Pooling."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    from workbench.translate.toymodels import build_bert_encoder

    root = tmp_path_factory.mktemp("st")
    bert = build_bert_encoder(root / "bert", SRC + MT + TGT, seed=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        word = Transformer(str(bert), max_seq_length=64)
        pooling = Pooling(word.get_embedding_dimension(), pooling_mode="mean")
        folder = root / "tiny-st"
        model = SentenceTransformer(modules=[word, pooling], device="cpu")
        model.save(str(folder), create_model_card=False)
    return folder


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)


def test_sentence_transformers_folder_loads_offline_through_the_library(st_folder, tmp_path):
    from sentence_transformers import SentenceTransformer

    enc = get_encoder(str(st_folder), tmp_path / "models")
    assert enc is not None and enc.id == f"sentence-transformers:{st_folder}"
    sentences = [SRC[1], "Le temps", TGT[3], "", SRC[1]]  # lengths differ: padding in a batch
    emb = enc.encode(sentences)
    assert emb.shape == (5, 32) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb[[0, 1, 2, 4]], axis=1), 1.0, atol=1e-5)
    assert not emb[3].any()  # an empty text: a zero row
    np.testing.assert_array_equal(emb[0], emb[4])
    library = SentenceTransformer(str(st_folder), device="cpu")
    want = library.encode([SRC[1], "Le temps", TGT[3]], normalize_embeddings=True)
    np.testing.assert_allclose(emb[:3], want, atol=1e-5)
    prov = enc.provenance()
    assert prov["package"].startswith("sentence-transformers==") and prov["dim"] == 32
    assert prov["revision"].startswith("local-")


def test_default_encoder_pairs_the_translations():
    enc = get_encoder("use-multilingual-v3")
    sims = enc.encode(SRC) @ enc.encode(TGT).T
    assert list(sims.argmax(axis=1)) == [0, 1, 2, 3]


def test_span_embeddings_embed_concatenations_up_to_concat_max():
    rng = np.random.default_rng(1)
    lines = ["a b", "", "c", " d ", "e"]
    seen: list[str] = []
    table: dict[str, np.ndarray] = {}

    def encode(texts):
        seen.extend(texts)
        for t in texts:
            if t not in table:
                v = rng.normal(size=4)
                table[t] = v / np.linalg.norm(v)
        return np.array([table[t] for t in texts], dtype=np.float32)

    sentences = encode(lines)
    seen.clear()
    spans = SpanEmbeddings(sentences, lines, encode, concat_max=2)
    spans.prepare([1, 2, 3])
    assert seen == [join_span(lines[k - 2 : k]) for k in range(2, 6)]  # one call, size 2 only
    assert join_span(lines[0:2]) == "a b" and join_span(lines[2:4]) == "c d"
    np.testing.assert_allclose(spans.units(2)[4], table["c d"], atol=1e-6)
    assert not spans.units(2)[:2].any()  # rows before the first full span are zero
    three = sentences[2:5].sum(axis=0)
    np.testing.assert_allclose(spans.units(3)[5], three / np.linalg.norm(three), atol=1e-6)
    np.testing.assert_allclose(spans.units(1)[1:], sentences, atol=1e-6)
    sums = SpanEmbeddings(sentences)  # no encoder: sums of members only
    pair = sentences[2] + sentences[3]
    np.testing.assert_allclose(sums.units(2)[4], pair / np.linalg.norm(pair), atol=1e-6)


def _brute_force(src, tgt, band, bead_types):
    n = len(src)
    out = np.full((len(bead_types), n + 1, band.width), np.nan)
    for t, (a, b) in enumerate(bead_types):
        for i in range(n + 1):
            for k in range(band.width):
                j = band.lo[i] + k
                if i < a or j < b or j >= band.hi[i]:
                    continue
                s = src[i - a : i].sum(axis=0)
                g = tgt[j - b : j].sum(axis=0)
                out[t, i, k] = s @ g / (np.linalg.norm(s) * np.linalg.norm(g))
    return out


def test_span_cosines_match_brute_force():
    rng = np.random.default_rng(0)
    src = rng.normal(size=(9, 6)).astype(np.float32)
    tgt = rng.normal(size=(11, 6)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    types = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3))
    lo = np.array([0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
    hi = np.array([3, 4, 5, 6, 8, 9, 10, 11, 12, 12])
    band = Band(lo=lo, hi=hi)
    got = span_cosines(src, tgt, band, types)
    want = _brute_force(src, tgt, band, types)
    assert got.shape == (5, 10, band.width) and got.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got[:, 0]).all()  # row 0: no source sentence
    assert np.isnan(got[3, 1]).all()  # a 2-2 bead needs two source sentences
    assert np.isnan(got[0, 2, band.hi[2] - band.lo[2] :]).all()  # outside the band
    ok = ~np.isnan(want)
    assert ok.sum() > 100
    np.testing.assert_allclose(got[ok], want[ok], atol=1e-5)
    full = full_band(9, 11)  # many rows per chunk: the same as the brute force too
    np.testing.assert_allclose(
        span_cosines(src, tgt, full, types), _brute_force(src, tgt, full, types), atol=1e-5
    )


def _synthetic(seed: int = 3, dim: int = 64, noise: float = 0.05):
    """Gold beads, texts in two scripts that share no character, embeddings: one random
    unit vector per bead, a 2-1 whose source halves sum to the bead's vector, a 1-2 whose
    target halves do, and a target line with no counterpart."""
    rng = np.random.default_rng(seed)

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x)

    def noisy(v: np.ndarray) -> np.ndarray:
        return unit(v + noise * rng.normal(size=dim) / np.sqrt(dim))

    def halves(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = rng.normal(size=dim)
        u -= (u @ v) * v
        u = unit(u)
        return noisy(v + u), noisy(v - u)  # sum points along v; each half at 45 degrees

    latin = "abcdefghijklmnopqrstuvwxyz"
    cyrillic = "абвгдежзийклмнопрстуфхцчшщ"

    def text(alphabet: str) -> str:
        return " ".join(
            "".join(rng.choice(list(alphabet), size=rng.integers(3, 8)))
            for _ in range(rng.integers(4, 9))
        )

    src, tgt, src_emb, tgt_emb, gold = [], [], [], [], []
    for k in range(14):
        v = unit(rng.normal(size=dim))
        if k == 3:  # 2-1
            a, b = halves(v)
            gold.append(((len(src), len(src) + 1), (len(tgt),)))
            src_emb += [a, b]
            tgt_emb.append(noisy(v))
            src += [text(latin), text(latin)]
            tgt.append(text(cyrillic))
        elif k == 8:  # 1-2
            a, b = halves(v)
            gold.append(((len(src),), (len(tgt), len(tgt) + 1)))
            src_emb.append(noisy(v))
            tgt_emb += [a, b]
            src.append(text(latin))
            tgt += [text(cyrillic), text(cyrillic)]
        elif k == 6:  # a target line with no counterpart
            gold.append(((), (len(tgt),)))
            tgt_emb.append(v)
            tgt.append(text(cyrillic))
        else:
            gold.append(((len(src),), (len(tgt),)))
            src_emb.append(noisy(v))
            tgt_emb.append(noisy(v))
            src.append(text(latin))
            tgt.append(text(cyrillic))
    assert not set("".join(src)) & set("".join(tgt)) - {" "}
    return src, tgt, (np.array(src_emb, np.float32), np.array(tgt_emb, np.float32)), gold


def test_dp_uses_the_embedding_term():
    src, tgt, emb, gold = _synthetic()
    chrf_only = align_parallel(src, tgt).beads  # the source as its own "MT": nothing matches
    cosine_only = align_parallel(None, tgt, src=src, embeddings=emb).beads
    # chrF is ~0 everywhere here, so the mix needs the cosine to outweigh it
    mixed = align_parallel(src, tgt, ParallelParams(encoder_weight=0.7), embeddings=emb).beads
    assert cosine_only == gold
    assert mixed == gold
    # chrF sees no shared character: the diagonal, the merges and the lone line are missed
    special = [bead for bead in gold if (len(bead[0]), len(bead[1])) != (1, 1)]
    assert len(special) == 3 and not set(special) & set(chrf_only)
    assert score_documents([gold], [chrf_only]).f1_strict < 0.7
    # weight 0 leaves chrF alone: the mixed path equals the chrF-only one
    zero = ParallelParams(encoder_weight=0.0)
    assert align_parallel(src, tgt, zero, embeddings=emb).beads == chrf_only
    with pytest.raises(ValueError, match="only with embeddings"):
        align_parallel(None, tgt)


def test_long_document_without_mt_gets_an_embedding_band():
    """Over ``full_cells`` with no MT the band comes from chunk embeddings, not anchors."""
    rng = np.random.default_rng(5)
    n = 400
    vectors = rng.normal(size=(n, 32))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    src_emb = vectors + 0.05 * rng.normal(size=(n, 32)) / np.sqrt(32)
    tgt_emb = np.concatenate([vectors[:200], rng.normal(size=(1, 32)), vectors[200:]])
    params = ParallelParams(full_cells=10_000)
    result = align_parallel(None, ["x"] * (n + 1), params, embeddings=(src_emb, tgt_emb))
    # (the target list is only counted: the text terms see "x" everywhere)
    gold = [((i,), (i,)) for i in range(200)] + [((), (200,))]
    gold += [((i,), (i + 1,)) for i in range(200, n)]
    assert result.beads == gold
    assert result.band_cells < (n + 1) * (n + 2) / 4


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("with_mt", [True, False])
def test_align_pair_with_a_sentence_transformers_folder(st_folder, tmp_path, capsys, with_mt):
    src = _write(tmp_path, "a.de", SRC)
    tgt = _write(tmp_path, "a.fr", TGT)
    args = ["align-pair", str(src), str(tgt), "--encoder", str(st_folder)]
    if with_mt:
        args += ["--src-translation", str(_write(tmp_path, "a.mt", MT))]
    args += ["--encoder-weight", "0.3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    beads = parse_beads(out)
    assert len(out.splitlines()) == len(beads) >= 1
    assert sorted(i for s, _ in beads for i in s) == list(range(len(SRC)))
    assert sorted(j for _, t in beads for j in t) == list(range(len(TGT)))
    if with_mt:  # chrF still carries most of the signal: the true 1-1 path
        assert beads == [((i,), (i,)) for i in range(4)]


def test_missing_folder_and_uncached_hub_id_fail_fast(tmp_path):
    src = _write(tmp_path, "a.de", SRC)
    tgt = _write(tmp_path, "a.fr", TGT)
    out = tmp_path / "out.align"
    config = tmp_path / "workbench.toml"
    config.write_text(f"[paths]\nmodels = {str(tmp_path / 'models')!r}\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home")}
    before = sorted(p.name for p in tmp_path.iterdir())
    for model, named in [
        (str(tmp_path / "no-such-encoder"), "no-such-encoder"),
        ("someone/LaBSE-not-here", "someone/LaBSE-not-here"),
    ]:
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "workbench", "--config", str(config), "align-pair",
             str(src), str(tgt), "--encoder", model, "-o", str(out)],
            cwd=ROOT, capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert time.monotonic() - start < 45  # seconds, not a network timeout (busy CI)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("workbench: error: ")
        assert named in lines[0] and "Traceback" not in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert "models pull someone/LaBSE-not-here" in lines[0] and "HF_HUB_OFFLINE" in lines[0]


def test_align_pair_with_the_default_encoder_does_not_import_torch(tmp_path):
    src = _write(tmp_path, "a.de", SRC)
    tgt = _write(tmp_path, "a.fr", TGT)
    config = tmp_path / "workbench.toml"
    config.write_text(f"[align]\nembedding_cache = {str(tmp_path / 'emb.sqlite')!r}\n")
    code = (
        "import sys; from workbench.cli import main;"
        f"main(['--config', {str(config)!r}, 'align-pair', {str(src)!r}, {str(tgt)!r}]);"
        "print('HEAVY', [m for m in ('torch', 'transformers') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in out.stdout
    assert parse_beads(out.stdout.split("HEAVY")[0]) == [((i,), (i,)) for i in range(4)]
    assert (tmp_path / "emb.sqlite").exists()  # the encoder ran through the cache
