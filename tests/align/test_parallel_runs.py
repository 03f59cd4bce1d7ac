"""Parallel mode: runs of skips (affine gap) and scoring both ways (``--tgt-translation``)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.align.wordlist import SMALL_WORDS as WORDS
from workbench.align.beads import parse_beads
from workbench.align.parallel import ParallelParams, align_parallel
from workbench.cli import main


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + " ."


def _with_caption_block(seed: int, block: int = 12):
    """(mt, tgt, gold): 1-1 sentences, a 2-1 and 1-2 bead, and a block of captions (0-1)
    only in the target, each caption sharing a word or two with the text around it."""
    rng = random.Random(seed)
    mt, tgt, gold = [], [], []
    for k in range(40):
        if k == 20:
            for c in range(block):
                gold.append(((), (len(tgt),)))
                tgt.append(f"{c + 3} - Photo {rng.choice(WORDS)} {rng.choice(WORDS)}")
        if k in (8, 30):  # 2-1 and 1-2
            a, b = _sentence(rng), _sentence(rng)
            if k == 8:
                gold.append(((len(mt), len(mt) + 1), (len(tgt),)))
                mt += [a, b]
                tgt.append(f"{a} {b}")
            else:
                gold.append(((len(mt),), (len(tgt), len(tgt) + 1)))
                mt.append(f"{a} {b}")
                tgt += [a, b]
            continue
        s = _sentence(rng)
        gold.append(((len(mt),), (len(tgt),)))
        mt.append(s)
        tgt.append(s)
    return mt, tgt, gold


def test_run_bonus_leaves_a_caption_block_out():
    mt, tgt, gold = _with_caption_block(seed=3)
    captions = [b for b in gold if not b[0]]
    params = ParallelParams(skip=-0.35, run_bonus=0.0)
    plain = set(align_parallel(mt, tgt, params).beads)
    assert sum(b in plain for b in captions) < len(captions)  # merged into neighbours
    runs = align_parallel(mt, tgt, ParallelParams(skip=-0.35, run_bonus=0.3)).beads
    assert runs == gold


def test_run_bonus_zero_keeps_isolated_skips_unchanged():
    mt, tgt, gold = _with_caption_block(seed=4, block=1)
    for bonus in (0.0, 0.1):
        assert align_parallel(mt, tgt, ParallelParams(run_bonus=bonus)).beads == gold


def _noisy(lines: list[str], rng: random.Random, rate: float) -> list[str]:
    """An MT stand-in: each word replaced by a random one with probability ``rate``."""
    return [
        " ".join(rng.choice(WORDS) if rng.random() < rate else w for w in s.split()) for s in lines
    ]


def test_both_ways_scores_are_used_and_checked():
    rng = random.Random(7)
    mt, tgt, gold = _with_caption_block(seed=5, block=0)
    src = _noisy(mt, rng, 0.2)  # "source language" text, close to its MT
    tgt_mt = _noisy(tgt, rng, 0.2)
    one_way = align_parallel(mt, tgt)
    both = align_parallel(mt, tgt, src=src, tgt_mt=tgt_mt)
    assert both.beads == gold
    # scored both ways, a 1-1 bead's similarity is the mean of the two chrF values
    assert any(abs(a - b) > 1e-3 for a, b in zip(one_way.sims, both.sims, strict=True) if a == a)
    with pytest.raises(ValueError, match="together"):
        align_parallel(mt, tgt, src=src)
    with pytest.raises(ValueError, match="line-parallel"):
        align_parallel(mt, tgt, src=src, tgt_mt=tgt_mt[:-1])


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_cli_tgt_translation(tmp_path: Path, capsys):
    src = _write(tmp_path / "a.de", ["Der Berg ist hoch .", "Das Wetter war schlecht ."])
    tgt = _write(tmp_path / "a.fr", ["La montagne est haute .", "Le temps était mauvais ."])
    mt = _write(tmp_path / "a.mt", ["La montagne est haute .", "Le temps était mauvais ."])
    back = _write(tmp_path / "a.back", ["Der Berg ist hoch .", "Das Wetter war schlecht ."])
    args = ["align-pair", str(src), str(tgt), "--src-translation", str(mt)]
    assert main([*args, "--tgt-translation", str(back)]) == 0
    assert parse_beads(capsys.readouterr().out) == [((0,), (0,)), ((1,), (1,))]
    short = _write(tmp_path / "short.back", ["Der Berg ist hoch ."])
    assert main([*args, "--tgt-translation", str(short)]) == 2
    err = capsys.readouterr().err
    assert "short.back" in err and "line-parallel to the target" in err
    assert main([*args, "--tgt-translation", str(back), "--mode", "comparable"]) == 2
    assert "not used by --mode comparable" in capsys.readouterr().err


def test_number_misses_counts_members_with_unmatched_numbers():
    from workbench.align.parallel import full_band, number_misses

    mt = ["The peak is 8501 m high .", "No numbers here ."]
    tgt = ["Le sommet fait 8501 m .", "10 - Photo Air Force", "Pas de chiffres ."]
    params = ParallelParams(bead_types=((1, 1), (1, 2)))
    out = number_misses(mt, tgt, full_band(2, 3), params)
    assert out[0, 1, 1] == 0  # 8501 on both sides
    assert out[0, 1, 2] == 2  # 8501 vs 10: both members miss
    assert out[1, 1, 2] == 1  # 1-2 bead (0; 0, 1): 8501 found, the caption's 10 is not
    assert out[1, 2, 2] == 2  # 1-2 bead (1; 0, 1): "No numbers" is free, 8501 and 10 miss


def test_number_weight_keeps_a_numbered_caption_out_of_a_bead():
    mt = [
        "The expedition reached the summit on 9 May with two porters .",
        "Later the weather turned bad and the team went down to the valley .",
    ]
    tgt = [
        "The expedition reached the summit on 9 May with two porters .",
        "12 - Photo Air Force",
        "Later the weather turned bad and the team went down to the valley .",
    ]
    gold = [((0,), (0,)), ((), (1,)), ((1,), (2,))]
    loose = ParallelParams(skip=-0.3, number_weight=0.0)
    assert align_parallel(mt, tgt, loose).beads != gold
    assert align_parallel(mt, tgt, replace(loose, number_weight=0.5)).beads == gold


def test_best_sub_pair_is_the_best_member_one_to_one():
    from workbench.align.parallel import SentenceGrams, bead_similarities, best_sub_pair, full_band

    mt = ["the glacier is wide .", "we camp by the lake .", "storm at night ."]
    tgt = ["the glacier is very wide .", "we camp by the lake tonight ."]
    params = ParallelParams(bead_types=((1, 1), (2, 1), (1, 2)))
    band = full_band(3, 2)
    sims = bead_similarities(SentenceGrams(mt, tgt), band, params)
    best = best_sub_pair(sims, band, params, 2, 1)
    # bead (mt 0-1; tgt 1) ends at DP cell (2, 2): its member pairs are (0, 1) and (1, 1)
    assert best[2, 2] == pytest.approx(max(sims[0, 0, 1, 2], sims[0, 0, 2, 2]))
    assert best[2, 2] == pytest.approx(sims[0, 0, 2, 2])  # "we camp by the lake" pair
    both = best_sub_pair(sims, band, params, 1, 2)[1, 2]  # bead (mt 0; tgt 0-1)
    assert both == pytest.approx(max(sims[0, 0, 1, 1], sims[0, 0, 1, 2]))


def test_sub_weight_splits_a_padded_merge():
    mt = ["The climbers left the camp at dawn and reached the ridge before noon ."]
    tgt = ["The climbers left the camp at dawn and reached the ridge before noon .",
           "It was cold ."]  # fmt: skip
    gold = [((0,), (0,)), ((), (1,))]
    merging = ParallelParams(skip=-0.1, sub_weight=0.0)
    assert align_parallel(mt, tgt, merging).beads != gold
    assert align_parallel(mt, tgt, replace(merging, sub_weight=3.0)).beads == gold


def test_fragment_costs_charge_short_and_letterless_members_of_merges_only():
    from workbench.align.parallel import fragment_costs, full_band

    mt = ["The climbers reached the summit at noon .", "Camp ."]
    tgt = ["Les alpinistes ont atteint le sommet à midi .", "- 12 -", "Bivouac ."]
    params = ParallelParams()
    band = full_band(len(mt), len(tgt))
    costs = fragment_costs(mt, tgt, band, params)
    types = list(params.bead_types)

    def at(bead: tuple[int, int], i: int, j: int) -> float:
        # the bead ending at source line i and target line j (DP coordinates)
        return float(costs[types.index(bead), i, j - band.lo[i]])

    assert at((1, 1), 1, 2) == 0.0  # 1-1 beads are never charged
    assert at((1, 2), 1, 2) == pytest.approx(params.symbol_weight)  # "- 12 -" merged
    assert at((1, 2), 2, 3) == pytest.approx(params.symbol_weight + params.fragment_weight)
    assert at((2, 1), 2, 1) == pytest.approx(params.fragment_weight)  # "Camp ." merged
    assert at((2, 1), 2, 3) == pytest.approx(params.fragment_weight)  # the target side is 1 line


def _planes(mt, tgt, params):
    from workbench.align.parallel import SentenceGrams, bead_similarities, full_band

    grams = SentenceGrams(mt, tgt)
    return grams, bead_similarities(grams, full_band(len(mt), len(tgt)), params)


def _seed_sentences() -> list[str]:
    """Sentences of the English 2022 seed article (a realistic n-gram distribution)."""
    import re

    text = (Path(__file__).resolve().parents[2] / "corpus/001_20bceecdab9505ef.txt").read_text()
    return [x.strip() for x in re.split(r"(?<=\.)\s+", text) if len(x.strip()) > 40]


def test_surplus_is_matches_beyond_chance_and_adds_up_over_a_merge():
    lines = _seed_sentences()
    params = ParallelParams(bead_types=((1, 1), (2, 2)))
    grams, sims = _planes(lines, lines, params)
    assert all(0 < c < 0.05 for c in grams.chance[2:])  # two random n-grams rarely agree
    n = len(lines)
    same = np.array([sims[2, 0, k, k] for k in range(1, n + 1)])
    cross = np.array([sims[2, 0, k, k + 1] for k in range(1, n)])
    assert np.median(same) > 0.5
    # neighbouring lines: about chance (the rate errs high: it includes the true pairs)
    assert abs(np.median(cross)) < 0.2 * np.median(same)
    merged = np.array([sims[2, 1, k, k] for k in range(2, n + 1)])
    parts = same[1:] + same[:-1]
    # a merge of two true pairs beats each of them, and its cross pairs add nothing beyond
    # chance: about the sum of the two (a little less: the chance rate errs high)
    assert (merged > np.maximum(same[1:], same[:-1])).all()
    assert (merged <= 1.02 * parts).all()
    assert np.median((parts - merged) / parts) < 0.2


def test_surplus_of_long_repetitive_lines_is_never_below_minus_the_smaller_side():
    mt, tgt = ["Longue " * 1500], ["Longue " * 1500]
    grams, sims = _planes(mt, tgt, ParallelParams(bead_types=((1, 1),)))
    assert sims[2, 0, 1, 1] >= 0.0  # all n-grams matched: chance capped at the smaller side


def test_pair_weight_and_size_by_length_split_a_merge_that_hides_a_short_pair():
    # "Go!" / "Up we get!" share no characters; merged into the neighbouring pair, each side
    # has a barely matched member: more likely a 1-1 pair of their own (Text+Berg, MAC)
    mt = ["Go !", "Quickly I dress , eat a bowl of cereal and open the door to the mountain ."]
    tgt = [
        "Up we get !",
        "Quickly I dress , eat a bowl of cereal and open the door to the mountain .",
    ]
    split = [((0,), (0,)), ((1,), (1,))]
    params = ParallelParams(pair_weight=0.0, skip=-0.5, penalty={"2-2": 0.0}, size_by_length=False)
    assert align_parallel(mt, tgt, params).beads == [((0, 1), (0, 1))]
    assert align_parallel(mt, tgt, replace(params, pair_weight=0.5)).beads == split
    # counting the short lines as a fraction of a sentence in the bead's size does it too:
    # the merge no longer weighs its long pair's margin as if it held two sentences per side
    assert align_parallel(mt, tgt, replace(params, size_by_length=True)).beads == split


def test_span_baseline_weights_members_by_characters_when_asked():
    from workbench.align.parallel import SentenceGrams, full_band, span_baseline

    mt = ["Go !", "The climbers left the camp at dawn and reached the ridge before noon ."]
    tgt = ["Up we get !", "The climbers left the camp at dawn and reached the ridge at noon ."]
    grams = SentenceGrams(mt, tgt)
    band = full_band(2, 2)
    rows = np.array([0.0, 0.1, 0.5])  # DP coordinates: row k = source sentence k-1
    cols = np.array([0.0, 0.2, 0.4])
    plain = span_baseline((rows, cols), band, 2, 2)[2, 2]
    assert plain == pytest.approx(0.5 * (0.3 + 0.3))  # each member counts once
    hyp_w, ref_w = grams.member_weights()
    weighted = span_baseline((rows, cols), band, 2, 2, (hyp_w, ref_w))[2, 2]
    lm, lt = grams.lengths[:2], grams.lengths[2:]
    expected = 0.5 * (
        (0.1 * lm[0] + 0.5 * lm[1]) / lm.sum() + (0.2 * lt[0] + 0.4 * lt[1]) / lt.sum()
    )
    assert weighted == pytest.approx(expected)
    assert weighted > plain  # the short line no longer pulls the merge's chance level down
    one = span_baseline((rows, cols), band, 1, 1, (hyp_w, ref_w))[2, 2]
    assert one == pytest.approx(0.5 * (0.5 + 0.4))  # a single member: its own baseline


def test_bead_score_is_the_feature_logistic_and_features_come_with_the_bead():
    from workbench.align.parallel import BEAD_CALIBRATION, CALIBRATION_FEATURES, bead_probability

    mt, tgt, gold = _with_caption_block(3)
    result = align_parallel(mt, tgt, ParallelParams())
    for (src, trg), score, feats in zip(result.beads, result.scores, result.features, strict=True):
        if not src or not trg:
            assert score == 0.0 and feats == {}
            continue
        assert set(CALIBRATION_FEATURES) <= set(feats)
        assert feats["size"] == len(src) + len(trg)
        assert score == pytest.approx(bead_probability(feats))
    feats = next(f for f in result.features if f)
    # more coverage or surplus, a better chance; a worse length ratio, a smaller one
    assert BEAD_CALIBRATION["cover"] > 0 and BEAD_CALIBRATION["surplus"] > 0
    assert bead_probability(feats | {"cover": 0.0}) < bead_probability(feats | {"cover": 1.0})
    assert bead_probability(feats | {"length": 1.0}) < bead_probability(feats | {"length": 0.0})


def test_effective_size_counts_short_members_by_characters():
    from workbench.align.parallel import SentenceGrams, full_band

    mt = ["Go !", "Quickly I dress and open the door .", "We walk up to the ridge in the fog ."]
    tgt = ["Up !", "Quickly I dress and open the door .", "We walk to the ridge in thick fog ."]
    grams = SentenceGrams(mt, tgt)
    med = float(np.median(grams.lengths))
    size = grams.effective_size(full_band(3, 3), 2, 2)
    short = (min(1.0, 3 / med) + 1.0 + min(1.0, 2 / med) + 1.0) / 2  # "Go!" 3, "Up!" 3 chars
    assert size[2, 2] == pytest.approx(short, rel=0.05)
    assert size[3, 3] == pytest.approx(2.0)  # two full sentences per side
    assert size[2, 2] < size[3, 3]
