"""The vectorised chrF equals sacrebleu's sentence chrF exactly; BLEU goes through sacrebleu."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sacrebleu

from workbench.align.chrf import (
    bleu_pairs,
    chrf_matrix,
    chrf_pairs,
    chrf_rows,
    profile,
    sentence_bleu,
)


def _random_texts(rng: random.Random, n: int) -> list[str]:
    alphabet = "abcde fgh,.ÄéZ漢字ไทย  "
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50))) for _ in range(n)]


def test_equal_to_sacrebleu_on_random_pairs():
    rng = random.Random(7)
    hyps = _random_texts(rng, 400) + ["", "a", "ab", "  ", "abcdefg", "x" * 10_000]
    refs = _random_texts(rng, 400) + ["abc", "", "a", "x", "abcdefg", "x" * 9_000 + "y"]
    ours = chrf_pairs(hyps, refs)
    theirs = np.array(
        [sacrebleu.sentence_chrf(h, [r]).score for h, r in zip(hyps, refs, strict=True)]
    )
    assert ours.shape == (len(hyps),)
    np.testing.assert_array_equal(ours, theirs)


def test_real_sentences_and_matrix():
    hyps = [
        "The Expo opened in Wuxi on Sunday.",
        "More than 3,000 IoT companies took part.",
        "Twenty projects were signed.",
    ]
    refs = [
        "On Sunday, the World IoT Expo opened in Wuxi.",
        "20 projects were signed at the event.",
        "Over 3,000 Internet of Things firms attended.",
        "",
    ]
    matrix = chrf_matrix(hyps, refs)
    expected = np.array([[sacrebleu.sentence_chrf(h, [r]).score for r in refs] for h in hyps])
    np.testing.assert_array_equal(matrix, expected)
    # the right reference wins each row
    assert list(matrix.argmax(axis=1)) == [0, 2, 1]


def test_profile_rows_are_reused():
    texts = ["le chat dort", "the cat sleeps", "die Katze schläft", "le chat dort bien"]
    prof = profile(texts)
    scores = chrf_rows(prof, [0, 0, 3], [3, 1, 0])
    expected = [
        sacrebleu.sentence_chrf(texts[h], [texts[r]]).score for h, r in [(0, 3), (0, 1), (3, 0)]
    ]
    np.testing.assert_array_equal(scores, expected)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        chrf_pairs(["a"], ["a", "b"])


def test_bleu_matches_sacrebleu():
    hyp, ref = "the cat sat on the mat", "the cat is on the mat"
    expected = sacrebleu.metrics.BLEU(effective_order=True).sentence_score(hyp, [ref]).score
    assert sentence_bleu(hyp, ref) == pytest.approx(expected)
    assert bleu_pairs([hyp, "x"], [ref, "y"])[0] == pytest.approx(expected)


def test_characters_outside_the_bmp_are_distinct_ngrams():
    """One n-gram core for every chrF: astral characters keep their own code (no collapse)."""
    from workbench.align.comparable import NgramCounts, _selection, char_ngram_counts

    texts = ["\U0001f600\U0001f600\U0001f600 abc", "\U0001f601\U0001f601\U0001f601 abc"]
    assert chrf_pairs(texts[:1], texts[1:])[0] < 100.0
    counts = char_ngram_counts(texts)
    assert (counts[0].toarray() != counts[1].toarray()).any()
    ngram = NgramCounts(texts)
    same = ngram.chrf(_selection([(0,)], 2), _selection([(0,)], 2))[0]
    other = ngram.chrf(_selection([(0,)], 2), _selection([(1,)], 2))[0]
    assert same == 1.0 and other < 1.0
