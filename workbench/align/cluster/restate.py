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
product per document pair, as in the first pass: ``O(D M n^2 d)``; facts only for pairs whose
cosine reaches ``restate_min_cosine``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from workbench.align.cluster.build import doc_pairs, near_facts

if TYPE_CHECKING:
    from workbench.align.cluster.build import _Clusters


def restatement_joins(state: _Clusters) -> int:
    """Joins restated statements across editions in ``state``; returns the joins made."""
    config = state.ev.config
    if config.restate_threshold > 1.0 + config.restate_fact_weight:
        return 0
    joined = 0
    for _ in range(config.restate_passes):
        made = _one_pass(state)
        joined += made
        if not made:
            break
    return joined


def _one_pass(state: _Clusters) -> int:
    ev, config = state.ev, state.ev.config
    vectors = np.concatenate([d.vectors for d in ev.docs]).astype(np.float32)
    ids = [c for c in state.members if not any(s in state.frozen for s in _sentences(state, c))]
    centroid = {c: _centroid(vectors, _sentences(state, c)) for c in ids}
    editions = {c: {ev.docs[d].edition for d in state.members[c]} for c in ids}
    in_doc: dict[int, list[int]] = {}
    for c in ids:
        for d in state.members[c]:
            in_doc.setdefault(d, []).append(c)
    best: dict[int, tuple[float, int]] = {}
    for a, b in doc_pairs(ev.docs, config.max_doc_neighbours):
        left, right = in_doc.get(a, []), in_doc.get(b, [])
        if not left or not right:
            continue
        sims = np.stack([centroid[c] for c in left]) @ np.stack([centroid[c] for c in right]).T
        for x, y in zip(*np.nonzero(sims >= config.restate_min_cosine), strict=True):
            c1, c2 = left[x], right[y]
            if c1 == c2 or editions[c1] & editions[c2]:
                continue
            if state.members[c1].keys() & state.members[c2].keys():
                continue
            score = float(sims[x, y]) + config.restate_fact_weight * _facts(state, c1, c2)
            for one, other in ((c1, c2), (c2, c1)):
                if score > best.get(one, (-np.inf, -1))[0]:
                    best[one] = (score, other)
    mutual = sorted(
        {(s, min(c, o), max(c, o)) for c, (s, o) in best.items() if best.get(o, (0, -1))[1] == c},
        reverse=True,
    )
    made, touched = 0, set()
    for score, c1, c2 in mutual:
        if score < config.restate_threshold:
            break
        if c1 in touched or c2 in touched:
            continue
        u, v = _sentences(state, c1)[0], _sentences(state, c2)[0]
        if state.merge(u, v, checked=True, threshold=-np.inf):
            touched.update((c1, c2))
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
