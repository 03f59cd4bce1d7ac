"""Second pass: statements restated across editions.

The first pass (:func:`workbench.align.cluster.build.cut_clusters`) joins sentences whose
*pair* probability is high: translations within one edition, and near-identical English
sentences of two years. A statement restated in another year is a different sentence about
the same fact ("more than 300 billion yuan" in 2021, "356.3 billion yuan" in 2022); pair by
pair the encoder scores it like any sentence on the same topic. Two things tell it apart:

- **several views at once**: a first-pass cluster already holds the statement in two or
  three languages; the mean of its members' vectors (its *centroid*) is a steadier picture
  of the statement than any one sentence, so clusters are compared by centroid cosine;
- **the figures**: a restatement carries the same kind of figures, updated (same unit,
  within ``NEAR_RATIO``) or the same (:func:`near_facts` of numbers, best member pair).
  Dates do not count: every article of an annual event has dates of the same month (a
  dateline "October 21, 2023" is no restatement of "opened on October 23").

A pair of clusters of *disjoint editions and documents* scores ``centroid cosine +
restate_fact_weight * facts``; clusters join when each is the other's best partner (mutual
best over every eligible cluster) and the score reaches ``restate_threshold``, strongest
first, under the first pass's consistency rules (documents once, no rejected pair inside,
reviewed clusters left alone). ``restate_passes`` rounds (a join changes centroids).

Cost: only clusters with a member in a compared document pair
(:func:`workbench.align.cluster.build.doc_pairs`) are compared, one ``n_a x n_b`` centroid
product per document pair, as in the first pass: ``O(D M n^2 d)``; the figures only for each
cluster's :data:`CANDIDATES` nearest per document pair with a cosine of at least
``restate_min_cosine``: ``O(D M n)`` member comparisons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from workbench.align.cluster.build import doc_pairs, near_facts, top_cells
from workbench.align.signals.blas import one_blas_thread

if TYPE_CHECKING:
    from workbench.align.cluster.build import _Clusters

CANDIDATES = 3  # partners per cluster and document pair by centroid cosine (facts add to these)


def restatement_joins(state: _Clusters) -> int:
    """Joins restated statements across editions in ``state``; returns the joins made."""
    config = state.ev.config
    if config.restate_threshold > 1.0 + config.restate_fact_weight:
        return 0
    joined = 0
    with one_blas_thread():  # many small products: threads cost more than they give
        for _ in range(config.restate_passes):
            made = _one_pass(state)
            joined += made
            if not made:
                break
    return joined


class _Pool:
    """The clusters a pass may join (no reviewed sentence inside), as arrays."""

    def __init__(self, state: _Clusters):
        ev = state.ev
        self.ids = [c for c in state.members if state.frozen.isdisjoint(_sentences(state, c))]
        vectors = np.concatenate([d.vectors for d in ev.docs]).astype(np.float32)
        self.centroid = np.stack([_centroid(vectors, _sentences(state, c)) for c in self.ids])
        self.editions = _edition_masks(state, self.ids)
        in_doc: dict[int, list[int]] = {}
        for k, c in enumerate(self.ids):
            for d in state.members[c]:
                in_doc.setdefault(d, []).append(k)
        self.in_doc = {d: np.array(ks) for d, ks in in_doc.items()}


def _edition_masks(state: _Clusters, ids: list[int]) -> np.ndarray:
    """One bit per edition (a document without one counts as one more edition) for each
    cluster: two clusters share an edition when their masks share a bit. Integers up to 62
    editions; past that, Python integers (any number of bits, slower)."""
    docs = state.ev.docs
    bit = {e: 1 << n for n, e in enumerate(sorted({d.edition or 0 for d in docs}))}
    masks = [sum(bit[e] for e in {docs[d].edition or 0 for d in state.members[c]}) for c in ids]
    return np.array(masks, dtype=np.int64 if len(bit) <= 62 else object)


def _candidates(state: _Clusters, pool: _Pool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cluster, partner, score) of every eligible pair of clusters, both ways."""
    config = state.ev.config
    found: list[tuple[int, int, float]] = []
    for a, b in doc_pairs(state.ev.docs, config.max_doc_neighbours):
        left, right = pool.in_doc.get(a), pool.in_doc.get(b)
        if left is None or right is None:
            continue
        sims = pool.centroid[left] @ pool.centroid[right].T
        sims[(pool.editions[left][:, None] & pool.editions[right][None, :]) != 0] = -np.inf
        for x, y in top_cells(sims, CANDIDATES, config.restate_min_cosine).tolist():
            c1, c2 = pool.ids[left[x]], pool.ids[right[y]]
            if state.members[c1].keys() & state.members[c2].keys():
                continue
            score = float(sims[x, y]) + config.restate_fact_weight * _facts(state, c1, c2)
            found += [(int(left[x]), int(right[y]), score), (int(right[y]), int(left[x]), score)]
    if not found:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    one, other, score = (np.array(column) for column in zip(*found, strict=True))
    return one, other, score


def _one_pass(state: _Clusters) -> int:
    """Mutual best partners at ``restate_threshold`` or more join, strongest first."""
    pool = _Pool(state)
    if not pool.ids:
        return 0
    one, other, score = _candidates(state, pool)
    best = np.full(len(pool.ids), -1)
    order = np.lexsort((-score, one))  # per cluster, its best partner first
    first = order[np.r_[True, one[order][1:] != one[order][:-1]]] if len(order) else order
    best[one[first]] = other[first]
    best_score = dict(zip(one[first].tolist(), score[first].tolist(), strict=True))
    mutual = sorted(
        (best_score[k], k, int(best[k])) for k in best_score if k < best[k] and best[best[k]] == k
    )
    made, touched = 0, set()
    for value, k1, k2 in reversed(mutual):
        if value < state.ev.config.restate_threshold:
            break
        if k1 in touched or k2 in touched:
            continue
        c1, c2 = pool.ids[k1], pool.ids[k2]
        u, v = _sentences(state, c1)[0], _sentences(state, c2)[0]
        if state.merge(u, v, checked=True, threshold=-np.inf):
            touched.update((k1, k2))
            made += 1
    return made


def _sentences(state: _Clusters, cluster: int) -> list[int]:
    return [s for ids in state.members[cluster].values() for s in ids]


def _centroid(vectors: np.ndarray, rows: list[int]) -> np.ndarray:
    mean = vectors[rows].mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def _facts(state: _Clusters, c1: int, c2: int) -> float:
    """The best :func:`near_facts` of a member sentence of ``c1`` with one of ``c2``."""
    ev = state.ev
    best = 0.0
    for u in _sentences(state, c1):
        a = ev.docs[int(ev.doc_of[u])].anchors[u - int(ev.offset[ev.doc_of[u]])]
        for v in _sentences(state, c2):
            b = ev.docs[int(ev.doc_of[v])].anchors[v - int(ev.offset[ev.doc_of[v]])]
            best = max(best, near_facts(a, b, dates=False))
    return best
