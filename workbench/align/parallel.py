"""Parallel mode: monotonic dynamic programming over beads (1-1 ... 1-3/3-1, 2-2, 1-0, 0-1).

Input: source sentences, their machine translation into the target language (line by line)
and the target sentences. A bead ``(a, b)`` pairs ``a`` consecutive source sentences with
``b`` consecutive target sentences; its similarity is the chrF of the concatenated MT of the
source span against the concatenated target span (exactly sacrebleu's sentence chrF, see
:mod:`workbench.align.chrf`), optionally mixed with a lexical score learned from the first
pass (:mod:`workbench.align.lexicon`).

The path maximises ``sum over beads of (a + b) * (sim - threshold) - penalty[a, b]``;
unaligned sentences (1-0, 0-1) gain ``skip`` each, plus ``run_bonus`` for each skip that continues
a run of skips (affine gap: a block of captions on one side). A bead member whose numbers
are all absent on the other side costs ``number_weight``; a merged member line without letters
costs ``symbol_weight`` and one of at most ``fragment_tokens`` tokens ``fragment_weight``; a
many-sided bead not clearly better than its best 1-1 member pair costs ``sub_weight`` times the
shortfall. A many-to-many bead with a barely matched member on each side costs
``pair_weight`` (those two lines are more likely a pair of their own). Each bead also gains
``surplus_weight`` times its match surplus: character n-grams (orders 3-6) matched beyond
what two unrelated texts of the same sizes share by chance, in units of an average
sentence's n-grams; unlike chrF, the surplus adds up over beads, so a merge gains only what
its cross pairs match beyond chance. With the target's MT
into the source language, beads are scored both ways. For long documents the search is
restricted to a band around a chain of anchor pairs (n-grams that occur exactly once on each
side, chained by a longest increasing subsequence), so time and memory grow about linearly
with document length. Rows are processed with numpy; insertions within a row use a
cumulative maximum, so there is no Python loop over cells.

Optional sentence-encoder signal (:mod:`workbench.align.signals.bead_cosines`,
Bertalign/Vecalign style): the similarity becomes ``(1 - encoder_weight) * chrF +
encoder_weight * cosine`` of the two sides' span embeddings (concatenations up to
``encoder_concat`` sentences, normalised sums of members beyond). Without MT (``src_mt=None``) the similarity is
the cosine alone, and the terms that compare MT characters with the target (coverage,
many-to-many pair, match surplus, length ratio, lexicon) are off; long documents then get
their band from aligning chunk embeddings (Vecalign's coarse-to-fine), not from anchors.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from workbench.align.beads import Bead
from workbench.align.chrf import CHAR_ORDER
from workbench.align.signals.bead_cosines import (
    SpanEmbeddings,
    as_span_embeddings,
    chunk_sums,
    span_cosines,
)
from workbench.align.signals.ngrams import CODE_BITS, code_points, dense_ids
from workbench.settings import AlignSettings


def _setting(name: str) -> Any:
    """A dataclass field whose default is ``AlignSettings.parallel_<name>``'s (each default is
    defined once, in :mod:`workbench.settings`)."""
    info = AlignSettings.model_fields[f"parallel_{name}"]
    return field(default_factory=lambda: copy.deepcopy(info.get_default(call_default_factory=True)))


@dataclass
class ParallelParams:
    """Tunable parameters. Those with an ``AlignSettings.parallel_<name>`` setting take its
    default (tuned on dev sets; see settings.py for what each does); the others are internal."""

    bead_types: tuple[tuple[int, int], ...] = (
        (1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (2, 3), (3, 2),
        (3, 3), (1, 5), (4, 1),
    )  # fmt: skip
    beta: float = _setting("beta")
    threshold: float = _setting("threshold")
    skip: float = _setting("skip")
    size_exponent: float = _setting("size_exponent")
    penalty: dict[str, float] = _setting("penalty")
    length_weight: float = _setting("length_weight")
    orphan_weight: float = _setting("orphan_weight")
    orphan_floor: float = _setting("orphan_floor")
    number_weight: float = _setting("number_weight")
    symbol_weight: float = _setting("symbol_weight")
    fragment_weight: float = _setting("fragment_weight")
    fragment_tokens: int = _setting("fragment_tokens")
    sub_weight: float = _setting("sub_weight")
    sub_margin: float = _setting("sub_margin")
    back_weight: float = _setting("back_weight")
    run_bonus: float = _setting("run_bonus")
    margin_weight: float = _setting("margin_weight")
    coverage_weight: float = _setting("coverage_weight")
    coverage_floor: float = _setting("coverage_floor")
    pair_weight: float = _setting("pair_weight")
    pair_floor: float = _setting("pair_floor")
    size_by_length: bool = _setting("size_by_length")
    baseline_by_length: bool = _setting("baseline_by_length")
    surplus_weight: float = _setting("surplus_weight")
    lexicon_weight: float = _setting("lexicon_weight")
    full_cells: int = _setting("full_cells")
    band_margin: int = _setting("band_margin")
    refine_radius: int = _setting("refine_radius")
    encoder_weight: float = _setting("encoder_weight")
    encoder_concat: int = _setting("encoder_concat")
    encoder_scale: float = _setting("encoder_scale")
    encoder_lazy_above: int = _setting("encoder_lazy_above")
    lexicon_confident: float = 0.35  # first-pass similarity of a 1-1 link that teaches the table
    chunk: int = 24  # sentences per chunk when a long document has too few anchors
    threads: int = 0  # threads for the similarity kernel (0: one per CPU core)

    def __post_init__(self) -> None:
        self.bead_types = tuple((int(a), int(b)) for a, b in self.bead_types)
        if (1, 1) not in self.bead_types or any(a < 1 or b < 1 for a, b in self.bead_types):
            raise ValueError("bead_types must include (1, 1) and only a, b >= 1")
        if not 0.0 <= self.encoder_weight <= 1.0:
            raise ValueError("encoder_weight must be between 0 and 1")


SETTING_NAMES = tuple(
    f.name for f in fields(ParallelParams) if f"parallel_{f.name}" in AlignSettings.model_fields
)


def params_from_settings(settings: AlignSettings) -> ParallelParams:
    """ParallelParams from ``AlignSettings`` (every ``parallel_<name>`` field)."""
    return ParallelParams(
        **{name: copy.deepcopy(getattr(settings, f"parallel_{name}")) for name in SETTING_NAMES}
    )


@dataclass
class Band:
    """Per DP row i (0..n), the allowed columns j in [lo[i], hi[i])."""

    lo: np.ndarray
    hi: np.ndarray

    @property
    def width(self) -> int:
        return int((self.hi - self.lo).max())


@dataclass
class ParallelResult:
    beads: list[Bead]
    sims: list[float]  # raw similarity per bead (chrF/100, or mixed); nan for 1-0 / 0-1
    scores: list[float]  # calibrated score in [0, 1] per bead
    margins: list[float] = field(default_factory=list)  # sim minus k-best neighbour mean
    band_cells: int = 0
    features: list[dict[str, float]] = field(default_factory=list)  # see bead_features


class SpanLengths:
    """Characters (whitespace excluded) of the row sentences (the MT, or without MT the source)
    and the column sentences (the target), and the bead terms computed from them alone.

    ``per_side``: the two sides are in different languages (no MT between them): a member's
    size counts against its own side's median, and the length ratio scales the rows by the
    ratio of the sides' total characters (as Gale-Church's expected length ratio).
    """

    def __init__(self, hyp_lengths: np.ndarray, ref_lengths: np.ndarray, per_side: bool = False):
        self.n, self.m = len(hyp_lengths), len(ref_lengths)
        self.lengths = np.concatenate([hyp_lengths, ref_lengths]).astype(np.int64)
        self.per_side = per_side
        self.hcum = np.concatenate([[0], np.cumsum(self.lengths[: self.n])])
        self.rcum = np.concatenate([[0], np.cumsum(self.lengths[self.n :])])

    @classmethod
    def of_texts(
        cls, hyp: Sequence[str], ref: Sequence[str], per_side: bool = False
    ) -> SpanLengths:
        def count(texts: Sequence[str]) -> np.ndarray:
            return np.array([len("".join(t.split())) for t in texts], dtype=np.int64)

        return cls(count(hyp), count(ref), per_side)

    def span_sums(
        self, hyp_cum: np.ndarray, ref_cum: np.ndarray, band: Band, a: int, b: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sums over the members of bead (a, b) at each band cell, from prefix sums per row
        (``hyp_cum``, n+1) and per column (``ref_cum``, m+1)."""
        rows = np.arange(self.n + 1)[:, None]
        cols = np.clip(band.lo[:, None] + np.arange(band.width)[None, :], 0, self.m)
        return (
            hyp_cum[rows] - hyp_cum[np.maximum(rows - a, 0)],
            ref_cum[cols] - ref_cum[np.maximum(cols - b, 0)],
        )

    def effective_size(self, band: Band, a: int, b: int) -> np.ndarray:
        """(a_eff + b_eff) / 2 at each band cell: members count min(1, chars / median chars)."""
        hyp, ref = self.lengths[: self.n], self.lengths[self.n :]
        if self.per_side:
            med_h = max(float(np.median(hyp)), 1.0) if self.n else 1.0
            med_r = max(float(np.median(ref)), 1.0) if self.m else 1.0
        else:
            med_h = med_r = max(float(np.median(self.lengths)), 1.0)
        eh = np.concatenate([[0.0], np.cumsum(np.minimum(hyp / med_h, 1.0))])
        er = np.concatenate([[0.0], np.cumsum(np.minimum(ref / med_r, 1.0))])
        ea, eb = self.span_sums(eh, er, band, a, b)
        return np.maximum((ea + eb) / 2.0, 1e-3)

    def member_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Characters (at least 1) per row and column, in DP coordinates (index 0 unused)."""
        hyp = np.concatenate([[0.0], np.maximum(self.lengths[: self.n], 1.0)])
        ref = np.concatenate([[0.0], np.maximum(self.lengths[self.n :], 1.0)])
        return hyp, ref

    @property
    def row_scale(self) -> float:
        """Factor on row characters before they are compared with column characters."""
        if not self.per_side:
            return 1.0
        return float(max(self.rcum[-1], 1) / max(self.hcum[-1], 1))

    def length_term(self, band: Band, a: int, b: int) -> np.ndarray:
        """|log((len_mt + 10) / (len_tgt + 10))| of bead (a, b) at each band cell."""
        hyp, ref = self.span_sums(self.hcum, self.rcum, band, a, b)
        return length_ratio(hyp * self.row_scale, ref)


class SentenceGrams(SpanLengths):
    """Dense character n-gram ids (orders 1..order) at every position of every sentence
    (from the one n-gram core, :mod:`workbench.align.signals.ngrams`)."""

    def __init__(self, hyp: Sequence[str], ref: Sequence[str], order: int = CHAR_ORDER):
        stripped = ["".join(t.split()) for t in list(hyp) + list(ref)]
        codes, lengths = code_points(stripped)
        super().__init__(lengths[: len(hyp)], lengths[len(hyp) :])
        self.order = order
        self.starts = np.zeros(len(stripped), dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=self.starts[1:])
        total = len(codes)
        self.grams = np.zeros((order, max(total, 1)), dtype=np.int64)
        offset = 0
        gram = dense_ids(codes)
        for k in range(order):
            if k > 0:  # extend the k-gram at p by the character at p + k
                gram = dense_ids((gram[: total - k] << CODE_BITS) | codes[k:])
            if len(gram):
                self.grams[k, : len(gram)] = gram + offset
                offset += int(gram.max()) + 1
        self.n_ids = max(offset, 1)
        self.chance, self.unit = self._chance_rates(total)

    def _chance_rates(self, total: int) -> tuple[np.ndarray, float]:
        """Expected chance matches per (hyp n-gram, ref n-gram) pair of each order (the
        collision rate of the two sides' n-gram distributions), and the surplus unit: the
        n-grams of orders 3 and up of an average sentence."""
        chance = np.zeros(self.order)
        hyp_chars = int(self.lengths[: self.n].sum())
        text_of = np.repeat(np.arange(len(self.lengths)), self.lengths)
        ends = (self.starts + self.lengths)[text_of] if total else np.zeros(0, dtype=np.int64)
        pos = np.arange(total)
        for k in range(self.order):
            valid = pos + k < ends
            g = self.grams[k, :total]
            hyp = np.bincount(g[:hyp_chars][valid[:hyp_chars]], minlength=self.n_ids)
            ref = np.bincount(g[hyp_chars:][valid[hyp_chars:]], minlength=self.n_ids)
            if hyp.sum() and ref.sum():
                chance[k] = float(np.dot(hyp / hyp.sum(), ref / ref.sum()))
        mean_len = float(self.lengths.mean()) if len(self.lengths) else 1.0
        unit = max(sum(max(mean_len - k, 1.0) for k in range(2, self.order)), 1.0)
        return chance, unit

    def hapax_pairs(self, k: int = 3, min_support: int = 2) -> np.ndarray:
        """(i, j) sentence pairs sharing an n-gram of order k+1 found in one sentence per side."""
        total = int(self.lengths.sum())
        if total <= k:
            return np.zeros((0, 2), dtype=np.int64)
        text_of = np.repeat(np.arange(len(self.lengths)), self.lengths)
        pos = np.arange(total)
        valid = pos + k < (self.starts + self.lengths)[text_of]
        g, t = self.grams[k, :total][valid], text_of[valid]
        pairs = np.unique(np.stack([g, t], axis=1), axis=0)  # one row per (gram, text)
        g, t = pairs[:, 0], pairs[:, 1]
        is_hyp = t < self.n
        hyp_n = np.bincount(g[is_hyp], minlength=self.n_ids)
        ref_n = np.bincount(g[~is_hyp], minlength=self.n_ids)
        single = (hyp_n == 1) & (ref_n == 1)
        keep = single[g]
        hyp_of = np.full(self.n_ids, -1, dtype=np.int64)
        ref_of = np.full(self.n_ids, -1, dtype=np.int64)
        hyp_of[g[keep & is_hyp]] = t[keep & is_hyp]
        ref_of[g[keep & ~is_hyp]] = t[keep & ~is_hyp] - self.n
        ids = np.nonzero(single)[0]
        pairs, support = np.unique(
            np.stack([hyp_of[ids], ref_of[ids]], axis=1), axis=0, return_counts=True
        )
        # a true pair shares several rare n-grams; a chance match usually one
        strong = pairs[support >= min_support]
        return strong if len(strong) >= 0.02 * min(self.n, self.m) else pairs


def length_ratio(hyp_chars: np.ndarray | float, ref_chars: np.ndarray | float) -> np.ndarray:
    """The length term: |log((hyp characters + 10) / (reference characters + 10))|."""
    return np.abs(np.log((np.asarray(hyp_chars) + 10.0) / (np.asarray(ref_chars) + 10.0)))


def full_band(n: int, m: int) -> Band:
    return Band(lo=np.zeros(n + 1, dtype=np.int64), hi=np.full(n + 1, m + 1, dtype=np.int64))


def anchor_chain(
    src_mt: Sequence[str], tgt: Sequence[str], grams: SentenceGrams, min_chrf: float = 30.0
) -> list[tuple[int, int]]:
    """Monotone chain (DP coordinates) of sentence pairs that share an n-gram found once on
    each side and whose chrF confirms them (chance matches of one rare n-gram are dropped)."""
    from workbench.align.chrf import chrf_pairs

    pairs = grams.hapax_pairs()
    if len(pairs) == 0:
        return []
    sims = chrf_pairs([src_mt[i] for i in pairs[:, 0]], [tgt[j] for j in pairs[:, 1]])
    return _longest_chain(pairs[sims >= min_chrf] + 1)


def anchor_band(
    grams: SentenceGrams, margin: int, chain: Sequence[tuple[int, int]] | None = None
) -> Band:
    """Band around a monotone chain of anchor pairs (rectangles between them, widened)."""
    n, m = grams.n, grams.m
    if chain is None:
        chain = _longest_chain(grams.hapax_pairs() + 1)  # DP coordinates: the pair's end
    pts = [(0, 0), *chain, (n, m)]
    pi = np.array([p[0] for p in pts], dtype=np.int64)
    pj = np.array([p[1] for p in pts], dtype=np.int64)
    rows = np.arange(n + 1)
    prev_idx = np.searchsorted(pi, rows, side="right") - 1
    next_idx = np.minimum(np.searchsorted(pi, rows, side="left"), len(pi) - 1)
    lo = np.clip(pj[prev_idx] - margin, 0, m)
    hi = np.clip(pj[next_idx] + margin + 1, 1, m + 1)
    return Band(lo=lo.astype(np.int64), hi=hi.astype(np.int64))


def coarse_band(
    src_mt: Sequence[str],
    tgt: Sequence[str],
    params: ParallelParams,
    chunk: int,
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings] | None = None,
) -> Band:
    """Band from aligning chunks of ``chunk`` sentences first (coarse-to-fine, as Vecalign).

    Both sides are cut into the same number of chunks; the chunks are aligned with the
    ordinary bead DP (their texts are concatenations), and every sentence row gets the
    target columns of the chunks its chunk is aligned with, widened by ``band_margin``.
    With ``embeddings`` (and no MT) chunks are compared by the cosine of their summed
    sentence embeddings instead of chrF.
    """
    n, m = (len(embeddings[0]), len(embeddings[1])) if embeddings else (len(src_mt), len(tgt))
    count = max(1, -(-n // chunk))
    src_cut = np.linspace(0, n, count + 1).round().astype(np.int64)
    tgt_cut = np.linspace(0, m, count + 1).round().astype(np.int64)
    chunk_params = replace(
        params, bead_types=((1, 1),), refine_radius=0, margin_weight=0.0,
        coverage_weight=0.0, length_weight=0.0, threshold=0.0, skip=-0.05, threads=params.threads,
        surplus_weight=0.0, pair_weight=0.0,
    )  # fmt: skip
    band = full_band(count, count)
    grams: SentenceGrams | None = None
    if embeddings is None:
        src_chunks = [" ".join(src_mt[a:b]) for a, b in zip(src_cut[:-1], src_cut[1:], strict=True)]
        tgt_chunks = [" ".join(tgt[a:b]) for a, b in zip(tgt_cut[:-1], tgt_cut[1:], strict=True)]
        grams = SentenceGrams(src_chunks, tgt_chunks)
        sims = bead_similarities(grams, band, chunk_params)
    else:
        src_sum = chunk_sums(embeddings[0].sentences, src_cut)
        tgt_sum = chunk_sums(embeddings[1].sentences, tgt_cut)
        sims = np.zeros((5, 1, count + 1, band.width), dtype=np.float32)
        sims[0] = span_cosines(src_sum, tgt_sum, band, chunk_params.bead_types)
    path = search(bead_gains(sims, grams, band, chunk_params), band, chunk_params)
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for i0, i1, j0, j1 in path:
        r0, r1 = src_cut[i0], src_cut[i1]
        c0, c1 = tgt_cut[j0], tgt_cut[j1]
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], c0)
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], c1)
    margin = params.band_margin
    lo = np.clip(lo - margin, 0, m)
    hi = np.clip(hi + margin + 1, 1, m + 1)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    return Band(lo=lo, hi=hi)


def path_band(path: Sequence[tuple[int, int, int, int]], n: int, m: int, radius: int) -> Band:
    """Band of +-radius sentences around a path (rows and columns)."""
    row_min = np.full(n + 1, m + 1, dtype=np.int64)
    row_max = np.full(n + 1, -1, dtype=np.int64)
    nodes = [(0, 0)] + [(i1, j1) for _, i1, _, j1 in path]
    nodes += [(i0, j0) for i0, _, j0, _ in path]
    ni = np.array([x[0] for x in nodes], dtype=np.int64)
    nj = np.array([x[1] for x in nodes], dtype=np.int64)
    np.minimum.at(row_min, ni, nj)
    np.maximum.at(row_max, ni, nj)
    # spread over +-radius rows, then widen by radius columns
    lo = np.full(n + 1, m + 1, dtype=np.int64)
    hi = np.full(n + 1, -1, dtype=np.int64)
    for d in range(-radius, radius + 1):
        src = np.clip(np.arange(n + 1) + d, 0, n)
        lo = np.minimum(lo, row_min[src])
        hi = np.maximum(hi, row_max[src])
    lo = np.clip(lo - radius, 0, m)
    hi = np.clip(hi + radius + 1, 1, m + 1)
    # keep the band monotone so every row connects to the previous ones
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    return Band(lo=lo, hi=hi)


def _longest_chain(pairs: np.ndarray) -> list[tuple[int, int]]:
    """Longest strictly increasing chain in both coordinates (patience sorting, O(P log P))."""
    if len(pairs) == 0:
        return []
    import bisect

    # sort by i ascending, j descending so equal i cannot both be taken
    order = np.lexsort((-pairs[:, 1], pairs[:, 0]))
    pts = pairs[order]
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = np.full(len(pts), -1, dtype=np.int64)
    for idx, (_, j) in enumerate(pts):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(int(j))
            tail_idx.append(idx)
        else:
            tails[pos] = int(j)
            tail_idx[pos] = idx
        parent[idx] = tail_idx[pos - 1] if pos > 0 else -1
    chain = []
    idx = tail_idx[-1]
    while idx >= 0:
        chain.append((int(pts[idx, 0]), int(pts[idx, 1])))
        idx = parent[idx]
    return chain[::-1]


def sentence_baselines(sim11: np.ndarray, band: Band, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the k best 1-1 similarities of each source sentence (row) and target (column).

    Indexed by DP coordinate (row i = source sentence i-1). Subtracting it is the margin
    normalisation of Bertalign/LASER mining: it discounts sentences that resemble everything,
    e.g. short lines of names or numbers. Top-k neighbours lie inside any sensible band, so
    the baseline does not depend on the band's width.
    """
    rows, width = sim11.shape
    cols = band.lo[:, None] + np.arange(width)[None, :]
    ok = ~np.isnan(sim11)
    ri, ki = np.nonzero(ok)
    vals = sim11[ri, ki].astype(np.float64)
    cj = cols[ri, ki]

    def topk_mean(groups: np.ndarray, size: int) -> np.ndarray:
        order = np.lexsort((-vals, groups))
        g = groups[order]
        v = vals[order]
        first = np.searchsorted(g, g, side="left")
        keep = (np.arange(len(g)) - first) < k
        total = np.bincount(g[keep], weights=v[keep], minlength=size)
        count = np.bincount(g[keep], minlength=size)
        return total / np.maximum(count, 1)

    return topk_mean(ri, rows), topk_mean(cj, int(band.hi.max()))


def orphan_skips(
    sim11: np.ndarray, band: Band, params: ParallelParams
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sentence skip gains: a sentence whose best 1-1 similarity is low (a caption, a
    page header with no counterpart) is cheaper to leave out than to merge into a bead."""
    rows, width = sim11.shape
    cols = band.lo[:, None] + np.arange(width)[None, :]
    ok = ~np.isnan(sim11)
    row_best = np.where(ok, sim11, 0).max(axis=1)
    m1 = int(band.hi.max())
    col_best = np.zeros(m1)
    np.maximum.at(col_best, cols[ok], sim11[ok])
    bonus = params.orphan_weight
    floor = params.orphan_floor
    return (
        params.skip + bonus * np.maximum(floor - row_best, 0.0),
        params.skip + bonus * np.maximum(floor - col_best, 0.0),
    )


def span_baseline(
    baselines: tuple[np.ndarray, np.ndarray],
    band: Band,
    a: int,
    b: int,
    weights: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Margin baseline of bead (a, b) at each band cell: the mean over its member sentences,
    weighted by ``weights`` (per row / column, DP coordinates) when given."""
    row_mean, col_mean = baselines
    n1, m1 = len(row_mean), len(col_mean)
    rw, cw = weights if weights is not None else (np.ones(n1), np.ones(m1))
    rw, cw = rw[:n1], cw[:m1]
    rows = np.arange(n1)[:, None]
    cols = np.clip(band.lo[:, None] + np.arange(band.width)[None, :], 0, m1 - 1)

    def windowed(values: np.ndarray, w: np.ndarray, at: np.ndarray, k: int) -> np.ndarray:
        num = np.concatenate([[0.0], np.cumsum((values * w)[1:])])
        den = np.concatenate([[0.0], np.cumsum(w[1:])])
        lo = np.maximum(at - k, 0)
        return (num[at] - num[lo]) / np.maximum(den[at] - den[lo], 1e-9)

    return 0.5 * (windowed(row_mean, rw, rows, a) + windowed(col_mean, cw, cols, b))


_NUMBER = re.compile(r"\d+")


def _number_csr(lines: Sequence[str], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    ids = [[vocab.setdefault(x, len(vocab)) for x in set(_NUMBER.findall(s))] for s in lines]
    off = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in ids], out=off[1:])
    return off, np.array([x for row in ids for x in row], dtype=np.int64)


def number_misses(
    src_mt: Sequence[str], tgt: Sequence[str], band: Band, params: ParallelParams
) -> np.ndarray:
    """Per bead type and cell: member sentences with numbers, none found on the other side
    (a caption "10 - Photo ..." merged into a bead whose other side has no 10)."""
    from workbench.align._kernels import number_misses as kernel

    vocab: dict[str, int] = {}
    src_off, src_ids = _number_csr(src_mt, vocab)
    tgt_off, tgt_ids = _number_csr(tgt, vocab)
    types = np.array(params.bead_types, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(types), len(band.lo), band.width), dtype=np.float64)
    kernel(src_off, src_ids, tgt_off, tgt_ids, band.lo, band.hi, types[:, 0].copy(),
           types[:, 1].copy(), out)  # fmt: skip
    return out


_LETTER = re.compile(r"[^\W\d_]")


def fragment_costs(
    src_mt: Sequence[str], tgt: Sequence[str], band: Band, params: ParallelParams
) -> np.ndarray:
    """Per bead type and cell: cost of the short lines merged into a bead, summed over the
    members on each side with more than one sentence. A line without letters ("..... ",
    "- _- ") costs ``symbol_weight``, a line of at most ``fragment_tokens`` tokens
    ``fragment_weight``: one-sided captions and fragments are better left as 1-0 / 0-1."""

    def cost(lines: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(lines) + 1)  # DP coordinate: line k-1 at index k
        for k, line in enumerate(lines, 1):
            if not _LETTER.search(line):
                out[k] = params.symbol_weight
            elif len(line.split()) <= params.fragment_tokens:
                out[k] = params.fragment_weight
        return np.cumsum(out)

    rc, cc = cost(src_mt), cost(tgt)
    rows = np.arange(len(band.lo))[:, None]
    cols = np.clip(band.lo[:, None] + np.arange(band.width)[None, :], 0, len(cc) - 1)
    out = np.zeros((len(params.bead_types), len(band.lo), band.width))
    for t, (a, b) in enumerate(params.bead_types):
        if a > 1:
            out[t] += rc[rows] - rc[np.maximum(rows - a, 0)]
        if b > 1:
            out[t] += cc[cols] - cc[np.maximum(cols - b, 0)]
    return out


def best_sub_pair(
    sims: np.ndarray, band: Band, params: ParallelParams, a: int, b: int
) -> np.ndarray:
    """Best 1-1 similarity among the member pairs of bead (a, b) at each band cell."""
    t11 = params.bead_types.index((1, 1))
    sim11 = sims[0, t11]
    rows, width = sim11.shape
    i = np.arange(rows)[:, None]
    j = band.lo[:, None] + np.arange(width)[None, :]
    best = np.full((rows, width), -np.inf)
    for da in range(a):
        for db in range(b):
            ii = np.clip(i - da, 0, rows - 1)
            kk = j - db - band.lo[ii]
            ok = (i - da >= 1) & (kk >= 0) & (kk < width)
            vals = np.where(ok, sim11[ii, np.clip(kk, 0, width - 1)], np.nan)
            best = np.fmax(best, vals)
    return best


def bead_gains(
    sims: np.ndarray,
    lengths: SpanLengths | None,
    band: Band,
    params: ParallelParams,
    baselines: tuple[np.ndarray, np.ndarray] | None = None,
    numbers: np.ndarray | None = None,
    fragments: np.ndarray | None = None,
) -> np.ndarray:
    """Gain of each bead type at each band cell (nan where the bead does not fit).

    ``sims`` is (5, T, n+1, W): similarity, least member coverage, match surplus, least
    source / target member coverage (see span_chrf);
    ``numbers`` from :func:`number_misses`, ``fragments`` from :func:`fragment_costs`.
    ``lengths`` (the sentences' characters) may be None: no size, baseline or length terms
    by characters.
    """
    gains = np.empty(sims.shape[1:], dtype=np.float64)
    for t, (a, b) in enumerate(params.bead_types):
        size = ((a + b) / 2.0) ** params.size_exponent
        if params.size_by_length and lengths is not None:
            size = lengths.effective_size(band, a, b) ** params.size_exponent
        sim = sims[0, t]
        if baselines is not None and params.margin_weight:
            weights = None
            if params.baseline_by_length and lengths is not None:
                weights = lengths.member_weights()
            sim = sim - params.margin_weight * span_baseline(baselines, band, a, b, weights)
        g = size * (sim - params.threshold)
        if a + b > 2 and params.coverage_weight:
            g = g - params.coverage_weight * np.maximum(params.coverage_floor - sims[1, t], 0.0)
        if params.length_weight and lengths is not None:
            g = g - params.length_weight * size * lengths.length_term(band, a, b)
        if (a, b) != (1, 1):
            g = g - params.penalty.get(f"{a}-{b}", 0.0)
            if params.sub_weight and (1, 1) in params.bead_types:
                gain_over = sims[0, t] - best_sub_pair(sims, band, params, a, b)
                g = g - params.sub_weight * np.maximum(params.sub_margin - gain_over, 0.0)
        if a > 1 and b > 1 and params.pair_weight:
            both = (sims[3, t] < params.pair_floor) & (sims[4, t] < params.pair_floor)
            g = g - params.pair_weight * both
        if params.surplus_weight:
            g = g + params.surplus_weight * sims[2, t]
        if numbers is not None:
            g = g - params.number_weight * numbers[t]
        if fragments is not None:
            g = g - fragments[t]
        gains[t] = g
    return gains


# Bead score: logistic over the bead's features, fitted on the dev beads (Text+Berg dev + MAC
# dev, default settings; `bench/parallel_calibration.py --refit` prints these numbers): one
# fit for chrF of the MT alone (--encoder none), one for MT + the default encoder (the
# similarity feature is then the mix).
BEAD_CALIBRATION: dict[str, float] = {
    "bias": 1.671, "sim": 0.630, "baseline": 3.807, "one_to_one": -1.561, "cover": 2.092,
    "surplus": 1.114, "length": -1.978, "size": -0.373,
}  # fmt: skip
ENCODER_BEAD_CALIBRATION: dict[str, float] = {  # --encoder use-multilingual-v3, with MT
    "bias": 5.791, "sim": 4.921, "baseline": -9.705, "one_to_one": -0.895, "cover": 1.104,
    "surplus": 1.268, "length": -1.209, "size": -0.860,
}  # fmt: skip
ENCODER_ONLY_BEAD_CALIBRATION: dict[str, float] = {  # use-multilingual-v3, no MT
    "bias": 6.362, "sim": 3.964, "baseline": -7.114, "one_to_one": -0.033, "cover": 0.0,
    "surplus": 0.0, "length": -2.743, "size": -1.031,
}  # fmt: skip
CALIBRATION_FEATURES = ("sim", "baseline", "one_to_one", "cover", "surplus", "length", "size")


def bead_features(
    sims: np.ndarray, lengths: SpanLengths, band: Band, t: int, a: int, b: int, i: int, j: int,
    baseline: float,
) -> dict[str, float]:  # fmt: skip
    """The features of bead (a, b) of type index ``t`` ending at DP cell (i, j) (without MT
    the coverage and surplus planes are 0)."""
    k = j - band.lo[i]
    hl = (lengths.hcum[i] - lengths.hcum[i - a]) * lengths.row_scale
    rl = lengths.rcum[j] - lengths.rcum[j - b]
    return {
        "sim": float(sims[0, t, i, k]),
        "baseline": float(baseline),
        "one_to_one": float(a == 1 and b == 1),
        "cover": min(float(sims[3, t, i, k]), float(sims[4, t, i, k]), 1.0),
        "surplus": float(sims[2, t, i, k]) / ((a + b) / 2.0),
        "length": float(length_ratio(hl, rl)),
        "size": float(a + b),
    }


def calibration_weights(mt: bool, encoder: bool) -> dict[str, float]:
    """The bead-score logistic fitted for these signals (MT, encoder, or both)."""
    if not mt:
        return ENCODER_ONLY_BEAD_CALIBRATION
    return ENCODER_BEAD_CALIBRATION if encoder else BEAD_CALIBRATION


def bead_probability(features: dict[str, float], weights: dict[str, float] | None = None) -> float:
    """Chance that the bead is exactly right (logistic over :data:`CALIBRATION_FEATURES`)."""
    weights = weights or BEAD_CALIBRATION
    z = weights["bias"] + sum(weights[name] * features[name] for name in CALIBRATION_FEATURES)
    return float(1.0 / (1.0 + np.exp(-z)))


def bead_similarities(grams: SentenceGrams, band: Band, params: ParallelParams) -> np.ndarray:
    """Similarity, coverage and surplus planes of every bead type and cell: (5, T, n+1, W);
    the surplus is divided by ``grams.unit`` (the n-grams of an average sentence)."""
    from workbench.align._kernels import span_chrf

    types = np.array(params.bead_types, dtype=np.int64).reshape(-1, 2)
    out = np.full((5, len(types), grams.n + 1, band.width), np.nan, dtype=np.float32)
    args = (
        grams.grams,
        grams.starts,
        grams.lengths,
        grams.n,
        grams.n_ids,
        band.lo,
        band.hi,
        band.width,
        types[:, 0].copy(),
        types[:, 1].copy(),
        float(params.beta),
        bool(params.coverage_weight > 0),
        grams.chance,
        out,
    )
    workers = min(params.threads or os.cpu_count() or 1, 8)
    if workers <= 1 or grams.n < 200:
        span_chrf(*args, 0, grams.n + 1)
        out[2] /= grams.unit
        return out
    # rows are independent: split them between threads (the kernel releases the GIL)
    cells = np.cumsum(band.hi - band.lo)
    cuts = np.searchsorted(cells, cells[-1] * np.arange(1, workers) / workers)
    bounds = [0, *[int(c) for c in cuts], grams.n + 1]
    with ThreadPoolExecutor(workers) as pool:
        list(
            pool.map(lambda r: span_chrf(*args, r[0], r[1]), zip(bounds, bounds[1:], strict=False))
        )
    out[2] /= grams.unit
    return out


def search(
    gains: np.ndarray,
    band: Band,
    params: ParallelParams,
    skips: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[tuple[int, int, int, int]]:
    """Best path as (i0, i1, j0, j1) spans; RuntimeError when the band holds no path.

    ``skips``: per-sentence gains of leaving a source (row) / target (column) sentence out;
    default ``params.skip`` for every sentence.
    """
    from workbench.align._kernels import dp_band

    n, m = len(band.lo) - 1, int(band.hi[-1]) - 1
    if skips is None:
        skips = (np.full(n + 1, params.skip), np.full(m + 1, params.skip))
    types = np.array(params.bead_types, dtype=np.int64).reshape(-1, 2)
    path = dp_band(
        gains,
        types[:, 0].copy(),
        types[:, 1].copy(),
        band.lo,
        band.hi,
        band.width,
        np.asarray(skips[0], dtype=np.float64),
        np.asarray(skips[1], dtype=np.float64),
        float(params.run_bonus),
    )
    if len(path) == 0 and (n or m):
        raise RuntimeError("no alignment path inside the band")
    return [tuple(int(x) for x in row) for row in path]


def _text_similarities(
    grams: SentenceGrams | None, back: SentenceGrams | None, band: Band, params: ParallelParams
) -> np.ndarray:
    """Bead planes from the MT (see :func:`bead_similarities`); with ``back`` (source vs MT
    of the target) a weighted mean of both ways (``params.back_weight`` on the back
    direction). Without MT (``grams`` None): zeros."""
    if grams is None:
        return np.zeros((5, len(params.bead_types), len(band.lo), band.width), dtype=np.float32)
    sims = bead_similarities(grams, band, params)
    if back is not None:
        w = params.back_weight
        sims = (1.0 - w) * sims + w * bead_similarities(back, band, params)
    return sims


def _with_encoder(
    text_sims: np.ndarray,
    band: Band,
    params: ParallelParams,
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings] | None,
    has_mt: bool,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The planes with the bead cosine in the similarity plane: mixed with chrF
    (``params.encoder_weight``), or alone without MT. ``out``: an earlier result for the
    same ``text_sims`` and band, whose similarity plane is recomputed in place (the other
    planes are ``text_sims``'s already; no new (5, T, n+1, W) array)."""
    if embeddings is None:
        if not has_mt:
            raise ValueError("no MT and no embeddings: nothing to score beads with")
        return text_sims
    cos = span_cosines(embeddings[0], embeddings[1], band, params.bead_types)
    if out is None:
        out = np.empty_like(text_sims)
        out[1:] = text_sims[1:]
    if has_mt:  # (1 - w) * chrF + w * scale * cosine, without full-size temporaries
        w = params.encoder_weight
        np.multiply(text_sims[0], 1.0 - w, out=out[0])
        np.multiply(cos, w * params.encoder_scale, out=cos)
        np.add(out[0], cos, out=out[0])
    else:
        out[0] = cos
    return out


def _both_ways(
    grams: SentenceGrams | None,
    back: SentenceGrams | None,
    band: Band,
    params: ParallelParams,
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings] | None = None,
) -> np.ndarray:
    """Bead similarities from the MT (both ways with ``back``) and the encoder."""
    text_sims = _text_similarities(grams, back, band, params)
    return _with_encoder(text_sims, band, params, embeddings, grams is not None)


def embed_merges(
    path: Sequence[tuple[int, int, int, int]],
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings],
    spread: int = 1,
) -> int:
    """Lazy concatenations: embed both sides of every many-sided bead of ``path``, and the
    spans with either boundary moved by up to ``spread`` sentences; returns how many."""
    src_spans: set[tuple[int, int]] = set()
    tgt_spans: set[tuple[int, int]] = set()
    moves = range(-spread, spread + 1)
    for i0, i1, j0, j1 in path:
        if i1 - i0 + j1 - j0 <= 2:
            continue
        src_spans.update((i0 + d0, i1 + d1) for d0 in moves for d1 in moves)
        tgt_spans.update((j0 + d0, j1 + d1) for d0 in moves for d1 in moves)
    return embeddings[0].embed_spans(src_spans) + embeddings[1].embed_spans(tgt_spans)


def align_parallel(
    src_mt: Sequence[str] | None,
    tgt: Sequence[str],
    params: ParallelParams | None = None,
    src: Sequence[str] | None = None,
    tgt_mt: Sequence[str] | None = None,
    embeddings: tuple[np.ndarray | SpanEmbeddings, np.ndarray | SpanEmbeddings] | None = None,
) -> ParallelResult:
    """Align ``src_mt`` (MT of the source, one line per source sentence) with ``tgt``.

    With ``src`` and ``tgt_mt`` (the target translated into the source language, one line
    per target sentence) beads are scored both ways, as Bleualign allows: the mean of
    chrF(MT of source, target) and chrF(source, MT of target).
    With ``params.lexicon_weight > 0`` a second pass mixes in the lexical score of a table
    learned from the first pass's confident links (:mod:`workbench.align.lexicon`).

    ``embeddings``: (source, target) span embeddings
    (:class:`~workbench.align.signals.bead_cosines.SpanEmbeddings`, or plain (n, D) and
    (m, D) arrays of unit rows: spans are then sums of members); the similarity becomes
    ``(1 - params.encoder_weight) * chrF + params.encoder_weight * cosine``. With
    embeddings ``src_mt`` may be None: the similarity is then the cosine alone, the
    MT-based terms (coverage, pair, surplus, length, lexicon weights) are set to 0, ``src``
    (optional, without ``tgt_mt``) gives the source text for the number and fragment terms.
    """
    params = params or ParallelParams()
    if embeddings is not None:
        embeddings = as_span_embeddings(embeddings)
    if src_mt is None:
        if embeddings is None:
            raise ValueError("src_mt may be None only with embeddings")
        if tgt_mt is not None:
            raise ValueError("tgt_mt (scoring both ways) needs src_mt")
        if src is not None and len(src) != len(embeddings[0]):
            raise ValueError("src must have one line per source embedding")
        text = list(src) if src is not None else [""] * len(embeddings[0])
        return _align(None, text, tgt, params, None, None, embeddings)
    n, m = len(src_mt), len(tgt)
    if (src is None) != (tgt_mt is None):
        raise ValueError("src and tgt_mt go together (scoring both ways)")
    if src is not None and (len(src) != n or len(tgt_mt) != m):
        raise ValueError("src must be line-parallel to src_mt and tgt_mt to tgt")
    return _align(src_mt, src_mt, tgt, params, src, tgt_mt, embeddings)


def _align(
    src_mt: Sequence[str] | None,
    text: Sequence[str],
    tgt: Sequence[str],
    params: ParallelParams,
    src: Sequence[str] | None,
    tgt_mt: Sequence[str] | None,
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings] | None,
) -> ParallelResult:
    """``text``: the source-side lines of the text-only terms (the MT, or without MT the
    source itself)."""
    n, m = len(text), len(tgt)
    if embeddings is not None and (len(embeddings[0]) != n or len(embeddings[1]) != m):
        raise ValueError("embeddings must have one row per source and per target sentence")
    if n == 0 or m == 0:
        beads: list[Bead] = [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
        return ParallelResult(beads, [float("nan")] * len(beads), [0.0] * len(beads))
    if src_mt is None:  # encoder only: the terms that compare MT with the target are off
        params = replace(
            params, coverage_weight=0.0, pair_weight=0.0, surplus_weight=0.0,
            lexicon_weight=0.0,
        )  # fmt: skip
        grams = None
        lengths: SpanLengths = SpanLengths.of_texts(text, tgt, per_side=True)
    else:
        grams = lengths = SentenceGrams(src_mt, tgt)
    back = SentenceGrams(src, tgt_mt) if src is not None and tgt_mt is not None else None
    band = _first_band(src_mt, text, tgt, grams, params, embeddings)
    # coarse pass: 1-1 beads only; it gives the margin baselines and, when refining, the
    # path around which all bead types are searched
    coarse = replace(params, bead_types=((1, 1),))
    sims = _both_ways(grams, back, band, coarse, embeddings)
    baselines = sentence_baselines(sims[0, 0], band)
    skips = orphan_skips(sims[0, 0], band, params) if params.orphan_weight else None
    if params.refine_radius > 0:
        first = search(bead_gains(sims, lengths, band, coarse, baselines), band, coarse, skips)
        band = path_band(first, n, m, params.refine_radius)
    text_sims = _text_similarities(grams, back, band, params)
    sims = _with_encoder(text_sims, band, params, embeddings, grams is not None)
    numbers = number_misses(text, tgt, band, params) if params.number_weight else None
    fragments = None
    if params.symbol_weight or params.fragment_weight:
        fragments = fragment_costs(text, tgt, band, params)
    gains = bead_gains(sims, lengths, band, params, baselines, numbers, fragments)
    path = search(gains, band, params, skips)
    if embeddings is not None and embed_merges(path, embeddings):
        sims = _with_encoder(text_sims, band, params, embeddings, grams is not None, out=sims)
        gains = bead_gains(sims, lengths, band, params, baselines, numbers, fragments)
        path = search(gains, band, params, skips)
    if params.lexicon_weight > 0 and src_mt is not None:
        from workbench.align.lexicon import LexiconParams, lexical_similarities

        lex_params = LexiconParams(weight=params.lexicon_weight, confident=params.lexicon_confident)
        sims = lexical_similarities(src_mt, tgt, band, sims, path, params.bead_types, lex_params)
        gains = bead_gains(sims, lengths, band, params, baselines, numbers, fragments)
        path = search(gains, band, params, skips)
    weights = calibration_weights(grams is not None, embeddings is not None)
    return _result(path, sims, lengths, band, params, baselines, weights)


def _first_band(
    src_mt: Sequence[str] | None,
    text: Sequence[str],
    tgt: Sequence[str],
    grams: SentenceGrams | None,
    params: ParallelParams,
    embeddings: tuple[SpanEmbeddings, SpanEmbeddings] | None,
) -> Band:
    """The whole grid for small documents; else a band around anchors (MT), or from
    aligning chunks first (few anchors, or no MT: chunk embeddings)."""
    n, m = len(text), len(tgt)
    if (n + 1) * (m + 1) <= params.full_cells:
        return full_band(n, m)
    if src_mt is None or grams is None:  # no MT: no character anchors
        return coarse_band(text, tgt, params, params.chunk, embeddings)
    chain = anchor_chain(src_mt, tgt, grams)
    if len(chain) >= max(3, 0.02 * min(n, m)):
        return anchor_band(grams, params.band_margin, chain)
    return coarse_band(src_mt, tgt, params, params.chunk)  # few trustworthy anchors


def _result(
    path: list[tuple[int, int, int, int]],
    sims: np.ndarray,
    lengths: SpanLengths,
    band: Band,
    params: ParallelParams,
    baselines: tuple[np.ndarray, np.ndarray],
    weights: dict[str, float],
) -> ParallelResult:
    """Beads of the path with their similarity, margin, features and calibrated score."""
    index = {ab: t for t, ab in enumerate(params.bead_types)}
    row_base, col_base = baselines
    beads, bead_sims, margins, scores, features = [], [], [], [], []
    for i0, i1, j0, j1 in path:
        beads.append((tuple(range(i0, i1)), tuple(range(j0, j1))))
        if i1 > i0 and j1 > j0:
            t = index[(i1 - i0, j1 - j0)]
            sim = float(sims[0, t, i1, j1 - band.lo[i1]])
            base = 0.5 * (row_base[i0 + 1 : i1 + 1].mean() + col_base[j0 + 1 : j1 + 1].mean())
            bead_sims.append(sim)
            margins.append(sim - float(base))
            feats = bead_features(sims, lengths, band, t, i1 - i0, j1 - j0, i1, j1, base)
            features.append(feats)
            scores.append(bead_probability(feats, weights))
        else:
            bead_sims.append(float("nan"))
            margins.append(float("nan"))
            features.append({})
            scores.append(0.0)
    return ParallelResult(
        beads=beads,
        sims=bead_sims,
        scores=scores,
        margins=margins,
        band_cells=int((band.hi - band.lo).sum()),
        features=features,
    )
