"""Parallel mode: monotonic dynamic programming over beads (1-1 ... 1-3/3-1, 2-2, 1-0, 0-1).

Input: source sentences, their machine translation into the target language (line by line)
and the target sentences. A bead ``(a, b)`` pairs ``a`` consecutive source sentences with
``b`` consecutive target sentences; its similarity is the chrF of the concatenated MT of the
source span against the concatenated target span (exactly sacrebleu's sentence chrF, see
:mod:`workbench.align.chrf`), optionally mixed with a lexical score learned from the first
pass (:mod:`workbench.align.lexicon`).

The path maximises ``sum over beads of (a + b) * (sim - threshold) - penalty[a, b]``;
unaligned sentences (1-0, 0-1) gain ``skip`` each. For long documents the search is
restricted to a band around a chain of anchor pairs (n-grams that occur exactly once on each
side, chained by a longest increasing subsequence), so time and memory grow about linearly
with document length. Rows are processed with numpy; insertions within a row use a
cumulative maximum, so there is no Python loop over cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from workbench.align.beads import Bead
from workbench.align.chrf import CHAR_ORDER

_CODE_BITS = 21


@dataclass
class ParallelParams:
    """Tunable parameters; defaults mirror ``AlignSettings.parallel_*`` (tuned on dev sets)."""

    max_bead: int = 3  # longest span on either side
    bead_types: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2))
    beta: float = 1.0  # F-beta of chrF precision/recall (2 = sacrebleu chrF)
    threshold: float = 0.186  # similarity a bead must beat to be worth aligning
    skip: float = -0.166  # gain of one unaligned sentence (1-0 / 0-1 beads)
    size_exponent: float = 0.45  # bead weight ((a + b) / 2) ** size_exponent
    penalty: dict[str, float] = field(
        default_factory=lambda: {
            "1-2": 0.036,
            "2-1": 0.036,
            "1-3": 0.116,
            "3-1": 0.116,
            "2-2": 0.10,
        }
    )
    length_weight: float = 0.095  # weight of |log length ratio| (MT vs target, characters)
    lexicon_weight: float = 0.0  # mix of the lexical second pass (0: one pass)
    full_cells: int = 600_000  # documents up to n*m cells are searched without an anchor band
    band_margin: int = 25  # sentences added on each side of the anchor band
    refine_radius: int = 6  # 0: one pass; else a 1-1 pass, then all beads within this radius
    # calibration of the bead score in [0, 1]: logistic(slope * (sim - centre))
    calib_slope: float = 12.0
    calib_centre: float = 0.3


def params_from_settings(settings) -> ParallelParams:
    """ParallelParams from ``AlignSettings`` (the ``parallel_*`` fields)."""
    return ParallelParams(
        beta=settings.parallel_beta,
        threshold=settings.parallel_threshold,
        skip=settings.parallel_skip,
        size_exponent=settings.parallel_size_exponent,
        penalty=dict(settings.parallel_penalty),
        length_weight=settings.parallel_length_weight,
        lexicon_weight=settings.parallel_lexicon_weight,
        full_cells=settings.parallel_full_cells,
        band_margin=settings.parallel_band_margin,
        refine_radius=settings.parallel_refine_radius,
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
    band_cells: int = 0


class SentenceGrams:
    """Dense character n-gram ids (orders 1..order) at every position of every sentence."""

    def __init__(self, hyp: Sequence[str], ref: Sequence[str], order: int = CHAR_ORDER):
        self.n, self.m, self.order = len(hyp), len(ref), order
        stripped = ["".join(t.split()) for t in list(hyp) + list(ref)]
        self.lengths = np.fromiter((len(t) for t in stripped), dtype=np.int64, count=len(stripped))
        self.starts = np.zeros(len(stripped), dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=self.starts[1:])
        codes = np.frombuffer("".join(stripped).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.int64)
        total = len(codes)
        self.grams = np.zeros((order, max(total, 1)), dtype=np.int64)
        offset = 0
        gram = np.unique(codes, return_inverse=True)[1].astype(np.int64).ravel()
        for k in range(order):
            if k > 0:
                key = (gram[: total - k] << _CODE_BITS) | codes[k:]
                gram = np.unique(key, return_inverse=True)[1].astype(np.int64).ravel()
            if len(gram):
                self.grams[k, : len(gram)] = gram + offset
                offset += int(gram.max()) + 1
        self.n_ids = max(offset, 1)
        self.hcum = np.concatenate([[0], np.cumsum(self.lengths[: self.n])])
        self.rcum = np.concatenate([[0], np.cumsum(self.lengths[self.n :])])

    def hapax_pairs(self, k: int = 3) -> np.ndarray:
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
        return np.unique(np.stack([hyp_of[ids], ref_of[ids]], axis=1), axis=0)

    def length_term(self, band: Band, a: int, b: int) -> np.ndarray:
        """|log((len_mt + 10) / (len_tgt + 10))| of bead (a, b) at each band cell."""
        rows = np.arange(self.n + 1)[:, None]
        cols = np.clip(band.lo[:, None] + np.arange(band.width)[None, :], 0, self.m)
        hl = self.hcum[rows] - self.hcum[np.maximum(rows - a, 0)]
        rl = self.rcum[cols] - self.rcum[np.maximum(cols - b, 0)]
        return np.abs(np.log((hl + 10.0) / (rl + 10.0)))


def full_band(n: int, m: int) -> Band:
    return Band(lo=np.zeros(n + 1, dtype=np.int64), hi=np.full(n + 1, m + 1, dtype=np.int64))


def anchor_band(grams: SentenceGrams, margin: int) -> Band:
    """Band around a monotone chain of pairs sharing an n-gram found once on each side."""
    n, m = grams.n, grams.m
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


def bead_gains(
    sims: np.ndarray, grams: SentenceGrams, band: Band, params: ParallelParams
) -> np.ndarray:
    """Gain of each bead type at each band cell (nan where the bead does not fit)."""
    gains = np.empty(sims.shape, dtype=np.float64)
    for t, (a, b) in enumerate(params.bead_types):
        size = ((a + b) / 2.0) ** params.size_exponent
        g = size * (sims[t] - params.threshold)
        if params.length_weight:
            g = g - params.length_weight * size * grams.length_term(band, a, b)
        if (a, b) != (1, 1):
            g = g - params.penalty.get(f"{a}-{b}", 0.0)
        gains[t] = g
    return gains


def calibrate(sim: np.ndarray | float, params: ParallelParams) -> np.ndarray:
    """Map a bead similarity to a score in [0, 1] (logistic, fitted on dev gold)."""
    return 1.0 / (1.0 + np.exp(-params.calib_slope * (np.asarray(sim) - params.calib_centre)))


def bead_similarities(grams: SentenceGrams, band: Band, params: ParallelParams) -> np.ndarray:
    """chrF-style similarity (0..1) of every bead type at every band cell: (T, n+1, W)."""
    from workbench.align._kernels import span_chrf

    types = np.array(params.bead_types, dtype=np.int64).reshape(-1, 2)
    return span_chrf(
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
    )


def search(
    gains: np.ndarray, band: Band, params: ParallelParams
) -> list[tuple[int, int, int, int]]:
    """Best path as (i0, i1, j0, j1) spans; RuntimeError when the band holds no path."""
    from workbench.align._kernels import dp_band

    types = np.array(params.bead_types, dtype=np.int64).reshape(-1, 2)
    path = dp_band(
        gains, types[:, 0].copy(), types[:, 1].copy(), band.lo, band.hi, band.width, params.skip
    )
    n, m = len(band.lo) - 1, int(band.hi[-1]) - 1
    if len(path) == 0 and (n or m):
        raise RuntimeError("no alignment path inside the band")
    return [tuple(int(x) for x in row) for row in path]


def align_parallel(
    src_mt: Sequence[str],
    tgt: Sequence[str],
    params: ParallelParams | None = None,
    rescorer=None,
) -> ParallelResult:
    """Align ``src_mt`` (MT of the source, one line per source sentence) with ``tgt``.

    ``rescorer`` (optional) is called as ``rescorer(grams, band, sims, path)`` after the first
    pass and returns new similarities of the same shape for a second pass
    (e.g. :mod:`workbench.align.lexicon`).
    """
    params = params or ParallelParams()
    n, m = len(src_mt), len(tgt)
    if n == 0 or m == 0:
        beads: list[Bead] = [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
        return ParallelResult(beads, [float("nan")] * len(beads), [0.0] * len(beads))
    grams = SentenceGrams(src_mt, tgt)
    if (n + 1) * (m + 1) <= params.full_cells:
        band = full_band(n, m)
    else:
        band = anchor_band(grams, params.band_margin)
    if params.refine_radius > 0:
        # coarse pass: 1-1 beads only, then all bead types near its path
        coarse = replace(params, bead_types=((1, 1),))
        sims = bead_similarities(grams, band, coarse)
        first = search(bead_gains(sims, grams, band, coarse), band, coarse)
        band = path_band(first, n, m, params.refine_radius)
    sims = bead_similarities(grams, band, params)
    path = search(bead_gains(sims, grams, band, params), band, params)
    if rescorer is not None:
        sims = rescorer(grams, band, sims, path)
        path = search(bead_gains(sims, grams, band, params), band, params)
    index = {ab: t for t, ab in enumerate(params.bead_types)}
    beads, bead_sims = [], []
    for i0, i1, j0, j1 in path:
        beads.append((tuple(range(i0, i1)), tuple(range(j0, j1))))
        if i1 > i0 and j1 > j0:
            t = index[(i1 - i0, j1 - j0)]
            bead_sims.append(float(sims[t, i1, j1 - band.lo[i1]]))
        else:
            bead_sims.append(float("nan"))
    sim_arr = np.array(bead_sims)
    scores = np.where(np.isnan(sim_arr), 0.0, calibrate(np.nan_to_num(sim_arr), params))
    return ParallelResult(
        beads=beads,
        sims=bead_sims,
        scores=[float(x) for x in scores],
        band_cells=int((band.hi - band.lo).sum()),
    )
