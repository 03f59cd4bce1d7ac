"""Vectorised chrF: many (hypothesis, reference) pairs at once, equal to sacrebleu's sentence chrF.

Definition (sacrebleu ``CHRF()``: character n-grams 1..6, word n-grams 0, beta 2, whitespace
removed, no lowercasing, effective-order averaging): for each order n, count the hypothesis
n-grams, the reference n-grams and the clipped matches ``sum min(count_h, count_r)``; average
precision and recall over the orders where both sides have n-grams; chrF is the F-beta of
the two averages, on a 0..100 scale.

How it is vectorised: n-gram ids come from the one n-gram core
(:func:`workbench.align.signals.ngrams.ngram_ids`: exact integer ids, no hashing); the k-th occurrence of n-gram g in a text becomes the binary
feature (g, k). Then ``min(a, b)`` is the dot product of two binary rows, so the clipped
matches of all pairs are sparse matrix products (:meth:`Profiles.matches_pairs`,
:meth:`Profiles.match_matrix`). A text is profiled once, however many pairs it is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from workbench.align.signals.ngrams import ngram_ids

if TYPE_CHECKING:  # scipy is imported where a matrix is built (~0.1 s at start-up)
    import scipy.sparse as sp

CHAR_ORDER = 6
BETA = 2
_EPS = 1e-16


def _strip(text: str) -> str:
    return "".join(text.split())


@dataclass
class Profiles:
    """Character n-gram profiles of a list of texts (whitespace removed), on one vocabulary.

    ``matrices[n-1]`` is a CSR matrix (texts x features) of 0/1 values for order ``n``;
    ``lengths`` holds each text's length without whitespace. Rows can be compared only with
    rows of the same object: build one object over every text you want to compare.
    """

    matrices: list[sp.csr_matrix]
    lengths: np.ndarray
    order: int = CHAR_ORDER

    def __len__(self) -> int:
        return len(self.lengths)

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """Total n-gram counts per order, shape (len(rows), order)."""
        lengths = self.lengths[np.asarray(rows)]
        n = np.arange(1, self.order + 1)
        return np.maximum(lengths[:, None] - n[None, :] + 1, 0)

    def matches_pairs(self, hyp_rows: Sequence[int], ref_rows: Sequence[int]) -> np.ndarray:
        """Clipped n-gram matches for each pair (hyp_rows[p], ref_rows[p]): shape (P, order)."""
        hyp_rows = np.asarray(hyp_rows, dtype=np.int64)
        ref_rows = np.asarray(ref_rows, dtype=np.int64)
        out = np.zeros((len(hyp_rows), self.order), dtype=np.int64)
        if len(hyp_rows) == 0:
            return out
        for k, matrix in enumerate(self.matrices):
            product = matrix[hyp_rows].multiply(matrix[ref_rows])
            out[:, k] = np.asarray(product.sum(axis=1)).ravel()
        return out

    def match_matrix(self, hyp_rows: Sequence[int], ref_rows: Sequence[int]) -> np.ndarray:
        """Clipped matches of every hyp row with every ref row: shape (H, R, order)."""
        hyp_rows = np.asarray(hyp_rows, dtype=np.int64)
        ref_rows = np.asarray(ref_rows, dtype=np.int64)
        out = np.zeros((len(hyp_rows), len(ref_rows), self.order), dtype=np.int32)
        for k, matrix in enumerate(self.matrices):
            product = matrix[hyp_rows] @ matrix[ref_rows].T
            out[:, :, k] = product.toarray()
        return out


def profile(texts: Sequence[str], order: int = CHAR_ORDER) -> Profiles:
    """Build the n-gram profiles of ``texts`` (one vocabulary for all of them)."""
    stripped = [_strip(t) for t in texts]
    lengths = np.fromiter((len(t) for t in stripped), dtype=np.int64, count=len(stripped))
    matrices = [
        _occurrence_matrix(grams.rows, grams.ids, len(stripped))
        for grams in ngram_ids(stripped, order)
    ]
    return Profiles(matrices=matrices, lengths=lengths, order=order)


def _occurrence_matrix(sent: np.ndarray, gram: np.ndarray, n_texts: int) -> sp.csr_matrix:
    """Binary matrix whose feature (g, k) is set when text has >= k+1 occurrences of g."""
    import scipy.sparse as sp

    if len(gram) == 0:
        return sp.csr_matrix((n_texts, 1), dtype=np.float32)
    n_grams = int(gram.max()) + 1
    key = sent * n_grams + gram
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    new_group = np.empty(len(key_sorted), dtype=bool)
    new_group[0] = True
    new_group[1:] = key_sorted[1:] != key_sorted[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(key_sorted)), 0))
    occurrence = np.arange(len(key_sorted)) - group_start
    g_sorted = gram[order]
    feature_key = g_sorted * (int(occurrence.max()) + 1) + occurrence
    _, cols = np.unique(feature_key, return_inverse=True)
    rows = sent[order]
    data = np.ones(len(rows), dtype=np.float32)
    n_cols = int(cols.max()) + 1
    return sp.csr_matrix((data, (rows, cols.ravel())), shape=(n_texts, n_cols))


def precision_recall(
    hyp_counts: np.ndarray, ref_counts: np.ndarray, matches: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Average n-gram precision and recall (0..1) over the effective orders, as sacrebleu."""
    hyp_counts = np.asarray(hyp_counts, dtype=np.float64)
    ref_counts = np.asarray(ref_counts, dtype=np.float64)
    matches = np.asarray(matches, dtype=np.float64)
    # sacrebleu reports 0 hypothesis n-grams for an order where the reference has none
    hyp_counts = np.where(ref_counts > 0, hyp_counts, 0.0)
    n_pairs, order = matches.shape
    avg_prec = np.zeros(n_pairs)
    avg_rec = np.zeros(n_pairs)
    effective = np.zeros(n_pairs)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(order):  # sequential sums, as sacrebleu adds them
            h, r, m = hyp_counts[:, k], ref_counts[:, k], matches[:, k]
            both = (h > 0) & (r > 0)
            prec = np.where(h > 0, m / np.where(h > 0, h, 1.0), _EPS)
            rec = np.where(r > 0, m / np.where(r > 0, r, 1.0), _EPS)
            avg_prec = np.where(both, avg_prec + prec, avg_prec)
            avg_rec = np.where(both, avg_rec + rec, avg_rec)
            effective += both
        safe = np.where(effective > 0, effective, 1.0)
        avg_prec = np.where(effective > 0, avg_prec / safe, 0.0)
        avg_rec = np.where(effective > 0, avg_rec / safe, 0.0)
    return avg_prec, avg_rec


def f_beta(avg_prec: np.ndarray, avg_rec: np.ndarray, beta: float = BETA) -> np.ndarray:
    """F-beta (0..100) of averaged precision and recall, with sacrebleu's arithmetic."""
    factor = beta**2
    num = (1 + factor) * avg_prec * avg_rec
    den = (factor * avg_prec) + avg_rec
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, 100 * (num / np.where(den > 0, den, 1.0)), 0.0)


def chrf_from_stats(
    hyp_counts: np.ndarray, ref_counts: np.ndarray, matches: np.ndarray, beta: float = BETA
) -> np.ndarray:
    """chrF (0..100) from per-order counts, each of shape (P, order); sacrebleu's arithmetic."""
    return f_beta(*precision_recall(hyp_counts, ref_counts, matches), beta=beta)


def chrf_rows(prof: Profiles, hyp_rows: Sequence[int], ref_rows: Sequence[int]) -> np.ndarray:
    """chrF (0..100) of profile rows paired element-wise."""
    hyp_rows = np.asarray(hyp_rows, dtype=np.int64)
    ref_rows = np.asarray(ref_rows, dtype=np.int64)
    matches = prof.matches_pairs(hyp_rows, ref_rows)
    return chrf_from_stats(prof.counts(hyp_rows), prof.counts(ref_rows), matches)


def chrf_pairs(hyps: Sequence[str], refs: Sequence[str]) -> np.ndarray:
    """Sentence chrF (0..100, as ``sacrebleu.sentence_chrf(h, [r]).score``) of each pair."""
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
    prof = profile(list(hyps) + list(refs))
    n = len(hyps)
    return chrf_rows(prof, np.arange(n), np.arange(n, 2 * n))


def chrf_matrix(hyps: Sequence[str], refs: Sequence[str]) -> np.ndarray:
    """chrF (0..100) of every hypothesis against every reference: shape (H, R)."""
    prof = profile(list(hyps) + list(refs))
    h = np.arange(len(hyps))
    r = np.arange(len(hyps), len(hyps) + len(refs))
    matches = prof.match_matrix(h, r)
    hc = np.broadcast_to(prof.counts(h)[:, None, :], matches.shape).reshape(-1, prof.order)
    rc = np.broadcast_to(prof.counts(r)[None, :, :], matches.shape).reshape(-1, prof.order)
    scores = chrf_from_stats(hc, rc, matches.reshape(-1, prof.order))
    return scores.reshape(len(hyps), len(refs))


@lru_cache(maxsize=1)
def _bleu():
    from sacrebleu.metrics import BLEU

    return BLEU(effective_order=True)


def sentence_bleu(hyp: str, ref: str) -> float:
    """Sentence BLEU (0..100) via sacrebleu, one reused ``BLEU(effective_order=True)``."""
    return float(_bleu().sentence_score(hyp, [ref]).score)


def bleu_pairs(hyps: Sequence[str], refs: Sequence[str]) -> np.ndarray:
    """Sentence BLEU (0..100) of each (hyp, ref) pair."""
    metric = _bleu()
    return np.array([metric.sentence_score(h, [r]).score for h, r in zip(hyps, refs, strict=True)])
