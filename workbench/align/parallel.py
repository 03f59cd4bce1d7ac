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
from dataclasses import dataclass, field

import numpy as np

from workbench.align.beads import Bead
from workbench.align.chrf import Profiles, chrf_from_stats, profile

NEG = -1e18


@dataclass
class ParallelParams:
    """Tunable parameters (tuned on Text+Berg dev and MAC dev; see docs/benchmarks.md)."""

    max_bead: int = 3  # longest span on either side
    bead_types: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2))
    threshold: float = 0.1  # similarity a bead must beat to be worth aligning
    skip: float = -0.1  # gain of one unaligned sentence (1-0 / 0-1 beads)
    size_exponent: float = 0.5  # bead weight ((a + b) / 2) ** size_exponent
    penalty: dict[str, float] = field(
        default_factory=lambda: {"1-2": 0.05, "2-1": 0.05, "1-3": 0.1, "3-1": 0.1, "2-2": 0.1}
    )
    length_weight: float = 0.0  # weight of |log length ratio| (MT vs target, characters)
    full_cells: int = 600_000  # documents up to n*m cells are searched without a band
    band_margin: int = 25  # sentences added on each side of the anchor band
    block_rows: int = 128  # rows per block when computing band scores
    # calibration of the bead score in [0, 1]: logistic(slope * (sim - centre))
    calib_slope: float = 12.0
    calib_centre: float = 0.3


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


class SpanIndex:
    """Profiles of every span of 1..max_bead consecutive sentences on both sides."""

    def __init__(self, hyp: Sequence[str], ref: Sequence[str], max_bead: int):
        self.n, self.m, self.k = len(hyp), len(ref), max_bead
        texts: list[str] = []
        self.hyp_row = np.full((max_bead + 1, self.n + 1), -1, dtype=np.int64)
        self.ref_row = np.full((max_bead + 1, self.m + 1), -1, dtype=np.int64)
        for side, sents, rows in ((0, hyp, self.hyp_row), (1, ref, self.ref_row)):
            del side
            for length in range(1, max_bead + 1):
                for start in range(len(sents) - length + 1):
                    rows[length, start] = len(texts)
                    texts.append(" ".join(sents[start : start + length]))
        self.prof: Profiles = profile(texts)
        self.texts_len = self.prof.lengths


def full_band(n: int, m: int) -> Band:
    return Band(lo=np.zeros(n + 1, dtype=np.int64), hi=np.full(n + 1, m + 1, dtype=np.int64))


def anchor_band(hyp: Sequence[str], ref: Sequence[str], margin: int, order: int = 4) -> Band:
    """Band around a monotone chain of pairs sharing an n-gram found once on each side."""
    n, m = len(hyp), len(ref)
    pairs = _hapax_pairs(hyp, ref, order)
    chain = _longest_chain(pairs)
    # corner points so that every row is bracketed
    pts = [(0, 0), *chain, (n, m)]
    pi = np.array([p[0] for p in pts], dtype=np.int64)
    pj = np.array([p[1] for p in pts], dtype=np.int64)
    rows = np.arange(n + 1)
    # previous anchor at or before row i, next anchor at or after row i
    prev_idx = np.searchsorted(pi, rows, side="right") - 1
    next_idx = np.searchsorted(pi, rows, side="left")
    next_idx = np.minimum(next_idx, len(pi) - 1)
    lo = np.clip(pj[prev_idx] - margin, 0, m)
    hi = np.clip(pj[next_idx] + margin + 1, 1, m + 1)
    return Band(lo=lo.astype(np.int64), hi=hi.astype(np.int64))


def _hapax_pairs(hyp: Sequence[str], ref: Sequence[str], order: int) -> np.ndarray:
    """(i, j) pairs (DP coordinates: the pair's end, i+1 and j+1) sharing a hapax n-gram."""
    from collections import Counter

    def grams(sents: Sequence[str]) -> dict[str, int]:
        where: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for idx, sent in enumerate(sents):
            s = "".join(sent.lower().split())
            seen = {s[p : p + order] for p in range(len(s) - order + 1)}
            counts.update(seen)
            for g in seen:
                where[g] = idx
        return {g: where[g] for g, c in counts.items() if c == 1}

    gh, gr = grams(hyp), grams(ref)
    common = gh.keys() & gr.keys()
    if not common:
        return np.zeros((0, 2), dtype=np.int64)
    arr = np.array(sorted({(gh[g], gr[g]) for g in common}), dtype=np.int64)
    # keep pairs supported by at least two hapaxes or isolated ones; dedupe per row
    return arr + 1


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


def band_similarity(spans: SpanIndex, band: Band, a: int, b: int, block: int) -> np.ndarray:
    """chrF/100 of bead (a, b) ending at each band cell: shape (n+1, width), nan if invalid."""
    n = spans.n
    width = band.width
    out = np.full((n + 1, width), np.nan, dtype=np.float32)
    prof = spans.prof
    for r0 in range(a, n + 1, block):
        r1 = min(n + 1, r0 + block)
        rows = np.arange(r0, r1)
        c0 = max(int(band.lo[r0:r1].min()), b)
        c1 = int(band.hi[r0:r1].max())
        if c1 <= c0:
            continue
        cols = np.arange(c0, c1)
        hyp_rows = spans.hyp_row[a, rows - a]
        ref_rows = spans.ref_row[b, cols - b]
        matches = np.zeros((len(rows), len(cols), prof.order), dtype=np.int32)
        for k, matrix in enumerate(prof.matrices):
            matches[:, :, k] = (matrix[hyp_rows] @ matrix[ref_rows].T).toarray()
        hc = np.broadcast_to(prof.counts(hyp_rows)[:, None, :], matches.shape)
        rc = np.broadcast_to(prof.counts(ref_rows)[None, :, :], matches.shape)
        sim = chrf_from_stats(
            hc.reshape(-1, prof.order), rc.reshape(-1, prof.order), matches.reshape(-1, prof.order)
        ).reshape(len(rows), len(cols))
        # place rectangle cells into band coordinates
        for t, i in enumerate(rows):
            lo, hi = max(int(band.lo[i]), c0), min(int(band.hi[i]), c1)
            if hi > lo:
                out[i, lo - band.lo[i] : hi - band.lo[i]] = sim[t, lo - c0 : hi - c0] / 100.0
    return out


def length_term(spans: SpanIndex, band: Band, a: int, b: int) -> np.ndarray:
    """|log((len_mt + 10) / (len_tgt + 10))| of bead (a, b) at each band cell."""
    n = spans.n
    width = band.width
    i = np.arange(n + 1)[:, None]
    j = band.lo[:, None] + np.arange(width)[None, :]
    hr = spans.hyp_row[a, np.clip(i - a, 0, n)]
    rr = spans.ref_row[b, np.clip(j - b, 0, spans.m)]
    hl = np.where(hr >= 0, spans.texts_len[np.maximum(hr, 0)], 0).astype(np.float64)
    rl = np.where(rr >= 0, spans.texts_len[np.maximum(rr, 0)], 0).astype(np.float64)
    return np.abs(np.log((hl + 10.0) / (rl + 10.0))).astype(np.float32)


def dp_search(
    gains: dict[tuple[int, int], np.ndarray], band: Band, n: int, m: int, skip: float
) -> list[tuple[int, int, int, int]]:
    """Best monotone path; returns beads as (i0, i1, j0, j1) half-open spans, in order."""
    width = band.width
    lo, hi = band.lo, band.hi
    D = np.full((n + 1, width), NEG)
    choice = np.full((n + 1, width), -1, dtype=np.int16)  # bead index for E, -2 = deletion
    from_k = np.zeros((n + 1, width), dtype=np.int32)  # column where the insertion run starts
    types = list(gains.keys())
    ar = np.arange(width)
    for i in range(n + 1):
        w = int(hi[i] - lo[i])
        j = lo[i] + ar[:w]
        E = np.full(w, NEG)
        C = np.full(w, -1, dtype=np.int16)
        if i == 0:
            start = j == 0
            E[start] = 0.0
        else:
            # deletion (1-0): from (i-1, j)
            pk = j - lo[i - 1]
            ok = (pk >= 0) & (pk < hi[i - 1] - lo[i - 1])
            cand = np.where(ok, D[i - 1, np.clip(pk, 0, width - 1)] + skip, NEG)
            better = cand > E
            E = np.where(better, cand, E)
            C = np.where(better, -2, C)
            for t, (a, b) in enumerate(types):
                if i - a < 0:
                    continue
                pk = j - b - lo[i - a]
                ok = (pk >= 0) & (pk < hi[i - a] - lo[i - a]) & (j - b >= 0)
                g = gains[(a, b)][i, :w]
                cand = np.where(ok & ~np.isnan(g), D[i - a, np.clip(pk, 0, width - 1)] + g, NEG)
                better = cand > E
                E = np.where(better, cand, E)
                C = np.where(better, t, C)
        # insertions (0-1) along the row: D[j] = max_k<=j E[k] + (j-k)*skip
        val = E - ar[:w] * skip
        cm = np.maximum.accumulate(val)
        idx = np.maximum.accumulate(np.where(val >= cm, ar[:w], 0))
        D[i, :w] = cm + ar[:w] * skip
        from_k[i, :w] = idx
        choice[i, :w] = C
    # backtrack from (n, m)
    if not (lo[n] <= m < hi[n]) or D[n, m - lo[n]] <= NEG / 2:
        raise RuntimeError("no alignment path inside the band")
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(from_k[i, j - lo[i]]) + int(lo[i])
        for jj in range(j - 1, k - 1, -1):
            beads.append((i, i, jj, jj + 1))
        j = k
        if i == 0 and j == 0:
            break
        c = int(choice[i, j - lo[i]])
        if c == -2:
            beads.append((i - 1, i, j, j))
            i -= 1
        elif c >= 0:
            a, b = types[c]
            beads.append((i - a, i, j - b, j))
            i, j = i - a, j - b
        else:
            raise RuntimeError(f"broken back-pointer at ({i}, {j})")
    return beads[::-1]


def _gains(
    sims: dict[tuple[int, int], np.ndarray],
    lengths: dict[tuple[int, int], np.ndarray] | None,
    params: ParallelParams,
) -> dict[tuple[int, int], np.ndarray]:
    out = {}
    for (a, b), sim in sims.items():
        size = ((a + b) / 2.0) ** params.size_exponent
        g = size * (sim - params.threshold)
        if lengths is not None and params.length_weight:
            g = g - params.length_weight * size * lengths[(a, b)]
        if (a, b) != (1, 1):
            g = g - params.penalty.get(f"{a}-{b}", 0.0)
        out[(a, b)] = g
    return out


def calibrate(sim: np.ndarray | float, params: ParallelParams) -> np.ndarray:
    """Map a bead similarity to a score in [0, 1] (logistic, fitted on dev gold)."""
    return 1.0 / (1.0 + np.exp(-params.calib_slope * (np.asarray(sim) - params.calib_centre)))


def align_parallel(
    src_mt: Sequence[str],
    tgt: Sequence[str],
    params: ParallelParams | None = None,
    rescorer=None,
) -> ParallelResult:
    """Align ``src_mt`` (MT of the source, one line per source sentence) with ``tgt``.

    ``rescorer`` (optional) is called as ``rescorer(spans, band, sims, first_pass_beads)`` and
    returns new similarity arrays for a second pass (e.g. :mod:`workbench.align.lexicon`).
    """
    params = params or ParallelParams()
    n, m = len(src_mt), len(tgt)
    if n == 0 or m == 0:
        beads: list[Bead] = [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
        return ParallelResult(beads, [float("nan")] * len(beads), [0.0] * len(beads))
    spans = SpanIndex(src_mt, tgt, params.max_bead)
    if (n + 1) * (m + 1) <= params.full_cells:
        band = full_band(n, m)
    else:
        band = anchor_band(src_mt, tgt, params.band_margin)
    sims = {
        (a, b): band_similarity(spans, band, a, b, params.block_rows) for a, b in params.bead_types
    }
    lengths = None
    if params.length_weight:
        lengths = {(a, b): length_term(spans, band, a, b) for a, b in params.bead_types}
    path = dp_search(_gains(sims, lengths, params), band, n, m, params.skip)
    if rescorer is not None:
        sims = rescorer(spans, band, sims, path)
        path = dp_search(_gains(sims, lengths, params), band, n, m, params.skip)
    beads, bead_sims = [], []
    for i0, i1, j0, j1 in path:
        beads.append((tuple(range(i0, i1)), tuple(range(j0, j1))))
        if i1 > i0 and j1 > j0:
            bead_sims.append(float(sims[(i1 - i0, j1 - j0)][i1, j1 - band.lo[i1]]))
        else:
            bead_sims.append(float("nan"))
    sim_arr = np.array(bead_sims)
    scores = np.where(np.isnan(sim_arr), 0.0, calibrate(np.nan_to_num(sim_arr), params))
    return ParallelResult(
        beads=beads,
        sims=bead_sims,
        scores=[float(s) for s in scores],
        band_cells=int((band.hi - band.lo).sum()),
    )
