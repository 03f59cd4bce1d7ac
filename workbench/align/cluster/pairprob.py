"""Calibrated same-statement probabilities of sentence pairs, per document pair.

The comparable aligner's scorer (:class:`workbench.align.comparable.Scorer`: encoder cosine,
ratio margin and diagonal support, lead, surface overlap or chrF of the English sides, the
candidate vectors' margin, length, anchors with number / year conflicts counting against a
pair, and the shared-edition prior; one logistic fitted on the NTREX comparable simulation
and the seeds) run on one document pair at a time, English<->English included:

- a non-English document is the source side, an English one the English side (two English
  documents: the first is the source, with its own text as its "MT", so the pair is scored
  with the MT weights on the chrF of the two English texts, as a perfect translation would be);
- two non-English documents: the first is the source, no MT (as Thai against English);
- stored MT of a source document is used when the other side is English.

Only candidates are scored: each sentence's ``k`` nearest on the other side, both ways, by
the encoder and by the candidate vectors (as the aligner does), ``O(n k)`` per document pair.
The vectors and anchors of each document are computed once (:class:`DocView`), not per pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workbench.align.cluster.build import (
    ClusterConfig,
    DocView,
    Evidence,
    doc_pairs,
    top_cells,
)
from workbench.align.comparable import Item, MiningConfig, Scorer
from workbench.align.signals.position import crossings
from workbench.align.signals.semantic import EncoderSignal
from workbench.align.signals.surface import sentence_vectors

EDGE_FLOOR = 0.1  # pairs kept as edges (cut_clusters takes those at edge_probability)


class _Preset:
    """An "encoder" that returns the vectors already computed for the documents' texts (and
    their MT: :attr:`DocView.english_vectors`); no model runs."""

    id = "preset"

    def __init__(self, docs: Sequence[DocView], texts: Sequence[str], vectors: np.ndarray):
        self.texts, self.vectors = list(texts), vectors  # the pool's rows, in order
        self.rows: dict[str, np.ndarray] = {}
        for view in docs:
            self.rows.update(zip(view.texts, view.vectors, strict=True))
            if view.english_vectors is not None:
                mt = [(e, v) for e, v in zip(view.english, view.english_vectors, strict=True) if e]
                self.rows.update(mt)
        self.dim = next((len(v) for v in self.rows.values()), 1)

    def supports(self, language: str) -> bool:
        return True

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if list(texts) == self.texts:  # the pool (two documents may share a text, not a vector)
            return self.vectors
        return np.stack([self.rows[t] for t in texts]).astype(np.float32)


def _oriented(la: str, lb: str, target: str) -> bool:
    """Whether documents of ``la`` / ``lb`` are scored the other way round (English second)."""
    return la == target and lb != target


def _items(views: Sequence[DocView], src_side: bool, target: str) -> list[Item]:
    """Items of every document; on the source side an English document's own text is its
    English side ("MT"), another document's stored MT when it has some."""
    out = []
    for view in views:
        english = view.english if src_side and (view.is_mt or view.lang == target) else []
        for n, sid in enumerate(view.ids):
            mt = (english[n] or None) if english else None
            out.append(Item(sid, view.id, n, view.texts[n], view.lang, mt, view.edition))
    return out


def _top_mean(left, right, k: int) -> np.ndarray:
    """Mean cosine of each ``left`` row's ``k`` nearest ``right`` rows."""
    block = left @ right.T
    block = np.asarray(block.todense() if hasattr(block, "todense") else block, dtype=np.float32)
    kk = max(min(k, block.shape[1]), 1)
    return np.partition(block, block.shape[1] - kk, axis=1)[:, -kk:].mean(axis=1)


class PoolScorer:
    """The comparable scorer over every document on both sides (source side: non-English
    text or its MT, English text as its own "MT"; English side: the text). Each sentence's
    margin neighbours are taken per language of the other side, never in its own document:
    a pair of languages is scored with the neighbours the aligner would have used for it.
    ``compared`` (the document pairs the clusterer compares) bounds them to each document's
    compared documents, so the search grows with ``D * M``, not ``N^2``; without it every
    other document of that language counts."""

    def __init__(
        self,
        docs: Sequence[DocView],
        target: str = "en",
        compared: Sequence[tuple[int, int]] | None = None,
    ):
        config = self.config = MiningConfig()
        self.docs = list(docs)
        # each document's margin neighbourhood: the documents it is compared with (None:
        # every other document)
        everything = [(a, b) for a in range(len(docs)) for b in range(a + 1, len(docs))]
        self.around: dict[int, list[int]] = {d: [] for d in range(len(docs))}
        for a, b in everything if compared is None else compared:
            self.around[a].append(b)
            self.around[b].append(a)
        src, tgt = _items(docs, True, target), _items(docs, False, target)
        self.n = n = len(src)
        self.start, base = {}, 0
        for view in docs:
            self.start[view.id] = base
            base += len(view.ids)
        texts = [i.mt if i.mt is not None else i.text for i in src] + [i.text for i in tgt]
        anchors = [a for v in docs for a in v.anchors] * 2
        self.sparse = sentence_vectors(texts, anchors, config)
        self.dense = np.concatenate([v.vectors for v in docs]).astype(np.float32)
        semantic = EncoderSignal(
            _Preset(docs, [i.text for i in (*src, *tgt)], np.concatenate([self.dense, self.dense])),
            [i.text for i in src],
            [i.lang for i in src],
            [i.text for i in tgt],
            [i.lang for i in tgt],
            1,
            [i.doc for i in (*src, *tgt)],
            src_mt=[i.mt for i in src],
        )
        self.scorer = Scorer(
            src,
            tgt,
            self.sparse,
            np.zeros(n),
            np.zeros(n),
            anchors,
            config.edition_prior,
            semantic,
        )
        self._knn: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _neighbours(self, la: str, lb: str) -> tuple[np.ndarray, np.ndarray]:
        """(sparse, encoder) neighbour means of every source row against ``lb`` documents
        then of every English row against ``la`` documents (what the margins divide by)."""
        if (la, lb) not in self._knn:
            self._knn[(la, lb)] = self._bounded_neighbours(la, lb)
        return self._knn[(la, lb)]

    def _rows(self, d: int) -> np.ndarray:
        """The pool rows of document ``d``."""
        start = self.start[self.docs[d].id]
        return np.arange(start, start + len(self.docs[d].ids))

    def _bounded_neighbours(self, la: str, lb: str) -> tuple[np.ndarray, np.ndarray]:
        """Each row's ``k`` nearest among the rows of its document's compared documents of
        the other language: ``O(n * M n * d)`` per document, not ``O(n * N * d)``."""
        n, cfg = self.n, self.config
        sparse, dense = np.zeros(2 * n), np.zeros(2 * n)
        for d, view in enumerate(self.docs):
            mine = self._rows(d)
            for lang, side, other in ((la, 0, lb), (lb, n, la)):
                if view.lang != lang or not len(mine):
                    continue
                near = [o for o in self.around[d] if self.docs[o].lang == other]
                rows = np.concatenate([self._rows(o) for o in near] or [np.zeros(0, int)])
                if not len(rows):
                    continue
                theirs = n - side  # the other side's rows
                sparse[side + mine] = _top_mean(
                    self.sparse[side + mine], self.sparse[theirs + rows], cfg.k
                )
                dense[side + mine] = _top_mean(self.dense[mine], self.dense[rows], cfg.encoder_k)
        return sparse, dense

    def scores(
        self, la: str, lb: str, groups: np.ndarray, floor: float, conflicts: bool = True
    ) -> np.ndarray:
        """Probabilities of (source row, English row) pairs (pool rows: document start +
        sentence) of ``la`` documents against ``lb`` documents. ``conflicts`` False: a number
        or year conflict does not count against a pair of two editions (a restated
        statement about another year carries that year's figures: what the fact timeline
        reports as a change)."""
        sparse, dense = self._neighbours(la, lb)
        self.scorer.use_neighbour_means(sparse, dense)
        self.scorer.edition_conflicts = conflicts
        return self.scorer.scores([((int(i),), (int(j),)) for i, j in groups], floor=floor)


def candidates(a: DocView, b: DocView, k: int, min_cosine: float) -> np.ndarray:
    """(row in ``a``, row in ``b``): each sentence's ``k`` nearest by the encoder, both ways,
    with an encoder cosine of at least ``min_cosine``."""
    return top_cells(a.vectors @ b.vectors.T, k, min_cosine)


def order_veto(matrix: np.ndarray, backbone: float, limit: int) -> int:
    """Two articles of one edition keep their source's order: a pair that crosses ``limit``
    or more of the document pair's confident pairs (probability >= ``backbone``) is set to 0
    (:func:`workbench.align.signals.position.crossings`). Returns how many were; 0: off."""
    if limit <= 0:
        return 0
    bx, by = np.nonzero(matrix >= backbone)
    xs, ys = np.nonzero((matrix > 0) & (matrix < backbone))
    vetoed = crossings(xs, ys, bx, by) >= limit
    matrix[xs[vetoed], ys[vetoed]] = 0.0
    return int(vetoed.sum())


class ProbEvidence(Evidence):
    """Pair evidence as calibrated probabilities (:class:`PoolScorer`, one per pair of
    languages) for the document pairs :func:`doc_pairs` picks; only each sentence's
    ``encoder_k`` nearest in the other document (both ways) are scored, a compared pair that
    is no candidate counts 0. A pairwise link's score raises its pair to at least that score.
    Edges: candidates at ``edge_probability`` or more, strongest first."""

    def __init__(
        self,
        docs: Sequence[DocView],
        config: ClusterConfig,
        links: dict[tuple[str, str], float] | None = None,
        target: str = "en",
    ):
        self.target = target
        super().__init__(docs, config, links)

    @property
    def link_threshold(self) -> float:
        return self.config.link_probability

    @property
    def edge_threshold(self) -> float:
        return self.config.edge_probability

    def member_score(self, mean: float) -> float:
        return min(max(mean, 0.0), 1.0)

    def _evidence(self) -> None:
        """Every compared document pair's candidates, scored in one batch per language pair."""
        compared = doc_pairs(self.docs, self.config.max_doc_neighbours)
        pool = PoolScorer(self.docs, self.target, compared)
        batches: dict[tuple[str, str], list] = {}
        for a, b in compared:
            da, db = self.docs[a], self.docs[b]
            if not da.ids or not db.ids:
                continue
            if _oriented(da.lang, db.lang, self.target):
                a, b, da, db = b, a, db, da
            pairs = candidates(da, db, self.config.candidates, self.config.min_cosine)
            batches.setdefault((da.lang, db.lang), []).append((a, b, pairs))
        self.scored = sum(len(p) for batch in batches.values() for _, _, p in batch)
        for (la, lb), batch in batches.items():
            groups = np.concatenate(
                [
                    p + [pool.start[self.docs[a].id], pool.start[self.docs[b].id]]
                    for a, b, p in batch
                ]
            )
            probs = pool.scores(
                la, lb, groups, floor=EDGE_FLOOR, conflicts=self.config.edition_conflicts
            )
            done = 0
            for a, b, pairs in batch:
                part = probs[done : done + len(pairs)]
                done += len(pairs)
                self._store(a, b, pairs, part)

    def _store(self, a: int, b: int, pairs: np.ndarray, probs: np.ndarray) -> None:
        da, db = self.docs[a], self.docs[b]
        matrix = np.zeros((len(da.ids), len(db.ids)), dtype=np.float32)
        matrix[pairs[:, 0], pairs[:, 1]] = probs
        if a > b:
            a, b, da, db, matrix = b, a, db, da, np.ascontiguousarray(matrix.T)
        for x, y in self._linked(da, db):
            matrix[x, y] = max(matrix[x, y], self._link_score(da.ids[x], db.ids[y]) or 0.0)
        if da.edition is not None and da.edition == db.edition:
            order_veto(matrix, self.config.order_backbone, self.config.order_crossings)
        self.margin[(a, b)] = matrix
        for x, y in zip(*np.nonzero(matrix >= EDGE_FLOOR), strict=True):
            self.edges.append(
                (float(matrix[x, y]), int(self.offset[a] + x), int(self.offset[b] + y))
            )

    def pair_score(self, u: int, v: int) -> float | None:
        return self.pair_margin(u, v)
