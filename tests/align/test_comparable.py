"""Comparable mining on small hand-written documents: order-free, margin, merges, no counterpart."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sacrebleu import sentence_chrf

from workbench.align.comparable import (
    Item,
    MiningConfig,
    NgramCounts,
    _selection,
    char_ngram_counts,
    mine,
    top_k,
)

ENGLISH = [
    "The expo opened on Saturday in Wuxi, in eastern China.",
    "More than 3,000 companies work in the sector, with an output of 300 billion yuan.",
    "Twenty projects were signed at the summit, including artificial intelligence.",
    "The weather was sunny and many visitors came by train.",
    "A report on the development of the industry was released.",
    "The city is the only national demonstration zone for sensor networks.",
]
# "MT" of source sentences, in another order; one statement has no English counterpart
SOURCE_MT = [
    ("A report about the development of the industry was published.", 4),
    ("The city is the only national sensor network demonstration zone in China.", 5),
    ("Local restaurants served noodles to the guests all week long.", None),
    ("The expo opened last Saturday in Wuxi, eastern China.", 0),
    ("More than 3,000 companies, with an output value of 300 billion yuan.", 1),
]


def items(with_mt: bool = True):
    src = [
        Item(
            f"xx:{n}",
            "xx",
            n,
            f"source sentence number {n} " + mt,
            "fr",
            mt if with_mt else None,
            2021,
        )
        for n, (mt, _) in enumerate(SOURCE_MT)
    ]
    tgt = [Item(f"en:{n}", "en", n, text, "en", None, 2021) for n, text in enumerate(ENGLISH)]
    return src, tgt


def test_mining_is_order_free_and_leaves_unmatched_alone():
    src, tgt = items()
    result = mine(src, tgt)
    got = {tuple(p.src): tuple(p.tgt) for p in result.links}
    expected = {(f"xx:{n}",): (f"en:{j}",) for n, (_, j) in enumerate(SOURCE_MT) if j is not None}
    assert got == expected  # crossing links: source order 4, 5, -, 0, 1
    assert [p.src for p in result.unmatched] == [["xx:2"]]
    assert result.with_mt
    for p in result.links:
        assert 0.0 <= p.score <= 1.0
        assert {"chrf", "margin", "cosine", "numbers", "length", "same_edition"} <= set(p.features)


def test_mt_links_carry_sentence_bleu_of_their_mt():
    from sacrebleu import sentence_bleu

    src, tgt = items()
    result = mine(src, tgt)
    mt = {item.id: item.mt for item in src}
    english = {item.id: item.text for item in tgt}
    for p in result.links:
        hyp = " ".join(mt[i] for i in p.src)
        ref = " ".join(english[j] for j in p.tgt)
        assert p.features["bleu"] == pytest.approx(sentence_bleu(hyp, [ref]).score / 100, abs=1e-4)
    assert len(result.links) == 4
    without_mt = mine(*items(with_mt=False)).links
    assert without_mt and all("bleu" not in p.features for p in without_mt)


def test_threshold_one_links_nothing():
    src, tgt = items()
    result = mine(src, tgt, MiningConfig(threshold=1.0))
    assert result.links == [] and len(result.unmatched) == len(src)


def test_forbidden_pair_is_not_proposed_again():
    src, tgt = items()
    result = mine(src, tgt, forbidden={(("xx:3",), ("en:0",))})
    assert all(not (p.src == ["xx:3"] and p.tgt == ["en:0"]) for p in result.links)


def test_adjacent_sentences_merge_into_two_to_one():
    english = [
        "The summit opened in Wuxi on Saturday and more than 3,000 companies took part in it.",
        "Completely unrelated remarks about football results in Europe.",
    ]
    source = [
        "The summit opened in Wuxi on Saturday.",
        "More than 3,000 companies took part in it.",
        "Football results in Europe were unrelated remarks.",
    ]
    src = [Item(f"s:{n}", "s", n, t, "fr", t, 2022) for n, t in enumerate(source)]
    tgt = [Item(f"e:{n}", "e", n, t, "en", None, 2022) for n, t in enumerate(english)]
    result = mine(src, tgt, MiningConfig(threshold=0.3))
    merged = [p for p in result.links if p.tgt == ["e:0"]]
    assert merged and merged[0].src == ["s:0", "s:1"]


def test_without_mt_anchors_still_pair_numbers_and_names():
    src = [
        Item(
            "th:0",
            "th",
            0,
            "บริษัทมากกว่า 3,000 แห่ง มูลค่ากว่า 3 แสนล้านหยวน ที่ Wuxi IoT",
            "th",
            None,
            2021,
        ),
        Item("th:1", "th", 1, "ภายในงาน มีการลงนามโครงการจำนวน 20 โครงการ IoT", "th", None, 2021),
    ]
    tgt = [
        Item("en:0", "en", 0, "On the summit site, 20 IoT projects were signed.", "en", None, 2021),
        Item(
            "en:1",
            "en",
            1,
            "The weather was fine for the opening ceremony of the fair.",
            "en",
            None,
            2021,
        ),
        Item(
            "en:2",
            "en",
            2,
            "Wuxi has more than 3,000 IoT companies and 300 billion yuan of output.",
            "en",
            None,
            2021,
        ),
    ]
    result = mine(src, tgt)
    got = {tuple(p.src): tuple(p.tgt) for p in result.links}
    assert got == {("th:0",): ("en:2",), ("th:1",): ("en:0",)}
    assert not result.with_mt
    assert all("surface" in p.features and "chrf" not in p.features for p in result.links)


def test_empty_sides():
    src, tgt = items()
    assert mine(src, []).links == [] and len(mine(src, []).unmatched) == len(src)
    assert mine([], tgt).links == []


def test_ngram_chrf_equals_sacrebleu_for_single_sentences():
    rng = random.Random(7)
    words = [
        "the",
        "of",
        "and",
        "industry",
        "internet",
        "des",
        "objets",
        "Wuxi",
        "3,000",
        "yuan",
        "เมือง",
        "อู๋ซี",
        "summit",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(40)]
    counts = NgramCounts(texts, beta=2)
    pairs = [(rng.randrange(40), rng.randrange(40)) for _ in range(60)]
    left = _selection([(a,) for a, _ in pairs], len(texts))
    right = _selection([(b,) for _, b in pairs], len(texts))
    got = counts.chrf(left, right) * 100
    want = [sentence_chrf(texts[a], [texts[b]]).score for a, b in pairs]
    assert np.allclose(got, want, atol=1e-6)


def test_top_k_matches_dense_cosine():
    texts = ["alpha beta gamma", "beta gamma delta", "totally different", "alpha beta", "gamma"]
    m = char_ngram_counts(texts).astype(float).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    dense = (m.toarray() / norms[:, None]) @ (m.toarray() / norms[:, None]).T
    from scipy.sparse import csr_matrix

    normalised = csr_matrix(m.toarray() / norms[:, None])
    idx, sims = top_k(normalised, normalised, 2, chunk=2)
    for row in range(len(texts)):
        assert idx[row, 0] == row  # itself first
        assert sims[row, 1] == pytest.approx(np.sort(dense[row])[-2], abs=1e-5)


def test_align_pair_comparable_mode(tmp_path, capsys):
    from workbench.cli import main

    src, tgt = items()
    (tmp_path / "src.txt").write_text("".join(i.text + "\n" for i in src), encoding="utf-8")
    (tmp_path / "mt.txt").write_text("".join(i.mt + "\n" for i in src), encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("".join(i.text + "\n" for i in tgt), encoding="utf-8")
    args = [
        "align-pair",
        str(tmp_path / "src.txt"),
        str(tmp_path / "tgt.txt"),
        "--mode",
        "comparable",
    ]
    assert main([*args, "--src-translation", str(tmp_path / "mt.txt"), "--format", "vecalign"]) == 0
    lines = capsys.readouterr().out.split()
    assert {"[0]:[4]", "[1]:[5]", "[2]:[]", "[3]:[0]", "[4]:[1]", "[]:[2]", "[]:[3]"} == set(lines)


def test_top_k_both_ways_with_chunks_matches_dense():
    from scipy import sparse

    from workbench.align.comparable import top_k_both

    rng = np.random.default_rng(3)
    left = sparse.random(23, 40, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    right = sparse.random(17, 40, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    dense = (left @ right.T).toarray()
    (fi, fs), (bi, bs) = top_k_both(left, right, k=3, chunk=4)
    assert np.allclose(fs, -np.sort(-dense, axis=1)[:, :3], atol=1e-6)
    assert np.allclose(bs, -np.sort(-dense.T, axis=1)[:, :3], atol=1e-6)
    assert np.allclose(np.take_along_axis(dense, fi, axis=1), fs, atol=1e-6)
    assert np.allclose(np.take_along_axis(dense.T, bi, axis=1), bs, atol=1e-6)


def test_order_veto_within_one_edition_only() -> None:
    """Eight confident pairs on the diagonal; the first source sentence with the last English
    one crosses six of them: vetoed when the two documents share an edition, kept across two."""
    from workbench.align.comparable import Item, MiningConfig, _order_veto

    def docs(src_edition: int, tgt_edition: int):
        src = [Item(f"s:{n}", "s", n, f"s {n}", "fr", edition=src_edition) for n in range(8)]
        tgt = [Item(f"t:{n}", "t", n, f"t {n}", "en", edition=tgt_edition) for n in range(8)]
        return src, tgt

    cand = np.array([[n, n] for n in range(1, 7)] + [[0, 7]])
    for editions, expected in (((2022, 2022), 0.0), ((2021, 2022), 0.7)):
        scores = np.array([0.95] * 6 + [0.7])
        assert _order_veto(cand, scores, *docs(*editions), MiningConfig()) == (expected == 0.0)
        assert scores[-1] == pytest.approx(expected) and (scores[:6] == 0.95).all()
    scores = np.array([0.95] * 6 + [0.7])
    off = MiningConfig(order_crossings=0)
    assert _order_veto(cand, scores, *docs(2022, 2022), off) == 0 and scores[-1] == 0.7
