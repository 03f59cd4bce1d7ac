"""A rescoring context patched for one corrected sentence instead of built again.

A reviewer's text correction changes one sentence of the context that
:func:`workbench.align.rescore.build_context` built (about 1 s per 2,000 sentences). The patch
updates, for that sentence only, everything a score involving it reads:

- its item (text) and anchors (numbers, dates, names: the discrepancy flags), exactly;
- its candidate vector (character 4-gram and anchor-token TF-IDF), with the columns and IDF
  weights of the build (:class:`VectorSpace` recomputes a row as the build would have);
- its mean similarity to its k nearest neighbours on the other side (the margin), exactly
  against the current vectors;
- its chrF: any group that holds a changed sentence is scored on its members' own n-grams
  (exact: chrF of a pair depends on nothing else);
- with the encoder: its embedding (the CachedEncoder: cached per text), its neighbours' mean,
  the cached embeddings of groups that hold it dropped.

What a full rebuild would also change and the patch does not: the IDF weights (the corrected
sentence's n-grams count once more or once less among ~2,000 sentences) and the neighbour means
of *other* sentences that had the corrected one among their k nearest. Undoing the correction
patches the sentence back to a row equal to the build's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from workbench.align.anchors import anchor_tokens, sentence_anchors
from workbench.align.signals.surface import _UNSPACED_GAP, NGRAM


def _char_grams(text: str) -> Counter:
    padded = " " + _UNSPACED_GAP.sub("", " ".join(text.lower().split())) + " "
    return Counter(padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1))


def _idf_block(
    bags: list[Counter], max_df: float, ordered: bool
) -> tuple[dict[str, int], np.ndarray]:
    """Columns and IDF of one TF-IDF block as ``surface._tfidf`` builds them: columns in
    sorted order (``ordered``: the dense ids of character n-grams) or first-seen order (anchor
    tokens), common columns dropped above 2,000 rows."""
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    names = sorted(df) if ordered else list(df)
    n_rows = len(bags)
    if n_rows > 2000:
        names = [g for g in names if df[g] <= max(max_df * n_rows, 20)]
    idf = np.array([math.log((n_rows + 1) / (df[g] + 1)) + 1.0 for g in names], np.float32)
    return {g: c for c, g in enumerate(names)}, idf


class VectorSpace:
    """The candidate vectors' columns and IDF of a built context (see ``sentence_vectors``)."""

    def __init__(self, texts: list[str], anchors: list[Any], config: Any, width: int) -> None:
        self.chars, self.char_idf = _idf_block([_char_grams(t) for t in texts], config.max_df, True)
        tokens = [Counter(anchor_tokens(a)) for a in anchors]
        self.marks, self.mark_idf = _idf_block(tokens, 1.0, False)
        self.char_width = width - max(len(self.marks), 1)
        self.weight = config.anchor_weight
        self.width = width  # grows: n-grams and tokens new to the context get new columns
        self.n_rows = len(texts)
        self.extra: dict[tuple[int, str], int] = {}
        # a space that does not match the build's matrix is not used (the caller rebuilds)
        self.ok = len(self.chars) == self.char_width or (not self.chars and self.char_width == 1)

    def row(self, text: str, anchors: Any) -> sp.csr_matrix:
        """One sentence's candidate vector, as the build would have made it."""
        cols, vals = [], []
        for bag, columns, idf, offset, share in (
            (_char_grams(text), self.chars, self.char_idf, 0, 1 - self.weight),
            (
                Counter(anchor_tokens(anchors)),
                self.marks,
                self.mark_idf,
                self.char_width,
                self.weight,
            ),
        ):
            part = [self._cell(offset, columns, idf, g, n) for g, n in bag.items()]
            norm = math.sqrt(sum(v * v for _, v in part)) or 1.0
            cols += [offset + c for c, _ in part]
            vals += [v / norm * math.sqrt(share) for _, v in part]
        return sp.csr_matrix(
            (np.array(vals, np.float32), (np.zeros(len(cols), np.int64), cols)),
            shape=(1, self.width),
        )

    def _cell(self, block: int, columns: dict, idf: np.ndarray, gram: str, n: int):
        """(column, TF-IDF value) of a gram seen ``n`` times: a gram the build never saw gets
        a column of its own (it matches nothing) with the IDF of a gram in one sentence."""
        if gram in columns:
            return columns[gram], (1.0 + math.log(n)) * idf[columns[gram]]
        key = (block, gram)
        if key not in self.extra:
            self.extra[key] = self.width
            self.width += 1
        weight = math.log((self.n_rows + 1) / 2) + 1.0
        return self.extra[key] - block, (1.0 + math.log(n)) * weight


def _dense(product: Any) -> np.ndarray:
    return np.asarray(product.toarray() if sp.issparse(product) else product, np.float32)


def _best(block: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` largest values, best first."""
    return -np.sort(-block, axis=1)[:, :k]


def update_neighbours(signal: Any, vectors: Any, row: int, old_row: Any) -> None:
    """The k-best similarities and their mean (``knn``) of ``row`` and of every row of the other
    side whose k best may hold ``row`` before or after its change: exact, as the build's."""
    n_src = len(signal.top_sims[0])
    mine, theirs = signal.top_sims if row < n_src else signal.top_sims[::-1]
    this, other = (
        (vectors[:n_src], vectors[n_src:]) if row < n_src else (vectors[n_src:], vectors[:n_src])
    )
    at, offset = (row, n_src) if row < n_src else (row - n_src, 0)
    if other.shape[0] == 0:
        return
    new_row = vectors[row : row + 1]
    sims = _dense(other @ new_row.T).ravel()
    mine[at] = _best(sims[None, :], mine.shape[1])[0]
    signal.knn[row] = mine[at].mean()
    before = _dense(other @ old_row.T).ravel()
    kth = theirs[:, -1]
    hit = np.flatnonzero((before >= kth - 1e-6) | (sims > kth))
    if len(hit):
        theirs[hit] = _best(_dense(other[hit] @ this.T), theirs.shape[1])
        signal.knn[offset + hit] = theirs[hit].mean(axis=1)


def patch_sentence(context: Any, sid: str, text: str, config: Any) -> bool:
    """Give sentence ``sid`` the text ``text`` in ``context`` (in place). False when the
    context cannot be patched (the caller builds it again)."""
    scorer = context.scorer
    n_src = len(scorer.src)
    if sid in context.src_index:
        row, side, pos = context.src_index[sid], scorer.src, context.src_index[sid]
    elif sid in context.tgt_index:
        pos = context.tgt_index[sid]
        row, side = n_src + pos, scorer.tgt
    else:
        return True  # not a sentence of this context: nothing it scores changes
    if context.space is None:
        return False
    item = replace(side[pos], text=text)
    side[pos] = item
    scorer.anchors[row] = sentence_anchors(text, item.lang)
    _patch_surface(scorer.surface, row, n_src, item, scorer.anchors[row], context.space, config)
    if scorer.semantic is not None:
        _patch_encoder(scorer.semantic, row, item)
    return True


def _patch_surface(surface: Any, row: int, n_src: int, item: Any, anchors, space, config) -> None:
    text = item.mt if row < n_src and item.mt is not None else item.text
    new = space.row(text, anchors)
    old = surface.vectors.copy()
    old.resize((old.shape[0], new.shape[1]))  # new columns (n-grams new to the context)
    surface.vectors = sp.vstack([old[:row], new, old[row + 1 :]], "csr")
    update_neighbours(surface, surface.vectors, row, old[row : row + 1])
    surface.text_len[row] = len(text)
    surface.texts[row] = text
    surface.changed.add(row)


def _patch_encoder(semantic: Any, row: int, item: Any) -> None:
    semantic.texts[row] = item.text
    usable = bool(item.text.strip()) and semantic.encoder.supports(item.lang)
    semantic.usable[row] = usable
    old_row = semantic.vectors[row : row + 1].copy()
    semantic.vectors[row] = semantic.encoder.encode([item.text])[0] if usable else 0.0
    update_neighbours(semantic, semantic.vectors, row, old_row)
    for group in [g for g in semantic._groups if row in g]:
        del semantic._groups[group]
