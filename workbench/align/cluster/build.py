"""Statement clusters from pairwise evidence.

Algorithm (every language, English<->English across editions included; docs/clusters.md):

1. **Which document pairs.** Each document is compared with its ``max_doc_neighbours``
   nearest documents (cosine of the mean sentence vectors), so a growing corpus costs
   ``O(D * M)`` document pairs, not ``O(D^2)``; below ``M + 1`` documents that is every pair.
2. **Pair evidence per document pair.** ``evidence = "calibrated"`` (default,
   :mod:`workbench.align.cluster.pairprob`): the comparable aligner's calibrated scorer on
   each sentence's encoder candidates; ``"margin"`` (the first version, :class:`Evidence`
   here): the encoder's ratio margin plus anchor bonuses.
3. **Cut into clusters.** Edges above the edge threshold, strongest first; two clusters merge
   only when the result is *consistent* (each document at most once, or an adjacent run of up
   to ``max_member_sentences``; no cannot-link pair inside) and the average pair score
   between them reaches the link threshold (average linkage: one strong edge cannot chain two
   unrelated statements). Reviewed approved links are must-links, applied first.
4. **Restatements across editions** (:mod:`workbench.align.cluster.restate`): clusters of
   disjoint editions that are each other's best partner by centroid cosine plus near figures.

Cost: ``O(D * M * n^2 * d)`` for the matrix products (``n`` sentences per document,
``d`` = 512), ``O(E log E)`` for the edges (``E <= D * M * n * candidates``) and, per
merge, ``O(|c1| * |c2|)`` look-ups; memory ``O(D * M * n^2)`` for the score matrices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.align.anchors import SentenceAnchors, compare_anchors
from workbench.align.signals.blas import one_blas_thread
from workbench.settings import ClusterSettings


@dataclass(frozen=True)
class ClusterConfig:
    """The clustering parameters; defaults (and their meaning) live in
    :class:`workbench.settings.ClusterSettings` (one source of truth)."""

    k: int
    candidates: int
    edge_threshold: float
    min_cosine: float
    link_threshold: float
    join_threshold: float
    max_doc_neighbours: int
    max_member_sentences: int
    number_weight: float
    date_weight: float
    name_weight: float
    mt_weight: float
    link_weight: float
    length_weight: float
    fact_weight: float
    score_slope: float
    evidence: str
    edge_probability: float
    link_probability: float
    linkage: str
    edition_conflicts: bool
    order_crossings: int
    order_backbone: float
    restate_threshold: float
    restate_fact_weight: float
    restate_min_cosine: float
    restate_passes: int

    @classmethod
    def from_settings(
        cls, settings: ClusterSettings | None = None, **overrides: Any
    ) -> ClusterConfig:
        values = (settings or ClusterSettings()).model_dump()
        values.update(overrides)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass
class DocView:
    """One document as the clusterer sees it."""

    id: str
    lang: str
    edition: int | None
    ids: list[str]
    vectors: np.ndarray  # (n, d) unit rows
    anchors: list[SentenceAnchors]
    english: list[str | None] = field(default_factory=list)  # MT (or the text if English)
    is_mt: bool = False
    texts: list[str] = field(default_factory=list)  # the sentences' own text
    english_vectors: np.ndarray | None = None  # unit rows of ``english`` (MT documents)


@dataclass
class BuiltMember:
    doc: str
    ids: list[str]
    score: float


@dataclass
class BuiltCluster:
    members: list[BuiltMember]
    score: float


def doc_pairs(docs: Sequence[DocView], limit: int) -> list[tuple[int, int]]:
    """Document pairs to compare: each document with its ``limit`` nearest (by centroid)."""
    n = len(docs)
    if n - 1 <= limit:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    centroids = np.stack([d.vectors.mean(axis=0) for d in docs])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    sims = centroids @ centroids.T
    np.fill_diagonal(sims, -np.inf)
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        for j in np.argpartition(-sims[i], limit)[:limit]:
            pairs.add((min(i, int(j)), max(i, int(j))))
    return sorted(pairs)


def top_cells(sims: np.ndarray, k: int, floor: float) -> np.ndarray:
    """(row, column) cells of ``sims``: each row's and each column's ``k`` largest, with a
    value of at least ``floor``, sorted."""
    kr, kc = min(k, sims.shape[1]), min(k, sims.shape[0])
    rows = np.argpartition(-sims, kr - 1, axis=1)[:, :kr]
    cols = np.argpartition(-sims, kc - 1, axis=0)[:kc, :]
    forward = np.stack([np.repeat(np.arange(sims.shape[0]), kr), rows.ravel()], axis=1)
    backward = np.stack([cols.T.ravel(), np.repeat(np.arange(sims.shape[1]), kc)], axis=1)
    cells = np.unique(np.concatenate([forward, backward]), axis=0)
    return cells[sims[cells[:, 0], cells[:, 1]] >= floor]


def margins(sims: np.ndarray, k: int) -> np.ndarray:
    """Ratio margin of a cosine matrix: each cell over the mean of its row's and column's
    ``k``-nearest-neighbour means."""
    ka, kb = min(k, sims.shape[1]), min(k, sims.shape[0])
    row = np.partition(sims, sims.shape[1] - ka, axis=1)[:, -ka:].mean(axis=1)
    col = np.partition(sims, sims.shape[0] - kb, axis=0)[-kb:, :].mean(axis=0)
    base = np.maximum((row[:, None] + col[None, :]) / 2.0, 1e-3)
    return (sims / base).astype(np.float32)


def _mutual_top(scores: np.ndarray, c: int) -> list[tuple[int, int]]:
    ca, cb = min(c, scores.shape[1]), min(c, scores.shape[0])
    top_rows = np.argpartition(-scores, ca - 1, axis=1)[:, :ca]
    top_cols = np.argpartition(-scores, cb - 1, axis=0)[:cb, :]
    col_sets = [set(top_cols[:, j].tolist()) for j in range(scores.shape[1])]
    return [(a, int(b)) for a in range(scores.shape[0]) for b in top_rows[a] if a in col_sets[b]]


NEAR_RATIO = 1.25  # numbers this close (same unit) may be one fact restated or updated


def near_facts(a: SentenceAnchors, b: SentenceAnchors, dates: bool = True) -> float:
    """Dice of numbers within :data:`NEAR_RATIO` of each other (same unit) and (``dates``)
    of dates in the same month: the same fact, possibly updated (another edition) or
    misreported."""
    matched = 0
    used: set[int] = set()
    for q in a.numbers:
        for j, r in enumerate(b.numbers):
            if j in used or q.unit != r.unit or q.value <= 0 or r.value <= 0:
                continue
            if max(q.value, r.value) / min(q.value, r.value) <= NEAR_RATIO:
                used.add(j)
                matched += 1
                break
    months_a = [d for d in a.dates if d.month and d.day] if dates else []
    months_b = [d for d in b.dates if d.month and d.day] if dates else []
    used_d: set[int] = set()
    for d in months_a:
        for j, e in enumerate(months_b):
            if j not in used_d and abs((d.month or 0) - (e.month or 0)) <= 1:
                used_d.add(j)
                matched += 1
                break
    total = len(a.numbers) + len(b.numbers) + len(months_a) + len(months_b)
    return 2.0 * matched / total if total else 0.0


class Evidence:
    """Margin matrices of the compared document pairs and the candidate edges."""

    def __init__(
        self,
        docs: Sequence[DocView],
        config: ClusterConfig,
        links: dict[tuple[str, str], float] | None = None,
    ):
        self.docs = docs
        self.config = config
        self.links = links or {}
        self._scores: dict[tuple[int, int], float | None] = {}
        self.offset = np.cumsum([0] + [len(d.ids) for d in docs])
        self.doc_of = np.repeat(np.arange(len(docs)), [len(d.ids) for d in docs])
        self.margin: dict[tuple[int, int], np.ndarray] = {}
        self.edges: list[tuple[float, int, int]] = []
        self.weak: list[tuple[float, int, int]] = []  # candidates below edge_threshold
        self._evidence()
        self.edges.sort(key=lambda e: (-e[0], e[1], e[2]))

    def _evidence(self) -> None:
        for a, b in doc_pairs(self.docs, self.config.max_doc_neighbours):
            self._compare(a, b)

    @property
    def link_threshold(self) -> float:
        return self.config.link_threshold

    @property
    def edge_threshold(self) -> float:
        return self.config.edge_threshold

    def member_score(self, mean: float) -> float:
        """A member's score from its mean pair score: logistic around ``link_threshold``."""
        slope, threshold = self.config.score_slope, self.config.link_threshold
        return 1.0 / (1.0 + math.exp(-slope * (mean - threshold)))

    def _compare(self, a: int, b: int) -> None:
        da, db = self.docs[a], self.docs[b]
        if not da.ids or not db.ids:
            return
        sims = da.vectors @ db.vectors.T
        marg = margins(sims, self.config.k)
        self.margin[(a, b)] = marg
        linked = [(x, y) for x, y in self._linked(da, db)]
        for x, y in dict.fromkeys(_mutual_top(marg, self.config.candidates) + linked):
            link = self._link_score(da.ids[x], db.ids[y])
            if sims[x, y] < self.config.min_cosine and link is None:
                continue
            score = float(marg[x, y]) + self._bonus(da, x, db, y)
            score += self.config.link_weight * (link or 0.0)
            edge = (score, int(self.offset[a] + x), int(self.offset[b] + y))
            (self.edges if score >= self.config.edge_threshold else self.weak).append(edge)

    def _link_score(self, a: str, b: str) -> float | None:
        return self.links.get((a, b), self.links.get((b, a)))

    def _linked(self, da: DocView, db: DocView) -> list[tuple[int, int]]:
        """Sentence pairs of ``da`` x ``db`` that a pairwise alignment links."""
        if not self.links:
            return []
        pos_a = {sid: i for i, sid in enumerate(da.ids)}
        pos_b = {sid: i for i, sid in enumerate(db.ids)}
        found = []
        for a, b in self.links:
            if a in pos_a and b in pos_b:
                found.append((pos_a[a], pos_b[b]))
            elif b in pos_a and a in pos_b:
                found.append((pos_a[b], pos_b[a]))
        return found

    def _bonus(self, da: DocView, x: int, db: DocView, y: int) -> float:
        cfg = self.config
        src, tgt = (da.anchors[x], db.anchors[y])
        if src.lang != "th" and tgt.lang == "th":
            src, tgt = tgt, src
        features, _ = compare_anchors(src, tgt)
        bonus = cfg.fact_weight * near_facts(src, tgt) + (
            cfg.number_weight * features["numbers"]
            + cfg.date_weight * features["dates"]
            + cfg.name_weight * features["names"]
            + cfg.length_weight * (features["length"] - 0.5)
        )
        if (da.is_mt or db.is_mt) and da.english and db.english:
            ea, eb = da.english[x], db.english[y]
            if ea and eb:
                from workbench.align.chrf import chrf_pairs

                bonus += cfg.mt_weight * float(chrf_pairs([ea], [eb])[0]) / 100.0
        return bonus

    def pair_score(self, u: int, v: int) -> float | None:
        """Margin plus anchor bonus of sentences ``u`` and ``v`` (cached)."""
        key = (min(u, v), max(u, v))
        if key not in self._scores:
            margin = self.pair_margin(u, v)
            if margin is not None:
                a, b = int(self.doc_of[u]), int(self.doc_of[v])
                x, y = u - int(self.offset[a]), v - int(self.offset[b])
                margin += self._bonus(self.docs[a], x, self.docs[b], y)
            self._scores[key] = margin
        return self._scores[key]

    def pair_margin(self, u: int, v: int) -> float | None:
        """Margin of sentences ``u`` and ``v`` (global indices), ``None`` if not compared."""
        a, b = int(self.doc_of[u]), int(self.doc_of[v])
        if a == b:
            return None
        if a > b:
            a, b, u, v = b, a, v, u
        matrix = self.margin.get((a, b))
        if matrix is None:
            return None
        return float(matrix[u - self.offset[a], v - self.offset[b]])


class _Clusters:
    """Union of sentence sets under the consistency rules."""

    def __init__(self, evidence: Evidence, cannot: set[tuple[int, int]], frozen: set[int]):
        self.ev = evidence
        self.cannot = cannot
        self.frozen = frozen
        n = int(evidence.offset[-1])
        self.owner = list(range(n))
        self.members: dict[int, dict[int, list[int]]] = {
            i: {int(evidence.doc_of[i]): [i]} for i in range(n)
        }

    def _consistent(self, c1: int, c2: int, limit: int) -> bool:
        m1, m2 = self.members[c1], self.members[c2]
        for doc in m1.keys() & m2.keys():
            run = sorted(m1[doc] + m2[doc])
            if len(run) > limit or run[-1] - run[0] != len(run) - 1:
                return False
        left = [s for ids in m1.values() for s in ids]
        right = [s for ids in m2.values() for s in ids]
        return not any((min(u, v), max(u, v)) in self.cannot for u in left for v in right)

    def _average(self, c1: int, c2: int) -> float:
        """Mean pair score over the cross-document pairs of the merged cluster or, when the
        config says ``linkage = "between"``, over the pairs between the two
        clusters only (average linkage proper: a big cluster cannot dilute a bad newcomer)."""
        left = [s for ids in self.members[c1].values() for s in ids]
        right = [s for ids in self.members[c2].values() for s in ids]
        if self.ev.config.linkage == "between":
            pairs = [(u, v) for u in left for v in right]
        else:
            every = left + right
            pairs = [(u, v) for i, u in enumerate(every) for v in every[i + 1 :]]
        values = [x for u, v in pairs if (x := self.ev.pair_score(u, v)) is not None]
        return sum(values) / len(values) if values else math.inf

    def merge(self, u: int, v: int, checked: bool = True, threshold: float | None = None) -> bool:
        c1, c2 = self.owner[u], self.owner[v]
        if c1 == c2:
            return False
        cfg = self.ev.config
        threshold = self.ev.link_threshold if threshold is None else threshold
        if checked and (
            u in self.frozen
            or v in self.frozen
            or not self._consistent(c1, c2, cfg.max_member_sentences)
            or self._average(c1, c2) < threshold
        ):
            return False
        if len(self.members[c1]) < len(self.members[c2]):
            c1, c2 = c2, c1
        for doc, ids in self.members.pop(c2).items():
            self.members[c1].setdefault(doc, []).extend(ids)
            self.members[c1][doc].sort()
            for s in ids:
                self.owner[s] = c1
        return True


def build_clusters(
    docs: Sequence[DocView],
    config: ClusterConfig | None = None,
    must_link: Iterable[Sequence[str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    links: dict[tuple[str, str], float] | None = None,
    frozen: Iterable[str] = (),
) -> list[BuiltCluster]:
    """Clusters of two or more documents, strongest first. ``must_link``: groups of
    sentence ids that belong together (approved links); ``cannot_link``: pairs that must
    not share a cluster (rejected links); ``links``: automatic pairwise links (sentence id
    pair -> link score), evidence for an edge; ``frozen``: sentences of reviewed clusters,
    left out. Unknown sentence ids are ignored."""
    config = config or ClusterConfig.from_settings()
    evidence = make_evidence(docs, config, links)
    return cut_clusters(evidence, must_link, cannot_link, frozen)


def make_evidence(
    docs: Sequence[DocView],
    config: ClusterConfig,
    links: dict[tuple[str, str], float] | None = None,
) -> Evidence:
    """The pair evidence ``config.evidence`` names, for the document pairs it compares."""
    with one_blas_thread():
        if config.evidence == "calibrated":
            from workbench.align.cluster.pairprob import ProbEvidence

            return ProbEvidence(docs, config, links)
        return Evidence(docs, config, links)


def cut_clusters(
    evidence: Evidence,
    must_link: Iterable[Sequence[str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    frozen: Iterable[str] = (),
) -> list[BuiltCluster]:
    """Clusters from built evidence under ``evidence.config`` (a bench may swap the config
    to try thresholds on one evidence)."""
    docs, config = evidence.docs, evidence.config
    index = {
        sid: int(evidence.offset[i] + j) for i, d in enumerate(docs) for j, sid in enumerate(d.ids)
    }
    cannot = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in cannot_link
        if a in index and b in index
    }
    state = _Clusters(evidence, cannot, {index[s] for s in frozen if s in index})
    for group in must_link:
        known = [index[s] for s in group if s in index]
        for other in known[1:]:
            state.merge(known[0], other, checked=False)
    for score, u, v in evidence.edges:
        if score < evidence.edge_threshold:
            break
        state.merge(u, v)
    _join_clusters(state, config)
    from workbench.align.cluster.restate import restatement_joins

    restatement_joins(state)
    return _result(state, docs, config)


def _join_clusters(state: _Clusters, config: ClusterConfig) -> None:
    """Second pass: two clusters of two or more documents each (each confirmed inside, e.g.
    one edition's translations) that a candidate edge connects merge when the merged cluster
    is consistent and its average pair score reaches ``join_threshold`` (a restated
    statement across editions is looser than a translation within one)."""
    ev = state.ev
    if config.evidence != "margin" or config.join_threshold >= config.link_threshold:
        return
    pairs: dict[tuple[int, int], None] = {}
    for _score, u, v in ev.edges + ev.weak:
        c1, c2 = state.owner[u], state.owner[v]
        if c1 != c2 and len(state.members[c1]) > 1 and len(state.members[c2]) > 1:
            pairs[(min(c1, c2), max(c1, c2))] = None
    ranked = sorted(((state._average(a, b), a, b) for a, b in pairs), reverse=True)
    for average, a, b in ranked:
        if average < config.join_threshold:
            break
        if a in state.members and b in state.members:
            u = next(iter(state.members[a].values()))[0]
            v = next(iter(state.members[b].values()))[0]
            state.merge(u, v, threshold=config.join_threshold)


def _result(state: _Clusters, docs: Sequence[DocView], config: ClusterConfig) -> list[BuiltCluster]:
    ev = state.ev
    out: list[BuiltCluster] = []
    for by_doc in state.members.values():
        if len(by_doc) < 2:
            continue
        members = []
        # a timeline: by edition (a document without one first), then document id
        for doc, ids in sorted(
            by_doc.items(), key=lambda i: (docs[i[0]].edition or 0, docs[i[0]].id)
        ):
            others = [s for d, o in by_doc.items() if d != doc for s in o]
            best = []
            for u in ids:
                values = [m for v in others if (m := ev.pair_score(u, v)) is not None]
                best.append(sum(values) / len(values) if values else ev.link_threshold)
            score = ev.member_score(max(best))
            local = [docs[doc].ids[s - int(ev.offset[doc])] for s in ids]
            members.append(BuiltMember(docs[doc].id, local, round(score, 4)))
        score = round(sum(m.score for m in members) / len(members), 4)
        out.append(BuiltCluster(members, score))
    out.sort(key=lambda c: (-len(c.members), -c.score, c.members[0].ids[0]))
    return out
