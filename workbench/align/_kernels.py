"""Compiled inner loops of the parallel aligner (numba; cached on disk after the first run).

``span_chrf`` scores every candidate bead inside the band: the clipped n-gram matches of a
span pair are counted exactly over the members' n-grams (stamp arrays, no sorting), so a
cell costs one pass over the target span's n-grams. ``dp_band`` runs the monotone dynamic
programme over the band and returns back-pointers.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - numba is a dependency; pure Python still works

    def njit(*args, **kwargs):  # type: ignore[no-redef]
        def wrap(func):
            return func

        return wrap


COVER_FROM = 2  # member coverage counts n-grams of order 3 and up (letters match anything)


@njit(cache=True, nogil=True)
def span_chrf(
    grams: np.ndarray,  # (order, total) int64: dense n-gram id at each position (order offset)
    starts: np.ndarray,  # (texts,) start position of each text
    lengths: np.ndarray,  # (texts,) characters of each text (no whitespace)
    n_hyp: int,  # texts 0..n_hyp-1 are hypotheses (MT), the rest references
    n_ids: int,  # number of distinct ids over all orders
    lo: np.ndarray,  # (n+1,) band start per DP row
    hi: np.ndarray,  # (n+1,) band end per DP row
    width: int,
    bead_a: np.ndarray,  # (T,) source sentences per bead type
    bead_b: np.ndarray,  # (T,) target sentences per bead type
    beta: float,
    with_cover: bool,  # also compute the least member coverage (out[1])
    chance: np.ndarray,  # (order,) expected chance matches per hyp x ref n-gram pair, per order
    out: np.ndarray,  # (5, T, n+1, width) float32, filled with nan; rows row0..row1-1 written
    row0: int,
    row1: int,
) -> None:
    """Similarity (F-beta of averaged char n-gram precision/recall, 0..1) per bead and cell.

    Fills rows row0..row1-1 of ``out`` (5, T, n+1, width): [0] the similarity, [1] the coverage of the least
    covered member sentence (share of its n-grams of order >= 3 matched by the other side; the similarity
    itself for 1-1 beads), [2] the match surplus (matches of order >= 3 minus ``chance`` times the
    hypothesis x reference n-gram pairs), [3] / [4] the least coverage among the source / target
    members (2.0 on a one-sentence side); nan where the bead does not fit. Bead (a, b) at cell
    (i, j) covers hypotheses i-a..i-1 and references j-b..j-1.
    """
    order = grams.shape[0]
    n_types = bead_a.shape[0]
    hcount = np.zeros(n_ids, dtype=np.int32)
    rcount = np.zeros(n_ids, dtype=np.int32)
    rstamp = np.zeros(n_ids, dtype=np.int64)
    used2 = np.zeros(n_ids, dtype=np.int32)
    ustamp2 = np.zeros(n_ids, dtype=np.int64)
    hstamp = np.zeros(n_ids, dtype=np.int64)
    used = np.zeros(n_ids, dtype=np.int32)
    ustamp = np.zeros(n_ids, dtype=np.int64)
    hstamp_now = 0
    ustamp_now = 0
    hc = np.zeros(order, dtype=np.int64)
    rc = np.zeros(order, dtype=np.int64)
    match = np.zeros(order, dtype=np.int64)
    factor = beta * beta
    max_a = 0
    for t in range(n_types):
        if bead_a[t] > max_a:
            max_a = bead_a[t]
    for i in range(max(row0, 1), row1):
        for a in range(1, max_a + 1):
            if i - a < 0:
                continue
            # profile of the hypothesis span i-a..i-1
            hstamp_now += 1
            for k in range(order):
                hc[k] = 0
            for s in range(i - a, i):
                for k in range(order):
                    cnt = lengths[s] - k
                    if cnt <= 0:
                        continue
                    hc[k] += cnt
                    base = starts[s]
                    for p in range(base, base + cnt):
                        g = grams[k, p]
                        if hstamp[g] != hstamp_now:
                            hstamp[g] = hstamp_now
                            hcount[g] = 0
                        hcount[g] += 1
            for t in range(n_types):
                if bead_a[t] != a:
                    continue
                b = bead_b[t]
                for j in range(max(lo[i], b), hi[i]):
                    ustamp_now += 1
                    for k in range(order):
                        rc[k] = 0
                        match[k] = 0
                    cover = 2.0
                    cover_tgt = 2.0
                    cover_src = 2.0
                    for q in range(j - b, j):
                        s = n_hyp + q
                        member_total = 0
                        member_match = 0
                        for k in range(order):
                            cnt = lengths[s] - k
                            if cnt <= 0:
                                continue
                            rc[k] += cnt
                            if k >= COVER_FROM:
                                member_total += cnt
                            base = starts[s]
                            for p in range(base, base + cnt):
                                g = grams[k, p]
                                if with_cover and a > 1:  # target span counts
                                    if rstamp[g] != ustamp_now:
                                        rstamp[g] = ustamp_now
                                        rcount[g] = 0
                                    rcount[g] += 1
                                if hstamp[g] != hstamp_now:
                                    continue
                                if ustamp[g] != ustamp_now:
                                    ustamp[g] = ustamp_now
                                    used[g] = 0
                                if used[g] < hcount[g]:
                                    used[g] += 1
                                    match[k] += 1
                                    if k >= COVER_FROM:
                                        member_match += 1
                        if with_cover and b > 1 and member_total > 0:
                            cover_tgt = min(cover_tgt, member_match / member_total)
                    if with_cover and a > 1:
                        for s in range(i - a, i):
                            member_total = 0
                            member_match = 0
                            for k in range(COVER_FROM, order):
                                cnt = lengths[s] - k
                                if cnt <= 0:
                                    continue
                                member_total += cnt
                                base = starts[s]
                                for p in range(base, base + cnt):
                                    g = grams[k, p]
                                    if rstamp[g] != ustamp_now:
                                        continue
                                    if ustamp2[g] != ustamp_now:
                                        ustamp2[g] = ustamp_now
                                        used2[g] = 0
                                    if used2[g] < rcount[g]:
                                        used2[g] += 1
                                        member_match += 1
                            if member_total > 0:
                                cover_src = min(cover_src, member_match / member_total)
                    cover = min(cover_src, cover_tgt)
                    # sacrebleu's effective-order averaging
                    avg_p = 0.0
                    avg_r = 0.0
                    eff = 0
                    for k in range(order):
                        if hc[k] > 0 and rc[k] > 0:
                            avg_p += match[k] / hc[k]
                            avg_r += match[k] / rc[k]
                            eff += 1
                    score = 0.0
                    if eff > 0:
                        avg_p /= eff
                        avg_r /= eff
                        den = factor * avg_p + avg_r
                        if den > 0:
                            score = (1 + factor) * avg_p * avg_r / den
                    surplus = 0.0
                    for k in range(COVER_FROM, order):
                        # chance matches grow with hyp x ref pairs while rare, and saturate at
                        # the smaller side (clipping): c*h*r / (1 + c*max(h, r))
                        pairs = chance[k] * hc[k] * rc[k]
                        surplus += match[k] - pairs / (1.0 + chance[k] * max(hc[k], rc[k]))
                    out[0, t, i, j - lo[i]] = score
                    out[1, t, i, j - lo[i]] = score if cover > 1.0 else cover
                    out[2, t, i, j - lo[i]] = surplus
                    out[3, t, i, j - lo[i]] = cover_src
                    out[4, t, i, j - lo[i]] = cover_tgt


@njit(cache=True, nogil=True)
def dp_band(
    gains: np.ndarray,  # (T, n+1, width) float64, nan = bead not allowed
    bead_a: np.ndarray,
    bead_b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    width: int,
    skip_src: np.ndarray,  # (n+1,) gain of leaving source sentence i-1 out (row i)
    skip_tgt: np.ndarray,  # (m+1,) gain of leaving target sentence j-1 out (column j)
    run_bonus: float = 0.0,  # added to every skip after the first of a run (affine gap)
) -> np.ndarray:
    """Best monotone path through the band. Returns beads as rows (i0, i1, j0, j1), in order.

    Moves: bead type t (a, b) with its gain; 1-0 and 0-1 with the sentence's skip gain, plus
    ``run_bonus`` when it continues a run of the same kind (a block of captions on one side
    costs less than as many isolated skips). Three states per cell: any, last move 0-1, 1-0.
    """
    n = lo.shape[0] - 1
    m = hi[n] - 1
    neg = -1e300
    score = np.full((n + 1, width), neg)
    ins = np.full((n + 1, width), neg)  # best path ending with a 0-1
    dele = np.full((n + 1, width), neg)  # best path ending with a 1-0
    back = np.full((n + 1, width), -3, dtype=np.int16)  # -1 deletion, -2 insertion, t bead
    ins_ext = np.zeros((n + 1, width), dtype=np.bool_)  # the 0-1 continues a run
    del_ext = np.zeros((n + 1, width), dtype=np.bool_)
    n_types = bead_a.shape[0]
    for i in range(n + 1):
        for j in range(lo[i], hi[i]):
            k = j - lo[i]
            if i == 0 and j == 0:
                score[0, 0] = 0.0
                back[0, 0] = -3
                continue
            best = neg
            arg = -3
            # insertion (0-1): from (i, j-1), opening or continuing a run
            if j - 1 >= lo[i]:
                v = score[i, k - 1]
                w = ins[i, k - 1]
                if v > neg or w > neg:
                    v = v + skip_tgt[j]
                    w = w + skip_tgt[j] + run_bonus
                    if w > v:
                        ins[i, k] = w
                        ins_ext[i, k] = True
                    else:
                        ins[i, k] = v
                    if ins[i, k] > best:
                        best = ins[i, k]
                        arg = -2
            # deletion (1-0): from (i-1, j)
            if i >= 1 and lo[i - 1] <= j < hi[i - 1]:
                v = score[i - 1, j - lo[i - 1]]
                w = dele[i - 1, j - lo[i - 1]]
                if v > neg or w > neg:
                    v = v + skip_src[i]
                    w = w + skip_src[i] + run_bonus
                    if w > v:
                        dele[i, k] = w
                        del_ext[i, k] = True
                    else:
                        dele[i, k] = v
                    if dele[i, k] > best:
                        best = dele[i, k]
                        arg = -1
            for t in range(n_types):
                a = bead_a[t]
                b = bead_b[t]
                if i - a < 0 or j - b < 0:
                    continue
                g = gains[t, i, k]
                if np.isnan(g):
                    continue
                pj = j - b
                if pj < lo[i - a] or pj >= hi[i - a]:
                    continue
                v = score[i - a, pj - lo[i - a]]
                if v <= neg:
                    continue
                v += g
                if v > best:
                    best = v
                    arg = t
            score[i, k] = best
            back[i, k] = arg
    # backtrack; state 0: any, 1: inside a 0-1 run, 2: inside a 1-0 run
    path = np.zeros((n + m + 1, 4), dtype=np.int64)
    count = 0
    i = n
    j = m
    state = 0
    while i > 0 or j > 0:
        k = j - lo[i]
        c = back[i, k]
        if state == 1:
            c = -2
        elif state == 2:
            c = -1
        if c == -2:
            state = 1 if ins_ext[i, k] else 0
            path[count, 0] = i
            path[count, 1] = i
            path[count, 2] = j - 1
            path[count, 3] = j
            j -= 1
        elif c == -1:
            state = 2 if del_ext[i, k] else 0
            path[count, 0] = i - 1
            path[count, 1] = i
            path[count, 2] = j
            path[count, 3] = j
            i -= 1
        elif c >= 0:
            a = bead_a[c]
            b = bead_b[c]
            path[count, 0] = i - a
            path[count, 1] = i
            path[count, 2] = j - b
            path[count, 3] = j
            i -= a
            j -= b
        else:
            return path[:0]  # unreachable: no path in the band
        count += 1
    return path[:count][::-1].copy()


@njit(cache=True, nogil=True)
def _unmatched_members(
    off: np.ndarray,
    ids: np.ndarray,
    first: int,
    last: int,
    other_off: np.ndarray,
    other_ids: np.ndarray,
    other_first: int,
    other_last: int,
) -> int:
    """How many sentences first..last-1 carry numbers, none of which occur in the other
    side's sentences other_first..other_last-1."""
    misses = 0
    for s in range(first, last):
        if off[s + 1] == off[s]:
            continue
        found = False
        for p in range(off[s], off[s + 1]):
            for q in range(other_off[other_first], other_off[other_last]):
                if ids[p] == other_ids[q]:
                    found = True
                    break
            if found:
                break
        if not found:
            misses += 1
    return misses


@njit(cache=True, nogil=True)
def number_misses(
    src_off: np.ndarray,  # (n+1,) CSR offsets of each source sentence's number ids
    src_ids: np.ndarray,
    tgt_off: np.ndarray,  # (m+1,)
    tgt_ids: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    bead_a: np.ndarray,
    bead_b: np.ndarray,
    out: np.ndarray,  # (T, n+1, width) float64, filled here
) -> None:
    """Members of each bead that carry numbers none of which occur on the other side."""
    n = lo.shape[0] - 1
    for t in range(bead_a.shape[0]):
        a = bead_a[t]
        b = bead_b[t]
        for i in range(a, n + 1):
            for j in range(max(lo[i], b), hi[i]):
                out[t, i, j - lo[i]] = _unmatched_members(
                    src_off, src_ids, i - a, i, tgt_off, tgt_ids, j - b, j
                ) + _unmatched_members(tgt_off, tgt_ids, j - b, j, src_off, src_ids, i - a, i)
