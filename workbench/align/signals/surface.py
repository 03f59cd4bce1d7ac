"""The surface signal: character overlap of the (MT'd) source with the English, and length.

- ``sim``: chrF (character n-grams 1..6, beta 1) of the English side of a source group (its
  MT when there is one, else its own text: meaningful for French cognates, nearly nothing
  for Thai) against the English group; the n-gram counts come from the one n-gram core
  (:mod:`workbench.align.signals.ngrams`), a group's counts are its members' sum;
- ``cosine`` / ``margin``: cosine of the candidate vectors (TF-IDF of character 4-grams plus
  anchor tokens) and its ratio margin over each side's k nearest neighbours;
- ``length``: agreement of the two sides' lengths (characters; the expected ratio per
  language without MT); ``mt``: whether the source side has MT.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from workbench.align.anchors import LENGTH_FACTOR, SentenceAnchors, anchor_tokens
from workbench.align.signals.ngrams import dense_ids, ngram_ids

_CJK = "\u0e00-\u0e7f\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef"
_UNSPACED_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
NGRAM = 4  # candidate vectors: character 4-grams
CHRF_ORDER = 6  # chrF: character n-grams 1..6 (sacrebleu's default)


def _normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _tfidf(matrix: sp.csr_matrix, max_df: float) -> sp.csr_matrix:
    """Sublinear TF-IDF, rows L2-normalised; very common columns dropped on large inputs."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    n_rows = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    if n_rows > 2000:
        keep = df <= max(max_df * n_rows, 20)
        matrix = matrix[:, np.flatnonzero(keep)]
        df = df[keep]
    matrix.data = 1.0 + np.log(matrix.data)
    idf = (np.log((n_rows + 1) / (df + 1)) + 1.0).astype(np.float32)
    return _normalise_rows(sp.csr_matrix(matrix @ sp.diags(idf)))


def char_ngram_counts(texts: Sequence[str], n: int = NGRAM) -> sp.csr_matrix:
    """Counts of character n-grams (lower-cased, spaces collapsed, padded): texts x n-grams."""
    # spaces between characters of unspaced scripts removed: tokenised and unsegmented
    # Chinese (or Thai) then agree; elsewhere spaces stay, word boundaries help
    padded = [" " + _UNSPACED_GAP.sub("", " ".join(t.lower().split())) + " " for t in texts]
    (grams,) = ngram_ids(padded, n, min_order=n)
    if len(grams.ids) == 0:
        return sp.csr_matrix((len(padded), 1), dtype=np.float32)
    cols = dense_ids(grams.ids)
    data = np.ones(len(grams.rows), dtype=np.float32)
    return sp.csr_matrix(
        (data, (grams.rows, cols)), shape=(len(padded), int(cols.max()) + 1), dtype=np.float32
    )


def token_counts(token_lists: Sequence[list[str]]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            rows.append(row)
            cols.append(vocab.setdefault(token, len(vocab)))
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(token_lists), max(len(vocab), 1)))


def sentence_vectors(
    texts: Sequence[str], anchors: Sequence[SentenceAnchors], config: Any
) -> sp.csr_matrix:
    """Candidate vectors: [sqrt(1-w) * char 4-gram TF-IDF, sqrt(w) * anchor TF-IDF]."""
    chars = _tfidf(char_ngram_counts(texts), config.max_df)
    marks = _tfidf(token_counts([anchor_tokens(a) for a in anchors]), 1.0)
    w = config.anchor_weight
    return sp.csr_matrix(sp.hstack([chars * math.sqrt(1 - w), marks * math.sqrt(w)]).tocsr())


class NgramCounts:
    """Character n-gram counts (orders 1..6, whitespace removed: sacrebleu's chrF) of many texts.

    Built once per mining run; the chrF of any pair of *groups* of texts then needs no new
    profiling: a group's counts are the sum of its members' counts (n-grams spanning the
    join of two sentences are left out, a small difference from the chrF of the joined text;
    for single sentences the value equals ``sacrebleu.sentence_chrf``).
    """

    def __init__(self, texts: Sequence[str], order: int = CHRF_ORDER, beta: float = 1.0):
        self.beta = beta
        stripped = ["".join(t.split()) for t in texts]
        self.order = order
        self.lengths = np.fromiter((len(t) for t in stripped), dtype=np.int64, count=len(stripped))
        self.matrices: list[sp.csr_matrix] = []
        for grams in ngram_ids(stripped, order):
            matrix = sp.csr_matrix(
                (np.ones(len(grams.rows), dtype=np.float32), (grams.rows, grams.ids)),
                shape=(len(stripped), grams.width),
            )
            matrix.sum_duplicates()
            self.matrices.append(matrix)

    def _totals(self, selection: sp.csr_matrix) -> np.ndarray:
        n = np.arange(1, self.order + 1)
        per_text = np.maximum(self.lengths[:, None] - n[None, :] + 1, 0)
        return np.asarray(selection @ per_text, dtype=np.float64)

    def chrf(self, left: sp.csr_matrix, right: sp.csr_matrix) -> np.ndarray:
        """chrF (0..1) of row groups: ``left``/``right`` are (groups x texts) 0/1 selections.

        With ``beta = 1`` (the default here) the score is symmetric: sacrebleu's beta = 2
        favours recall, which would reward piling sentences onto one side of a link.
        """
        from workbench.align.chrf import chrf_from_stats

        matches = np.zeros((left.shape[0], self.order))
        for k, matrix in enumerate(self.matrices):
            a, b = left @ matrix, right @ matrix
            matches[:, k] = np.asarray(a.minimum(b).sum(axis=1)).ravel()
        tl, tr = self._totals(left), self._totals(right)
        return chrf_from_stats(tl, tr, matches, beta=self.beta) / 100.0


def _selection(groups: Sequence[tuple[int, ...]], width: int, offset: int = 0) -> sp.csr_matrix:
    rows = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    cols = np.fromiter((i + offset for g in groups for i in g), dtype=np.int64, count=len(rows))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), width))


class SurfaceSignal:
    """chrF / surface overlap, candidate-vector cosine and margin, length, MT presence."""

    name = "surface"

    def __init__(self, src, tgt, vectors: sp.csr_matrix, knn_src, knn_tgt):
        self.src, self.tgt = src, tgt
        self.vectors = vectors
        self.knn = np.concatenate([knn_src, knn_tgt])
        texts = [i.mt if i.mt is not None else i.text for i in src] + [i.text for i in tgt]
        self.counts = NgramCounts(texts)
        self.texts = texts
        self.changed: set[int] = set()  # rows whose text was patched since (context_patch)
        self.text_len = np.array([len(t) for t in texts])
        self.has_mt = np.array([i.mt is not None for i in src] + [False] * len(tgt), dtype=float)

    def _own_chrf(self, left: tuple[int, ...], right: tuple[int, ...]) -> float:
        """chrF of one group from its members' texts alone (what ``counts`` gives unpatched)."""
        counts = NgramCounts([self.texts[i] for i in (*left, *right)])
        n = len(left) + len(right)
        pick_l = _selection([tuple(range(len(left)))], n)
        pick_r = _selection([tuple(range(len(left), n))], n)
        return float(counts.chrf(pick_l, pick_r)[0])

    def features(self, groups) -> dict[str, np.ndarray]:
        n_src = len(self.src)
        n_all = n_src + len(self.tgt)
        left = _selection([s for s, _ in groups], n_all)
        right = _selection([t for _, t in groups], n_all, offset=n_src)
        sim = self.counts.chrf(left, right)
        if self.changed:  # groups holding a patched sentence: chrF of their own n-grams
            for g, (s, t) in enumerate(groups):
                if self.changed.intersection(s) or self.changed.intersection(n_src + j for j in t):
                    sim[g] = self._own_chrf(s, tuple(n_src + j for j in t))
        a, b = left @ self.vectors, right @ self.vectors
        dots = np.asarray(a.multiply(b).sum(axis=1)).ravel()
        norms = np.sqrt(
            np.asarray(a.multiply(a).sum(axis=1)).ravel()
            * np.asarray(b.multiply(b).sum(axis=1)).ravel()
        )
        cosine = dots / np.maximum(norms, 1e-12)
        sizes_l = np.asarray(left.sum(axis=1)).ravel()
        sizes_r = np.asarray(right.sum(axis=1)).ravel()
        knn = (left @ self.knn / sizes_l + right @ self.knn / sizes_r) / 2
        margin = np.minimum(np.where(knn > 0, cosine / np.maximum(knn, 1e-12), 0.0), 3.0)
        len_l = left @ self.text_len + sizes_l - 1
        len_r = right @ self.text_len + sizes_r - 1
        has_mt = (left @ self.has_mt) == sizes_l
        factor = np.array([LENGTH_FACTOR.get(self.src[s[0]].lang, 1.0) for s, _ in groups])
        length = np.where(
            has_mt,
            np.minimum(len_l, len_r) / np.maximum(np.maximum(len_l, len_r), 1),
            np.exp(-np.abs(np.log(np.maximum(len_l, 1) / (factor * np.maximum(len_r, 1))))),
        )
        return {
            "sim": sim,
            "cosine": cosine,
            "margin": margin,
            "length": length,
            "mt": has_mt.astype(float),
        }
