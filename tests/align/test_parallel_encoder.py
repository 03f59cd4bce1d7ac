"""Parallel mode with the sentence encoder: one source of truth for its parameters, lazy
concatenations around the first path's merges, lengths for the encoder-only path, and the
one n-gram core under the chrF kernel."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from workbench.align.parallel import (
    SETTING_NAMES,
    ParallelParams,
    SentenceGrams,
    SpanLengths,
    align_parallel,
    embed_merges,
    full_band,
    params_from_settings,
)
from workbench.align.signals.bead_cosines import SpanEmbeddings, encode_sides, join_span
from workbench.settings import AlignSettings


def test_every_parallel_setting_is_a_parameter_with_the_same_default():
    settings = [name for name in AlignSettings.model_fields if name.startswith("parallel_")]
    assert sorted(f"parallel_{name}" for name in SETTING_NAMES) == sorted(settings)
    defaults, params = AlignSettings(), ParallelParams()
    for name in SETTING_NAMES:
        assert getattr(params, name) == getattr(defaults, f"parallel_{name}"), name
    # a mutable default is a copy: changing one ParallelParams leaves the others alone
    params.penalty["1-2"] = 9.0
    assert ParallelParams().penalty["1-2"] == defaults.parallel_penalty["1-2"] != 9.0
    tuned = params_from_settings(AlignSettings(parallel_encoder_weight=0.2))
    assert tuned.encoder_weight == 0.2
    assert dataclasses.replace(tuned, skip=-1.0).encoder_weight == 0.2


class Recorder:
    """An encoder stand-in: a fixed random unit vector per text; records what it encodes."""

    def __init__(self, dim: int = 8):
        self.rng = np.random.default_rng(0)
        self.table: dict[str, np.ndarray] = {}
        self.seen: list[str] = []
        self.dim = dim

    def encode(self, texts):
        self.seen.extend(texts)
        for t in texts:
            if t not in self.table:
                v = self.rng.normal(size=self.dim)
                self.table[t] = v / np.linalg.norm(v)
        return np.array([self.table[t] for t in texts], dtype=np.float32).reshape(-1, self.dim)


def test_lazy_spans_embed_only_the_merges_of_the_path_and_their_neighbours():
    lines = [f"line {k}" for k in range(10)]
    enc = Recorder()
    spans = SpanEmbeddings(enc.encode(lines), lines, enc.encode, concat_max=3, lazy=True)
    enc.seen.clear()
    spans.prepare([2, 3])
    assert enc.seen == []  # lazy: nothing up front
    sum_row = spans.units(2)[5].copy()
    tgt = SpanEmbeddings(enc.encode(lines), lines, enc.encode, concat_max=3, lazy=True)
    enc.seen.clear()
    path = [(0, 1, 0, 1), (1, 3, 1, 2), (3, 4, 2, 3), (4, 5, 3, 3)]  # one 2-1 bead
    count = embed_merges(path, (spans, tgt), spread=1)
    # source spans (1..2)..(0..4) of 2-3 lines; target spans of 2-3 lines around (1, 2)
    want_src = {(a, b) for a in (0, 1, 2) for b in (2, 3, 4) if 2 <= b - a <= 3}
    want_tgt = {(a, b) for a in (0, 1, 2) for b in (1, 2, 3) if 2 <= b - a <= 3}
    assert spans.embedded == want_src and tgt.embedded == want_tgt
    assert count == len(want_src) + len(want_tgt) == len(enc.seen)
    np.testing.assert_allclose(spans.units(2)[3], enc.table[join_span(lines[1:3])], atol=1e-6)
    np.testing.assert_array_equal(spans.units(2)[5], sum_row)  # far from the merge: a sum
    assert embed_merges(path, (spans, tgt), spread=1) == 0  # nothing twice


def test_encode_sides_switches_to_lazy_above_the_size_limit():
    enc = Recorder()
    src, tgt = ["a", "b", "c"], ["x", "y"]
    full = encode_sides(enc, src, tgt, concat_max=2, lazy_above=5)
    lazy = encode_sides(enc, src, tgt, concat_max=2, lazy_above=4)
    assert not full[0].lazy and lazy[0].lazy and lazy[1].lazy


def test_encoder_only_lengths_count_each_side_against_its_own_scale():
    """Without MT the two sides are different scripts: 10 Chinese characters per 30 English
    ones is the document's ratio, so such a pair has no length penalty, and a member's size
    counts against its own side's median."""
    band = full_band(3, 3)
    even = SpanLengths(np.array([10, 10, 10]), np.array([30, 30, 30]), per_side=True)
    assert even.length_term(band, 1, 1)[1, 1] == pytest.approx(0.0, abs=1e-12)
    assert even.length_term(band, 2, 1)[2, 1] == pytest.approx(np.log(70 / 40))
    lengths = SpanLengths(np.array([10, 10, 2]), np.array([30, 30, 30]), per_side=True)
    size = lengths.effective_size(band, 1, 1)
    assert size[1, 1] == pytest.approx(1.0) and size[3, 1] == pytest.approx((0.2 + 1) / 2)
    shared = SpanLengths(np.array([10, 10, 2]), np.array([30, 30, 30]))
    assert shared.effective_size(band, 1, 1)[1, 1] == pytest.approx((10 / 20 + 1) / 2)  # median 20


def test_sentence_grams_keep_astral_characters_apart():
    """The kernel's n-gram ids come from the one n-gram core: two characters outside the
    BMP are different grams, so their chrF differs from a text compared with itself."""
    a, b = "\U0001f600\U0001f601 emoji", "\U0001f602\U0001f603 emoji"
    grams = SentenceGrams([a, a], [a, b])
    first = grams.grams[0]
    assert first[0] != grams.grams[0][grams.starts[3]]  # U+1F600 vs U+1F602
    result = align_parallel([a, b], [a, b])
    assert result.beads == [((0,), (0,)), ((1,), (1,))]


def test_corpus_align_takes_its_modes_from_the_registry():
    from workbench.align.corpus_align import check_corpus_mode
    from workbench.align.modes import MODES
    from workbench.errors import ConfigError

    check_corpus_mode("comparable")
    assert MODES["comparable"].corpus and not MODES["parallel"].corpus
    with pytest.raises(ConfigError, match="align-pair"):
        check_corpus_mode("parallel")
    with pytest.raises(ConfigError, match="unknown mode"):
        check_corpus_mode("nope")
