"""Comparable mode: order-free mining of statement pairs across all source and English documents.

Steps (BUCC-style margin mining, extended to 2-1 / 1-2 links):

1. **Candidates.** Each sentence's k nearest neighbours on the other side, both ways, by two
   vectors: the sentence encoder's embedding (:mod:`workbench.align.signals.semantic`, when
   there is an encoder that reads both languages) and a sparse vector (TF-IDF of character
   4-grams of the English side, i.e. the MT of a source sentence when there is one, plus
   TF-IDF of its anchor tokens: numbers, dates, Latin names). Chunked matrix products, no
   all-pairs Python loop.
2. **Features** from the signals (``workbench/align/signals/``, one interface): encoder cosine,
   ratio margin ``cos(x, y) / ((knn(x) + knn(y)) / 2)`` and diagonal support; chrF of the MT
   (or the surface overlap without MT) and the sparse vectors' margin; length; edition and
   article lead; anchors (agreement, and conflicts that count against a pair).
3. **Score.** One calibrated score in [0, 1]: a logistic per (MT, encoder) combination
   (:data:`WEIGHTS`, fitted on dev data: ``bench/fit_comparable_encoder.py``); a shared edition
   adds ``edition_prior``: a prior, not a wall.
4. **Selection.** Mutual best pairs by score, in rounds (a sentence whose partner was taken
   competes again among what is left), kept above the threshold.
5. **Merge.** A link grows into 2-1 or 1-2 with an adjacent free sentence of the same
   document when the group (with the encoder: the embedding of the concatenation) is more
   similar than the single sentence.

Sentences left without a partner are returned as ``unmatched`` with ``no_counterpart``, the
chance that none of their candidates is their counterpart (the corpus aligner writes them as
1-0 links with that score so the reviewer sees them).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from workbench.align.anchors import (
    compare_anchors,
    merge_anchors,
    sentence_anchors,
)
from workbench.align.signals.base import PairSignal
from workbench.align.signals.neighbours import _best_rows, top_k, top_k_both
from workbench.align.signals.position import LEAD, PositionSignal, crossings
from workbench.align.signals.semantic import EncoderSignal, TextEncoder
from workbench.align.signals.surface import (
    CHRF_ORDER,
    NGRAM,
    NgramCounts,
    SurfaceSignal,
    _selection,
    char_ngram_counts,
    sentence_vectors,
)
from workbench.settings import ORDER_BACKBONE, ORDER_CROSSINGS
from workbench.store.model import Flag

__all__ = [  # the signals' helpers are re-exported: tests and benches import them from here
    "CHRF_ORDER",
    "LEAD",
    "NGRAM",
    "NgramCounts",
    "_best_rows",
    "_selection",
    "char_ngram_counts",
    "sentence_vectors",
    "top_k",
    "top_k_both",
]

# features that come from the anchors (computed in Python, only where they can matter)
ANCHOR_FEATURES = ("numbers", "dates", "names", "number_conflict", "date_conflict", "year_conflict")
# what a restatement in another edition may change (Scorer.edition_conflicts = False)
EDITION_CONFLICTS = ("number_conflict", "year_conflict")

# Logistic weights (hand-set, then checked on the seed gold; see README "Comparable mode").
# score = sigmoid(bias + sum(weight * feature)); every feature is in [0, 1] except margin.
WEIGHTS_MT: dict[str, float] = {
    "bias": -10.0,
    "chrf": 5.0,
    "margin": 4.0,
    "numbers": 2.0,
    "dates": 1.0,
    "names": 0.5,
    "length": 1.5,
    "number_conflict": -0.5,
    "date_conflict": 0.0,  # flagged for the reviewer, not evidence against the pair
    "year_conflict": -3.0,
    "same_edition": 2.0,  # replaced by MiningConfig.edition_prior
}
WEIGHTS_NO_MT: dict[str, float] = {
    "bias": -9.0,
    "surface": 1.0,
    "margin": 3.5,
    "numbers": 3.0,
    "dates": 1.0,
    "names": 0.5,
    "length": 2.0,
    "number_conflict": 0.0,
    "date_conflict": 0.0,
    "year_conflict": -3.0,
    "same_edition": 2.0,
}

# With the encoder (fitted on the NTREX comparable simulation's dev split and the seeds:
# bench/fit_comparable_encoder.py; see docs/benchmarks.md "Comparable mode with the sentence encoder")
WEIGHTS_ENC_NO_MT: dict[str, float] = {
    "bias": -18.525,
    "surface": 0.0,
    "enc_cos": 2.566,
    "enc_margin": 10.669,
    "enc_support": 2.06,
    "lead": 2.416,
    "margin": 0.892,
    "length": 0.0,
    "numbers": 2.61,
    "dates": 0.804,
    "names": 0.0,
    "number_conflict": -1.732,
    "year_conflict": -2.982,
    "date_conflict": 0.0,
}
WEIGHTS_ENC_MT: dict[str, float] = {
    "bias": -16.113,
    "chrf": 0.0,
    "enc_mt_cos": 1.355,
    "enc_cos": 0.626,
    "enc_margin": 4.436,
    "enc_support": 1.785,
    "lead": 2.644,
    "margin": 4.572,
    "length": 0.0,
    "numbers": 2.072,
    "dates": 1.848,
    "names": 0.0,
    "number_conflict": -1.625,
    "year_conflict": -2.85,
    "date_conflict": 0.0,
}
# (MT, encoder) -> weights; the edition term is MiningConfig.edition_prior in every set
WEIGHTS: dict[tuple[bool, bool], dict[str, float]] = {
    (True, False): WEIGHTS_MT,
    (False, False): WEIGHTS_NO_MT,
    (True, True): WEIGHTS_ENC_MT,
    (False, True): WEIGHTS_ENC_NO_MT,
}
# weights applied to the vectorised features (the rest: anchors, computed per link)
_VECTOR_FEATURES = (
    "chrf",
    "surface",
    "margin",
    "length",
    "enc_cos",
    "enc_margin",
    "enc_support",
    "enc_mt_cos",
    "lead",
)


@dataclass(frozen=True)
class Item:
    """One sentence to mine: a source sentence (with its English MT, if any) or an English one."""

    id: str
    doc: str
    index: int
    text: str
    lang: str
    mt: str | None = None
    edition: int | None = None


@dataclass
class MiningConfig:
    k: int = 4  # neighbours for the margin and for candidates
    threshold: float = 0.5  # calibrated score a link needs
    edition_prior: float = 2.0  # weight of a shared edition in the calibrated score (0: none)
    anchor_weight: float = 0.3  # share of the anchor block in the candidate cosine
    merge: bool = True  # try 2-1 / 1-2 links
    merge_gain: float = (
        0.02  # a merged link's chrF (surface overlap without MT) must grow this much
    )
    merge_part: float = 0.2  # and the added sentence alone must score this much with the other side
    encoder_merge_gain: float = (
        0.02  # with the encoder: the concatenation's cosine must grow this much
    )
    encoder_k: int = 4  # neighbours for the encoder margin and candidates
    rounds: int = 3  # mutual-best rounds
    # a candidate of two documents of one edition crossing this many of their candidates
    # scoring >= order_backbone is vetoed (workbench.settings.ORDER_CROSSINGS; 0: off)
    order_crossings: int = ORDER_CROSSINGS
    order_backbone: float = ORDER_BACKBONE
    max_df: float = 0.01  # drop n-grams in more than this share of sentences (above 2,000)
    chunk: int = 2048  # rows per sparse product chunk


@dataclass
class Proposal:
    src: list[str]
    tgt: list[str]
    score: float
    features: dict[str, float] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)


@dataclass
class MiningResult:
    links: list[Proposal]
    unmatched: list[Proposal]  # 1-0: source sentences with no counterpart, best score as features
    with_mt: bool
    stats: dict[str, float] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # doc -> language the encoder lacks


# --- vectors and neighbours ------------------------------------------------------------------


# --- scoring ------------------------------------------------------------------------------------


def weights_for(mt: bool, encoder: bool) -> dict[str, float]:
    """The logistic weights of a link scored with or without MT, with or without the encoder."""
    return WEIGHTS[(mt, encoder)]


class Scorer:
    """Scores groups of source and English items: features, calibrated score and flags.

    Signals: the text similarity (chrF of the MT, or the surface overlap without MT) and the
    candidate-vector margin, the encoder (``semantic``: cosine and margin of the sentence
    embeddings, when there is an encoder that reads both sides), length, anchors and edition.
    One logistic per (MT, encoder) combination turns them into the calibrated score.
    """

    def __init__(
        self,
        src,
        tgt,
        vectors,
        knn_src,
        knn_tgt,
        anchors,
        edition_weight: float,
        semantic: EncoderSignal | None = None,
        edition_conflicts: bool = True,
    ):
        self.src, self.tgt = src, tgt
        # False: a number or year conflict does not count against a pair of two (known)
        # editions: a statement restated in another year carries that year's figures
        self.edition_conflicts = edition_conflicts
        self.anchors = anchors  # source items first, then English items (as ``vectors``)
        self.edition_weight = edition_weight
        self.surface = SurfaceSignal(src, tgt, vectors, knn_src, knn_tgt)
        self.semantic = semantic
        signals: list[PairSignal] = [self.surface, PositionSignal(src, tgt)]
        self.signals = signals + ([semantic] if semantic is not None else [])

    def use_neighbour_means(self, sparse: np.ndarray, dense: np.ndarray | None) -> None:
        """Score against other neighbourhoods: the mean similarity of each row's k nearest
        neighbours (source rows, then English rows) for the candidate vectors and for the
        encoder — what the margins divide by. Clustering scores one pool of sentences against
        several language pairs' neighbourhoods in turn (``cluster/pairprob.py``)."""
        self.surface.knn = sparse
        if self.semantic is not None and dense is not None:
            self.semantic.knn = dense

    @property
    def vectors(self) -> sp.csr_matrix:
        """The candidate vectors (source rows, then English rows)."""
        return self.surface.vectors

    def text_features(self, groups) -> dict[str, np.ndarray]:
        """Every signal's vectorised features of (source indices, English indices) groups."""
        out: dict[str, np.ndarray] = {}
        for signal in self.signals:
            out.update(signal.features(groups))
        out.setdefault("usable", np.zeros(len(groups)))  # no encoder: scored without it
        return out

    def score_groups(
        self, groups: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], floor: float | None = None
    ) -> list[Proposal]:
        """Score (source indices, English indices) groups of consecutive sentences.

        The text features are computed for all groups at once; the anchor features (Python)
        only for groups that could still reach ``floor`` with the best anchors possible. The
        others keep a score without anchor features, below ``floor`` (``partial`` = 1).
        """
        if not groups:
            return []
        f, z, need = self._logits(groups, floor)
        return [
            self._proposal(groups[g], g, f, float(z[g]), bool(need[g])) for g in range(len(groups))
        ]

    def scores(self, groups: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], floor: float):
        """The calibrated scores of ``score_groups(groups, floor)`` without building a
        proposal per group (mining scores every candidate, links few)."""
        if not groups:
            return np.zeros(0)
        f, z, need = self._logits(groups, floor)
        n_src = len(self.src)
        for g in np.flatnonzero(need):
            s, t = groups[g]
            anchor, _ = compare_anchors(
                merge_anchors([self.anchors[i] for i in s]),
                merge_anchors([self.anchors[n_src + j] for j in t]),
            )
            weights = weights_for(bool(f["mt"][g]), bool(f["usable"][g]))
            z[g] += sum(weights.get(name, 0.0) * anchor[name] for name in self._counted(s, t))
        return 1.0 / (1.0 + np.exp(-z))

    def _counted(self, s: tuple[int, ...], t: tuple[int, ...]) -> tuple[str, ...]:
        """The anchor features that count for a group (see ``edition_conflicts``)."""
        if self.edition_conflicts:
            return ANCHOR_FEATURES
        editions = {self.src[i].edition for i in s} | {self.tgt[j].edition for j in t}
        if None in editions or len(editions) < 2:
            return ANCHOR_FEATURES
        return tuple(n for n in ANCHOR_FEATURES if n not in EDITION_CONFLICTS)

    def _logits(self, groups, floor: float | None):
        """Features, logits without the anchors, and which groups need their anchors."""
        f = self.text_features(groups)
        f["chrf"] = f["surface"] = f["sim"]
        z = np.empty(len(groups))
        room = np.empty(len(groups))  # the most the anchor features can add
        for (mt, enc), weights in WEIGHTS.items():
            rows = (f["mt"] == mt) & (f["usable"] == enc)
            if not rows.any():
                continue
            z[rows] = weights["bias"] + self.edition_weight * f["same_edition"][rows]
            for name, weight in weights.items():
                if name in _VECTOR_FEATURES:
                    z[rows] += weight * f[name][rows]
            room[rows] = sum(max(weights.get(a, 0.0), 0.0) for a in ANCHOR_FEATURES)
        need = np.ones(len(groups), dtype=bool) if floor is None else z + room >= _logit(floor)
        return f, z, need

    def _proposal(
        self, group, g: int, f: dict[str, np.ndarray], z: float, anchors: bool
    ) -> Proposal:
        s, t = group
        mt, enc = bool(f["mt"][g]), bool(f["usable"][g])
        features = {
            "chrf" if mt else "surface": float(f["sim"][g]),
            "cosine": float(f["cosine"][g]),
            "margin": float(f["margin"][g]),
            "length": float(f["length"][g]),
            "same_edition": float(f["same_edition"][g]),
            "mt": 1.0 if mt else 0.0,
        }
        if enc:
            features["enc_cos"] = float(f["enc_cos"][g])
            features["enc_margin"] = float(f["enc_margin"][g])
            features["enc_support"] = float(f["enc_support"][g])
            features["lead"] = float(f["lead"][g])
            if mt:
                features["enc_mt_cos"] = float(f["enc_mt_cos"][g])
        flags: list[Flag] = []
        if anchors:
            n_src = len(self.src)
            a_src = merge_anchors([self.anchors[i] for i in s])
            a_tgt = merge_anchors([self.anchors[n_src + j] for j in t])
            anchor, flags = compare_anchors(a_src, a_tgt)
            weights = weights_for(mt, enc)
            counted = self._counted(s, t)
            for name in ANCHOR_FEATURES:
                features[name] = anchor[name]
                z += weights.get(name, 0.0) * anchor[name] if name in counted else 0.0
        else:
            features["partial"] = 1.0
        return Proposal(
            src=[self.src[i].id for i in s],
            tgt=[self.tgt[j].id for j in t],
            score=1.0 / (1.0 + math.exp(-z)),
            features=features,
            flags=flags,
        )


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


# --- mining -----------------------------------------------------------------------------------


def _neighbours(items: Sequence[Item], i: int) -> list[int]:
    """Indices of the items just before and after ``i`` in the same document."""
    out = []
    for j in (i - 1, i + 1):
        if (
            0 <= j < len(items)
            and items[j].doc == items[i].doc
            and abs(items[j].index - items[i].index) == 1
        ):
            out.append(j)
    return out


def prepare(
    src: Sequence[Item],
    tgt: Sequence[Item],
    config: MiningConfig,
    timings: dict[str, float] | None = None,
    encoder: TextEncoder | None = None,
) -> tuple[np.ndarray, Scorer]:
    """Candidate pairs (index pairs, shape (P, 2): each side's k nearest neighbours by the
    candidate vectors and, with an ``encoder``, by sentence embeddings) and a scorer."""
    timings = {} if timings is None else timings
    texts = [i.mt if i.mt is not None else i.text for i in src] + [i.text for i in tgt]
    clock = time.perf_counter()
    anchors = [sentence_anchors(i.text, i.lang) for i in (*src, *tgt)]
    timings["anchors"] = time.perf_counter() - clock
    vectors = sentence_vectors(texts, anchors, config)
    timings["vectors"] = time.perf_counter() - clock - timings["anchors"]
    vs, vt = vectors[: len(src)], vectors[len(src) :]
    clock = time.perf_counter()
    (fwd_idx, fwd_sim), (bwd_idx, bwd_sim) = top_k_both(vs, vt, config.k, config.chunk)
    timings["neighbours"] = time.perf_counter() - clock
    found = _neighbour_pairs(fwd_idx, bwd_idx, len(src), len(tgt))
    semantic = None
    if encoder is not None:
        clock = time.perf_counter()
        semantic = _encoder_signal(encoder, src, tgt, config)
        found.append(semantic.candidates())
        timings["encoder"] = time.perf_counter() - clock
    cand = np.unique(np.concatenate(found), axis=0)
    clock = time.perf_counter()
    scorer = Scorer(
        src,
        tgt,
        vectors,
        fwd_sim.mean(axis=1),
        bwd_sim.mean(axis=1),
        anchors,
        config.edition_prior,
        semantic,
    )
    timings["chrf_profile"] = time.perf_counter() - clock
    scorer.surface.top_sims = (fwd_sim, bwd_sim)  # each row's k best, for context patches
    return cand, scorer


def _neighbour_pairs(
    fwd_idx: np.ndarray, bwd_idx: np.ndarray, n_src: int, n_tgt: int
) -> list[np.ndarray]:
    """(source, English) index pairs of each source row's neighbours, then of each English row's."""
    forward = np.stack([np.repeat(np.arange(n_src), fwd_idx.shape[1]), fwd_idx.ravel()], axis=1)
    backward = np.stack([bwd_idx.ravel(), np.repeat(np.arange(n_tgt), bwd_idx.shape[1])], axis=1)
    return [forward, backward]


def _encoder_signal(
    encoder: TextEncoder, src: Sequence[Item], tgt: Sequence[Item], config: MiningConfig
) -> EncoderSignal:
    """The sentence-encoder signal over both sides (source MT embedded too, when stored)."""
    return EncoderSignal(
        encoder,
        [i.text for i in src],
        [i.lang for i in src],
        [i.text for i in tgt],
        [i.lang for i in tgt],
        config.encoder_k,
        [i.doc for i in (*src, *tgt)],
        [i.mt for i in src],
    )


def mine(
    src: Sequence[Item],
    tgt: Sequence[Item],
    config: MiningConfig | None = None,
    forbidden: set[tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
    encoder: TextEncoder | None = None,
) -> MiningResult:
    """Mine links between source items and English items (both in document order).

    ``forbidden`` holds (source ids, English ids) pairs that must not be proposed again
    (links a reviewer rejected). ``encoder``: a sentence encoder (best a ``CachedEncoder``)
    whose similarity joins the other signals; None: MT/surface and anchors only.
    """
    config = config or MiningConfig()
    forbidden = forbidden or set()
    with_mt = any(i.mt is not None for i in src)
    if not src or not tgt:
        unmatched = [
            Proposal([i.id], [], 0.0, {"best_score": 0.0, "no_counterpart": 1.0}) for i in src
        ]
        return MiningResult([], unmatched, with_mt, {"candidates": 0})
    timings: dict[str, float] = {}
    cand, scorer = prepare(src, tgt, config, timings, encoder)
    clock = time.perf_counter()
    cand = _allowed(cand, src, tgt, forbidden)
    groups = [((int(i),), (int(j),)) for i, j in cand]
    scores = scorer.scores(groups, floor=config.threshold)
    _order_veto(cand, scores, src, tgt, config)
    timings["scoring"] = time.perf_counter() - clock

    linked = _mutual_best(cand, scores, config)
    linked_tgt = {j for j, _ in linked.values()}
    picked = [p for _, p in linked.values()]
    proposal_of = dict(zip(picked, scorer.score_groups([groups[p] for p in picked]), strict=True))
    links = sorted(
        ((i, j, proposal_of[p]) for i, (j, p) in linked.items()), key=lambda x: -x[2].score
    )
    if config.merge:
        links = _merge(links, src, tgt, scorer, config, linked_tgt, forbidden)
    taken = {sid for _, _, p in links for sid in p.src}
    unmatched = _unmatched(src, taken, cand, scores)
    position = {item.id: n for n, item in enumerate(src)}
    result_links = sorted((p for _, _, p in links), key=lambda p: position[p.src[0]])
    if with_mt:
        _add_bleu(result_links, src, tgt)
    stats = {"candidates": float(len(cand)), "links": float(len(result_links))}
    stats.update({f"seconds_{name}": round(value, 2) for name, value in timings.items()})
    return MiningResult(
        result_links, unmatched, with_mt, stats, _unread(scorer.semantic, [*src, *tgt])
    )


def _order_veto(
    cand: np.ndarray,
    scores: np.ndarray,
    src: Sequence[Item],
    tgt: Sequence[Item],
    config: MiningConfig,
) -> int:
    """Candidates of two documents of one (known) edition that cross
    ``config.order_crossings`` or more of those documents' candidates scoring
    ``config.order_backbone`` or more get score 0 (two articles of one edition retell one
    source in its order). Returns how many did."""
    if config.order_crossings <= 0 or not len(cand):
        return 0
    by_pair: dict[tuple[str, str], list[int]] = {}
    for p, (i, j) in enumerate(cand):
        a, b = src[int(i)], tgt[int(j)]
        if a.edition is not None and a.edition == b.edition:
            by_pair.setdefault((a.doc, b.doc), []).append(p)
    vetoed = 0
    for members in by_pair.values():
        rows = np.array([src[int(cand[p, 0])].index for p in members])
        cols = np.array([tgt[int(cand[p, 1])].index for p in members])
        strong = scores[members] >= config.order_backbone
        counts = crossings(rows, cols, rows[strong], cols[strong])
        out = np.array(members)[(counts >= config.order_crossings) & ~strong]
        scores[out] = 0.0
        vetoed += len(out)
    return vetoed


def _allowed(
    cand: np.ndarray,
    src: Sequence[Item],
    tgt: Sequence[Item],
    forbidden: set[tuple[tuple[str, ...], tuple[str, ...]]],
) -> np.ndarray:
    """The candidate pairs less the 1-1 pairs a reviewer rejected (``forbidden``)."""
    if not forbidden or not len(cand):
        return cand
    keep = [((src[i].id,), (tgt[j].id,)) not in forbidden for i, j in cand]
    return cand[np.array(keep, dtype=bool)]


def _mutual_best(
    cand: np.ndarray, scores: np.ndarray, config: MiningConfig
) -> dict[int, tuple[int, int]]:
    """Mutual best pairs by calibrated score, in rounds over what is still free, above the
    threshold: source index -> (English index, candidate number)."""
    linked: dict[int, tuple[int, int]] = {}
    linked_tgt: set[int] = set()
    alive = scores >= config.threshold
    order = np.argsort(-scores, kind="stable")
    for _ in range(config.rounds):
        best_for_src: dict[int, int] = {}
        best_for_tgt: dict[int, int] = {}
        for p in order:
            i, j = int(cand[p, 0]), int(cand[p, 1])
            if i in linked or j in linked_tgt:
                continue
            best_for_src.setdefault(i, p)
            best_for_tgt.setdefault(j, p)
        mutual = [
            p
            for i, p in best_for_src.items()
            if best_for_tgt.get(int(cand[p, 1])) == p and alive[p]
        ]
        if not mutual:
            break
        for p in mutual:
            i, j = int(cand[p, 0]), int(cand[p, 1])
            linked[i] = (j, p)
            linked_tgt.add(j)
    return linked


def _unmatched(
    src: Sequence[Item], taken: set[str], cand: np.ndarray, scores: np.ndarray
) -> list[Proposal]:
    """1-0 proposals for the source sentences no link took, with ``best_score`` (the best
    candidate's score) and ``no_counterpart``: the chance that none of its candidates is its
    counterpart, prod(1 - p) (several plausible ones at 0.3 leave ~0.3, not 1 - best = 0.7)."""
    best_score = np.zeros(len(src))
    np.maximum.at(best_score, cand[:, 0], scores)
    log_none = np.zeros(len(src))
    np.add.at(log_none, cand[:, 0], np.log1p(-np.minimum(scores, 1 - 1e-9)))
    return [
        Proposal(
            [item.id],
            [],
            0.0,
            {
                "best_score": round(float(best_score[n]), 4),
                "no_counterpart": round(float(np.exp(log_none[n])), 4),
            },
        )
        for n, item in enumerate(src)
        if item.id not in taken
    ]


def _unread(semantic: EncoderSignal | None, items: Sequence[Item]) -> dict[str, str]:
    """Documents (id -> language) the encoder was not trained on: scored without it."""
    if semantic is None:
        return {}
    languages = set(semantic.unsupported)
    return {item.doc: item.lang for item in items if item.lang in languages}


def _add_bleu(links: Sequence[Proposal], src: Sequence[Item], tgt: Sequence[Item]) -> None:
    """Sentence BLEU (sacrebleu, 0..1) of each MT-scored link's MT against its English, saved
    as the feature ``bleu`` for the reviewer. The score itself rests on chrF: on the dev
    sets' near misses BLEU separates true pairs no better (bench/similarity_auc.py), and
    mixing a word-level term into the similarity lowered alignment F1 (docs/benchmarks.md)."""
    from workbench.align.chrf import bleu_pairs

    by_id = {item.id: item for item in [*src, *tgt]}
    chosen = [p for p in links if p.features.get("mt")]
    if not chosen:
        return
    hyps = [" ".join(by_id[i].mt or "" for i in p.src) for p in chosen]
    refs = [" ".join(by_id[j].text for j in p.tgt) for p in chosen]
    for p, value in zip(chosen, bleu_pairs(hyps, refs), strict=True):
        p.features["bleu"] = round(float(value) / 100.0, 4)


def _similarity(proposal: Proposal) -> tuple[float, bool]:
    """The similarity a link's extent is judged on, and whether it is the encoder's: the
    cosine of the embeddings (a merge embeds the concatenation) when the encoder reads both
    sides, else chrF with MT or the surface overlap without."""
    features = proposal.features
    if "enc_cos" in features:
        return features["enc_cos"], True
    return (features["chrf"] if features.get("mt") else features.get("surface", 0.0)), False


def _added(group: tuple[tuple[int, ...], tuple[int, ...]], i: int, j: int) -> list[int]:
    """The sentence a merge option adds to link (i, j)."""
    src_side, tgt_side = group
    return (
        [n for n in src_side if n != i] if len(src_side) == 2 else [n for n in tgt_side if n != j]
    )


def _merge_options(links, src, tgt, taken_src, taken_tgt, forbidden):
    """(link number, merged group, (side, added index)) for every free adjacent sentence."""
    options: list[tuple[int, tuple[tuple[int, ...], tuple[int, ...]], tuple[str, int]]] = []
    for k, (i, j, _) in enumerate(links):
        for n in _neighbours(src, i):
            if n not in taken_src:
                options.append((k, ((i, n) if n > i else (n, i), (j,)), ("src", n)))
        for n in _neighbours(tgt, j):
            if n not in taken_tgt:
                options.append((k, ((i,), (j, n) if n > j else (n, j)), ("tgt", n)))
    return [
        o
        for o in options
        if (tuple(src[a].id for a in o[1][0]), tuple(tgt[b].id for b in o[1][1])) not in forbidden
    ]


def _merge(links, src, tgt, scorer, config, linked_tgt, forbidden):
    """Grow links into 2-1 / 1-2 with a free adjacent sentence when the group scores higher.

    The added sentence alone must be a plausible part of the other side (``merge_part``);
    only those options are scored as groups (with the encoder: their concatenation is
    embedded), in one batch; they are then taken greedily, best link first, skipping a
    sentence another merge has taken meanwhile.
    """
    taken_src = {i for i, _, _ in links}
    taken_tgt = set(linked_tgt)
    options = _merge_options(links, src, tgt, taken_src, taken_tgt, forbidden)
    parts = [
        ((n,), (links[k][1],)) if side == "src" else ((links[k][0],), (n,))
        for k, _, (side, n) in options
    ]
    part_scores = [p.score for p in scorer.score_groups(parts)]
    options = [o for o, p in zip(options, part_scores, strict=True) if p >= config.merge_part]
    scored = scorer.score_groups([group for _, group, _ in options])
    by_link: dict[int, list[int]] = {}
    for o, (k, _, _) in enumerate(options):
        by_link.setdefault(k, []).append(o)
    out = []
    for k, (i, j, proposal) in enumerate(links):
        best, best_added = proposal, None
        for o in by_link.get(k, []):
            side, n = options[o][2]
            if n in (taken_src if side == "src" else taken_tgt):
                continue
            # the raw similarity must grow (the calibrated score saturates near 1)
            new, enc_new = _similarity(scored[o])
            old, enc_old = _similarity(best)
            gain = config.encoder_merge_gain if enc_new and enc_old else config.merge_gain
            if scored[o].score >= config.threshold and enc_new == enc_old and new > old + gain:
                best, best_added = scored[o], (side, n)
        if best_added is not None:
            (taken_src if best_added[0] == "src" else taken_tgt).add(best_added[1])
        out.append((i, j, best))
    return out


def align_lines(
    src: Sequence[str],
    mt: Sequence[str] | None,
    tgt: Sequence[str],
    config: MiningConfig | None = None,
    src_lang: str | None = None,
    tgt_lang: str = "en",
    encoder: TextEncoder | None = None,
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], list[float], list[dict[str, float]]]:
    """Comparable mode over two pre-split files (``workbench align-pair --mode comparable``);
    ``encoder``: the sentence encoder (a ``CachedEncoder``, e.g. ``corpus_align.open_encoder``).

    Returns beads (0-based line numbers; mined links, then 1-0 and 0-1 for the lines left
    alone), one score per bead (0 for 1-0 / 0-1) and the features of each bead.
    """
    if src_lang is None:
        from workbench.corpus.langid import detect_language

        src_lang = detect_language(" ".join(src[:200])) if src else "en"
    mt_lines = list(mt) if mt is not None else [None] * len(src)
    # the two files are paired by the user: one "edition"
    src_items = [
        Item(f"s:{n}", "s", n, text, src_lang, mt_lines[n], 0) for n, text in enumerate(src)
    ]
    tgt_items = [Item(f"t:{n}", "t", n, text, tgt_lang, None, 0) for n, text in enumerate(tgt)]
    result = mine(src_items, tgt_items, config, encoder=encoder)

    def index(ids: list[str]) -> tuple[int, ...]:
        return tuple(int(i.split(":")[1]) for i in ids)

    beads = [((index(p.src), index(p.tgt)), p.score, p.features) for p in result.links]
    used_tgt = {j for (_, t), _, _ in beads for j in t}
    beads += [((index(p.src), ()), 0.0, p.features) for p in result.unmatched]
    beads += [(((), (j,)), 0.0, {}) for j in range(len(tgt)) if j not in used_tgt]
    beads.sort(key=lambda b: (min(b[0][0], default=float("inf")), min(b[0][1], default=-1)))
    return [b[0] for b in beads], [b[1] for b in beads], [b[2] for b in beads]
