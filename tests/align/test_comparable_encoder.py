"""Comparable mode with the sentence encoder: meaning without MT, bad input, the 1-0 score."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.align.comparable import Item, MiningConfig, mine
from workbench.align.signals.semantic import EncoderSignal

# Thai statements and their English counterparts (in another order), plus one Thai statement
# with no counterpart; no numbers, dates or Latin names: anchors alone cannot pair them
THAI = [
    "แมวนอนหลับอยู่บนโซฟาในห้องนั่งเล่นทั้งวัน",
    "รัฐบาลประกาศแผนการสร้างโรงพยาบาลแห่งใหม่ในชนบท",
    "นักเรียนหลายคนชอบเรียนวิชาดนตรีมากกว่าคณิตศาสตร์",
    "ฝนตกหนักทำให้ถนนหลายสายในเมืองถูกน้ำท่วม",
]
ENGLISH = [
    "Heavy rain flooded many roads in the city.",
    "The cat slept on the living room sofa all day.",
    "The government announced a plan to build a new hospital in the countryside.",
    "The stock market closed higher after a volatile week.",
]
GOLD = {("th:0", "en:1"), ("th:1", "en:2"), ("th:3", "en:0")}


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    from workbench.align.signals.semantic import open_encoder

    return open_encoder("use-multilingual-v3", tmp_path_factory.mktemp("emb") / "e.sqlite")


def _items(src_texts, tgt_texts, src_lang="th"):
    src = [Item(f"th:{n}", "th-doc", n, t, src_lang) for n, t in enumerate(src_texts)]
    tgt = [Item(f"en:{n}", "en-doc", n, t, "en") for n, t in enumerate(tgt_texts)]
    return src, tgt


def _pairs(result):
    return {(s, t) for p in result.links for s in p.src for t in p.tgt}


def test_encoder_pairs_thai_with_english_without_mt(encoder):
    src, tgt = _items(THAI, ENGLISH)
    without = mine(src, tgt, MiningConfig())
    with_encoder = mine(src, tgt, MiningConfig(), encoder=encoder)
    assert _pairs(with_encoder) == GOLD
    assert not _pairs(without) & GOLD  # the anchors alone find none of them
    link = with_encoder.links[0]
    assert {"enc_cos", "enc_margin", "enc_support"} <= set(link.features)
    assert [p.src for p in with_encoder.unmatched] == [["th:2"]]


class _NoThai:
    """A fake encoder that was not trained on Thai: every text maps to a fixed vector."""

    id, dim = "fake", 4

    def __init__(self):
        self.seen: list[str] = []

    def supports(self, lang: str) -> bool:
        return lang != "th"

    def encode(self, texts):
        self.seen += list(texts)
        return np.tile(np.array([1.0, 0, 0, 0], dtype=np.float32), (len(texts), 1))

    def provenance(self):
        return {"id": self.id}


def test_a_language_the_encoder_lacks_falls_back_and_is_named_once():
    fake = _NoThai()
    src, tgt = _items(THAI, ENGLISH)
    result = mine(src, tgt, MiningConfig(), encoder=fake)
    assert result.unread == {"th-doc": "th"}
    assert not any(t in fake.seen for t in THAI)  # never sent to the encoder
    assert all("enc_cos" not in p.features for p in result.links)


def test_the_corpus_aligner_warns_once_per_document(seed_corpus, tmp_path, monkeypatch, capsys):
    import workbench.align.corpus_align as corpus_align
    from workbench.settings import AlignSettings

    monkeypatch.setattr(corpus_align, "open_encoder", lambda settings, models_dir=None: _NoThai())
    runs = corpus_align.align_corpus(seed_corpus, {}, AlignSettings(), tmp_path, write=False)
    err = capsys.readouterr().err
    assert err.count("th-2021-xinhua") == 1 and "was not trained on 'th'" in err
    assert "fr-2022-cnw" not in err
    assert {r.encoder for r in runs} == {"fake"}


def test_empty_and_very_long_sentences_do_not_crash(encoder):
    long = "La zone nationale de démonstration. " * 300  # 10,800 characters
    src, tgt = _items(["", long, "   "], ["", "The national demonstration zone.", "Other."], "fr")
    before = encoder.encoder.truncated
    result = mine(src, tgt, MiningConfig(), encoder=encoder)
    assert encoder.encoder.truncated == before + 1  # cut to the encoder's limit, counted
    assert not any(s in ("th:0", "th:2") for p in result.links for s in p.src)


def test_concatenation_is_embedded_for_merges(encoder):
    signal = EncoderSignal(encoder, ["a b", "c d"], ["fr", "fr"], ["e f"], ["en"], 2)
    features = signal.features([((0, 1), (0,)), ((0,), (0,))])
    merged = encoder.encode(["a b c d"])[0] @ encoder.encode(["e f"])[0]
    assert features["enc_cos"][0] == pytest.approx(float(merged), abs=1e-5)
    assert features["enc_cos"][0] != pytest.approx(features["enc_cos"][1], abs=1e-6)


def test_no_counterpart_confidence_is_low_when_a_plausible_counterpart_exists(encoder):
    # two Thai paraphrases of one English statement: one is linked, the other's 1-0 must not
    # claim confidently that it has no counterpart
    src, tgt = _items([THAI[0], "แมวตัวนั้นนอนบนโซฟาในห้องนั่งเล่นตลอดทั้งวัน", THAI[2]], ENGLISH[:3])
    result = mine(src, tgt, MiningConfig(merge=False), encoder=encoder)
    left = {p.src[0]: p.features["no_counterpart"] for p in result.unmatched}
    paraphrase = next(s for s in ("th:0", "th:1") if s in left)
    assert left[paraphrase] < 0.7
    assert left["th:2"] > left[paraphrase]


def test_unknown_encoder_is_one_line_and_exit_2(corpus_copy, tmp_path, capsys, monkeypatch):
    from workbench.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "alignments"
    assert main(["align", str(corpus_copy), "--out", str(out), "--encoder", "./no-such"]) == 2
    assert main(["align", str(corpus_copy), "--out", str(out), "--encoder", "no-such-enc"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no-such" in err[0] and "no-such-enc" in err[1]
    assert "Traceback" not in "".join(err)
    assert not out.exists()


def test_realigning_an_unchanged_corpus_encodes_nothing(seed_corpus, tmp_path):
    from workbench.align.corpus_align import align_corpus, open_encoder, realign
    from workbench.settings import AlignSettings

    settings = AlignSettings()
    runs = align_corpus(seed_corpus, {}, settings, tmp_path, write=False)
    encoder = open_encoder(settings)
    before = encoder.encoder.encoded
    again = realign(runs[0].alignment, seed_corpus, {}, settings)  # what review's R calls
    assert encoder.encoder.encoded == before
    assert [link.src for link in again.links] == [link.src for link in runs[0].alignment.links]


def test_dense_neighbours_both_ways_match_brute_force():
    from workbench.align.signals.neighbours import top_k_both

    rng = np.random.default_rng(3)
    left = rng.standard_normal((37, 8)).astype(np.float32)
    right = rng.standard_normal((23, 8)).astype(np.float32)
    (fwd_idx, fwd_sim), (bwd_idx, bwd_sim) = top_k_both(left, right, 3, chunk=10)
    full = left @ right.T
    assert (fwd_idx == np.argsort(-full, axis=1)[:, :3]).all()
    assert (bwd_idx == np.argsort(-full.T, axis=1)[:, :3]).all()
    assert np.allclose(bwd_sim, -np.sort(-full.T, axis=1)[:, :3])


def test_with_mt_the_english_mt_is_embedded_too(encoder):
    mt = ["The cat slept on the sofa all day.", None, "Many students like music.", None]
    src = [Item(f"th:{n}", "th-doc", n, t, "th", mt[n]) for n, t in enumerate(THAI)]
    tgt = [Item(f"en:{n}", "en-doc", n, t, "en") for n, t in enumerate(ENGLISH)]
    result = mine(src, tgt, MiningConfig(), encoder=encoder)
    cat = next(p for p in result.links if p.src == ["th:0"])
    assert cat.tgt == ["en:1"] and cat.features["enc_mt_cos"] > 0.8
    assert all("enc_mt_cos" not in p.features for p in result.links if p.src == ["th:1"])
