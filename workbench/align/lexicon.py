"""A lexical translation table learned from the first pass, for a second alignment pass.

Character overlap cannot see that the MT's "incredible" is the translator's "unbelievable".
As hunalign builds its dictionary from a first alignment, we take the first pass's
confident 1-1 beads, count which MT words co-occur with which target words, and keep pairs
with a high Dice coefficient (seen at least ``min_count`` times). A bead's lexical score is
the F1 of its content words that find a partner on the other side (the same word, or a
learned pair). The second pass mixes it into the similarity:
``sim = (1 - w) * chrF-sim + w * lexical``. Nothing is downloaded; the table is learned per
document pair from the document itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if not t.isdigit()]


@dataclass
class LexiconParams:
    weight: float = 0.3  # mix of the lexical score into the similarity
    confident: float = 0.35  # first-pass similarity a 1-1 bead needs to teach the table
    min_count: int = 2  # co-occurrences a word pair needs
    min_dice: float = 0.3
    stopwords: int = 40  # the most frequent words of each side are ignored
    bonus: bool = True  # add learned-pair coverage to chrF (else mix the full lexical F1)


class Lexicon:
    """Content-word vectors of both sides and a learned association matrix."""

    def __init__(self, mt: Sequence[str], tgt: Sequence[str], params: LexiconParams):
        self.params = params
        self.n, self.m = len(mt), len(tgt)
        tokens = [tokenize(t) for t in list(mt) + list(tgt)]
        freq: dict[str, int] = {}
        for toks in tokens:
            for t in set(toks):
                freq[t] = freq.get(t, 0) + 1
        # frequent words (function words) of each side carry no alignment evidence
        stop = set(sorted(freq, key=lambda w: -freq[w])[: 2 * params.stopwords])
        self.vocab: dict[str, int] = {}
        rows, cols = [], []
        for r, toks in enumerate(tokens):
            for t in set(toks) - stop:
                if len(t) < 2:
                    continue
                rows.append(r)
                cols.append(self.vocab.setdefault(t, len(self.vocab)))
        v = max(len(self.vocab), 1)
        self.words = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tokens), v)
        )
        self.identity = sp.identity(v, dtype=np.float32, format="csr")
        self.assoc = self.identity.copy()

    def learn(self, pairs: Sequence[tuple[int, int]]) -> int:
        """Learn word pairs from (mt sentence, target sentence) pairs; returns pairs kept."""
        if not pairs:
            return 0
        hi = np.array([p[0] for p in pairs])
        ri = np.array([self.n + p[1] for p in pairs])
        h, r = self.words[hi], self.words[ri]
        co = (h.T @ r).tocoo()  # co-occurrence counts, MT word x target word
        ch = np.asarray(h.sum(axis=0)).ravel()
        cr = np.asarray(r.sum(axis=0)).ravel()
        dice = 2 * co.data / (ch[co.row] + cr[co.col])
        keep = (co.data >= self.params.min_count) & (dice >= self.params.min_dice)
        # competitive linking: keep a pair only when each word is the other's best partner
        best_h = np.zeros(len(ch))
        best_r = np.zeros(len(cr))
        np.maximum.at(best_h, co.row, dice)
        np.maximum.at(best_r, co.col, dice)
        keep &= (dice >= best_h[co.row]) & (dice >= best_r[co.col]) & (co.row != co.col)
        learned = sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (co.row[keep], co.col[keep])),
            shape=self.assoc.shape,
        )
        self.assoc = ((self.assoc + learned + learned.T) > 0).astype(np.float32).tocsr()
        return int(keep.sum())

    def span_matrix(self, side: str, length: int) -> sp.csr_matrix:
        """Binary word vectors of every span of ``length`` sentences (row = span start)."""
        base = self.words[: self.n] if side == "mt" else self.words[self.n :]
        count = base.shape[0] - length + 1
        if count <= 0:
            return sp.csr_matrix((0, base.shape[1]), dtype=np.float32)
        acc = base[:count].copy()
        for k in range(1, length):
            acc = acc + base[k : k + count]
        return (acc > 0).astype(np.float32).tocsr()

    def band_scores(self, band, bead_types: Sequence[tuple[int, int]]) -> np.ndarray:
        """Lexical F1 of each bead type at each band cell: (T, n+1, W), nan where undefined."""
        n, width = self.n, band.width
        out = np.full((len(bead_types), n + 1, width), np.nan, dtype=np.float32)
        spans_h = {a: self.span_matrix("mt", a) for a, _ in bead_types}
        spans_r = {b: self.span_matrix("tgt", b) for _, b in bead_types}
        # target spans expanded through the table: which MT words they can account for
        expanded_r = {
            b: ((m @ self.assoc) > 0).astype(np.float32).tocsr() for b, m in spans_r.items()
        }
        expanded_h = {
            a: ((m @ self.assoc) > 0).astype(np.float32).tocsr() for a, m in spans_h.items()
        }
        size_h = {a: np.asarray(m.sum(axis=1)).ravel() for a, m in spans_h.items()}
        size_r = {b: np.asarray(m.sum(axis=1)).ravel() for b, m in spans_r.items()}
        block = 256
        for t, (a, b) in enumerate(bead_types):
            for r0 in range(a, n + 1, block):
                r1 = min(n + 1, r0 + block)
                c0 = max(int(band.lo[r0:r1].min()), b)
                c1 = int(band.hi[r0:r1].max())
                if c1 <= c0:
                    continue
                hs = np.arange(r0, r1) - a
                rs = np.arange(c0, c1) - b
                covered_h = (spans_h[a][hs] @ expanded_r[b][rs].T).toarray()
                covered_r = (expanded_h[a][hs] @ spans_r[b][rs].T).toarray()
                nh = size_h[a][hs][:, None]
                nr = size_r[b][rs][None, :]
                with np.errstate(divide="ignore", invalid="ignore"):
                    p = np.where(nh > 0, covered_h / np.maximum(nh, 1), np.nan)
                    r = np.where(nr > 0, covered_r / np.maximum(nr, 1), np.nan)
                    f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
                for row, i in enumerate(range(r0, r1)):
                    lo, hi = max(int(band.lo[i]), c0), min(int(band.hi[i]), c1)
                    if hi > lo:
                        out[t, i, lo - band.lo[i] : hi - band.lo[i]] = f[row, lo - c0 : hi - c0]
        return out


def lexical_similarities(
    mt: Sequence[str],
    tgt: Sequence[str],
    band,
    sims: np.ndarray,
    path: Sequence[tuple[int, int, int, int]],
    bead_types: Sequence[tuple[int, int]],
    params: LexiconParams,
) -> np.ndarray:
    """Second-pass similarities: the first pass's ``sims`` mixed with the lexical score."""
    lex = Lexicon(mt, tgt, params)
    confident = []
    one_one = list(bead_types).index((1, 1))
    for i0, i1, j0, j1 in path:
        one = i1 - i0 == 1 and j1 - j0 == 1
        if one and sims[0, one_one, i1, j1 - band.lo[i1]] >= params.confident:
            confident.append((i0, j0))
    lex.learn(confident)
    w = params.weight
    mixed = sims.copy()
    if params.bonus:
        # only the learned (non-identical) word pairs add evidence; chrF already sees the rest
        lex.assoc = ((lex.assoc - lex.identity) > 0).astype(np.float32).tocsr()
        scores = lex.band_scores(band, bead_types)
        mixed[0] = sims[0] + w * np.nan_to_num(scores)
        return mixed
    scores = lex.band_scores(band, bead_types)
    lexical = np.where(np.isnan(scores), sims[0], scores)  # no content words: keep chrF
    mixed[0] = np.where(np.isnan(sims[0]), np.nan, (1 - w) * sims[0] + w * lexical)
    return mixed
