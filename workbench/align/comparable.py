"""Comparable mode: order-free mining of statement pairs across all source and English documents.

Steps (BUCC-style margin mining, extended to 2-1 / 1-2 links):

1. **Candidates.** Every sentence becomes a sparse vector: TF-IDF of character 4-grams of its
   English side (the MT of a source sentence when there is one, else its own text) plus,
   in a second block, TF-IDF of its anchor tokens (numbers, dates, Latin names). Cosine
   similarities come from chunked sparse matrix products; each sentence keeps its top-k
   neighbours on the other side (no all-pairs Python loop).
2. **Margin.** ``margin(x, y) = cos(x, y) / ((knn(x) + knn(y)) / 2)`` with ``knn`` the mean
   cosine of the k nearest neighbours (the ratio margin of LASER on BUCC). A shared
   edition multiplies the cosine by ``1 + edition_prior``: a prior, not a wall.
3. **Selection.** Mutual best pairs by margin, in rounds (a sentence whose partner was taken
   competes again among what is left), each pair then scored (4) and kept above the threshold.
4. **Score.** One calibrated score in [0, 1]: a logistic function of the features saved on
   the link (chrF of the MT against the English, margin, cosine, anchor agreement, length,
   edition). Without MT, chrF is replaced by the character overlap of the original text
   with the English (meaningful for French cognates, nearly zero for Thai) and the weights
   lean on the anchors.
5. **Merge.** A link grows into 2-1 or 1-2 with an adjacent free sentence of the same
   document when the concatenation scores higher than the single sentence.

Sentences left without a partner are returned as ``unmatched`` (the corpus aligner writes
them as 1-0 links so the reviewer sees them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from workbench.align.anchors import (
    SentenceAnchors,
    anchor_features,
    anchor_tokens,
    merge_anchors,
    sentence_anchors,
)
from workbench.align.discrepancy import find_discrepancies
from workbench.store.model import Flag

NGRAM = 4

# Logistic weights (hand-set, then checked on the seed gold; see README "Comparable mode").
# score = sigmoid(bias + sum(weight * feature)); every feature is in [0, 1] except margin.
WEIGHTS_MT: dict[str, float] = {
    "bias": -6.0,
    "chrf": 9.0,
    "margin": 1.5,
    "numbers": 1.5,
    "dates": 0.5,
    "names": 1.0,
    "length": 1.0,
    "anchor_conflict": -0.5,
    "same_edition": 0.5,
}
WEIGHTS_NO_MT: dict[str, float] = {
    "bias": -6.0,
    "surface": 5.0,
    "margin": 2.0,
    "numbers": 3.0,
    "dates": 1.0,
    "names": 2.5,
    "length": 1.0,
    "anchor_conflict": -0.5,
    "same_edition": 0.5,
}


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
    edition_prior: float = 0.1  # cosine bonus for a shared edition (0: none)
    anchor_weight: float = 0.3  # share of the anchor block in the candidate cosine
    merge: bool = True  # try 2-1 / 1-2 links
    merge_gain: float = 0.02  # a merged link must score this much higher
    rounds: int = 3  # mutual-best rounds
    max_df: float = 0.05  # drop n-grams in more than this share of sentences (above 2,000)
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


# --- similarity backends -------------------------------------------------------------------


def chrf_scores(hyps: Sequence[str], refs: Sequence[str]) -> np.ndarray:
    """Sentence chrF (0..1) of each pair: the vectorised chrF, else sacrebleu pair by pair."""
    if not hyps:
        return np.zeros(0)
    try:
        from workbench.align.chrf import chrf_pairs
    except ImportError:  # pragma: no cover - the vectorised chrF ships with workbench
        from sacrebleu import sentence_chrf

        return (
            np.array([sentence_chrf(h, [r]).score for h, r in zip(hyps, refs, strict=True)]) / 100
        )
    return np.asarray(chrf_pairs(list(hyps), list(refs))) / 100.0


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
    padded = [" " + " ".join(t.lower().split()) + " " for t in texts]
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    codes = np.minimum(codes, 0xFFFF).astype(np.uint64)
    total = len(codes)
    positions = max(total - n + 1, 0)
    keys = np.zeros(positions, dtype=np.uint64)
    for offset in range(n):
        keys = (keys << np.uint64(16)) | codes[offset : offset + positions]
    ends = np.cumsum(lengths)
    row_of = np.repeat(np.arange(len(padded)), lengths)[:positions]
    valid = np.arange(positions) + n <= ends[row_of]
    keys, rows = keys[valid], row_of[valid]
    if len(keys) == 0:
        return sp.csr_matrix((len(padded), 1), dtype=np.float32)
    _, cols = np.unique(keys, return_inverse=True)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols.ravel())), shape=(len(padded), int(cols.max()) + 1))


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
    texts: Sequence[str], anchors: Sequence[SentenceAnchors], config: MiningConfig
) -> sp.csr_matrix:
    """Candidate vectors: [sqrt(1-w) * char 4-gram TF-IDF, sqrt(w) * anchor TF-IDF]."""
    chars = _tfidf(char_ngram_counts(texts), config.max_df)
    marks = _tfidf(token_counts([anchor_tokens(a) for a in anchors]), 1.0)
    w = config.anchor_weight
    return sp.csr_matrix(sp.hstack([chars * math.sqrt(1 - w), marks * math.sqrt(w)]).tocsr())


def top_k(
    left: sp.csr_matrix,
    right: sp.csr_matrix,
    k: int,
    chunk: int,
    bonus: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``left``: indices and similarities of its k best rows of ``right``."""
    k = max(1, min(k, right.shape[0]))
    right_t = right.T.tocsr()
    n = left.shape[0]
    best_idx = np.zeros((n, k), dtype=np.int64)
    best_sim = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        block = np.asarray((left[start : start + chunk] @ right_t).toarray(), dtype=np.float32)
        if bonus is not None:
            left_ed, right_ed, prior = bonus
            same = (left_ed[start : start + chunk, None] == right_ed[None, :]) & (
                right_ed[None, :] >= 0
            )
            block *= 1.0 + prior * same
        if k < block.shape[1]:
            idx = np.argpartition(-block, k - 1, axis=1)[:, :k]
        else:
            idx = np.tile(np.arange(block.shape[1]), (block.shape[0], 1))
        sims = np.take_along_axis(block, idx, axis=1)
        order = np.argsort(-sims, axis=1, kind="stable")
        best_idx[start : start + len(block)] = np.take_along_axis(idx, order, axis=1)
        best_sim[start : start + len(block)] = np.take_along_axis(sims, order, axis=1)
    return best_idx, best_sim


# --- scoring ------------------------------------------------------------------------------------


def calibrated(features: dict[str, float], weights: dict[str, float]) -> float:
    z = weights["bias"] + sum(
        w * features.get(name, 0.0) for name, w in weights.items() if name != "bias"
    )
    return 1.0 / (1.0 + math.exp(-z))


class Scorer:
    """Scores groups of source and English items: features, calibrated score and flags."""

    def __init__(
        self, src, tgt, vectors_src, vectors_tgt, knn_src, knn_tgt, anchors_src, anchors_tgt
    ):
        self.src, self.tgt = src, tgt
        self.src_anchors, self.tgt_anchors = anchors_src, anchors_tgt
        self.vs, self.vt = vectors_src, vectors_tgt
        self.knn_src, self.knn_tgt = knn_src, knn_tgt

    def score_groups(
        self, groups: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]
    ) -> list[Proposal]:
        """Score (source indices, English indices) groups of consecutive sentences."""
        if not groups:
            return []
        src_text = [" ".join(self._english_side(i) for i in s) for s, _ in groups]
        raw_text = [" ".join(self.src[i].text for i in s) for s, _ in groups]
        tgt_text = [" ".join(self.tgt[j].text for j in t) for _, t in groups]
        has_mt = [all(self.src[i].mt is not None for i in s) for s, _ in groups]
        chrf = chrf_scores(src_text, tgt_text)
        surface = chrf_scores(raw_text, tgt_text)
        proposals = []
        for g, (s, t) in enumerate(groups):
            vs = self.vs[list(s)].sum(axis=0)
            vt = self.vt[list(t)].sum(axis=0)
            vs = np.asarray(vs).ravel()
            vt = np.asarray(vt).ravel()
            denominator = float(np.linalg.norm(vs) * np.linalg.norm(vt)) or 1.0
            cosine = float(vs @ vt) / denominator
            knn = (
                float(np.mean(self.knn_src[list(s)])) + float(np.mean(self.knn_tgt[list(t)]))
            ) / 2
            margin = cosine / knn if knn > 0 else 0.0
            a_src = merge_anchors([self.src_anchors[i] for i in s])
            a_tgt = merge_anchors([self.tgt_anchors[j] for j in t])
            features = anchor_features(a_src, a_tgt)
            if has_mt[g]:
                mt_len = len(src_text[g])
                features["length"] = min(mt_len, len(tgt_text[g])) / max(
                    mt_len, len(tgt_text[g]), 1
                )
            editions = {self.src[i].edition for i in s} | {self.tgt[j].edition for j in t}
            features.update(
                cosine=round(cosine, 4),
                margin=round(min(margin, 3.0), 4),
                surface=round(float(surface[g]), 4),
                same_edition=1.0 if len(editions) == 1 and None not in editions else 0.0,
                mt=1.0 if has_mt[g] else 0.0,
            )
            if has_mt[g]:
                features["chrf"] = round(float(chrf[g]), 4)
            weights = WEIGHTS_MT if has_mt[g] else WEIGHTS_NO_MT
            features = {key: round(float(value), 4) for key, value in features.items()}
            score = calibrated(features, weights)
            proposals.append(
                Proposal(
                    src=[self.src[i].id for i in s],
                    tgt=[self.tgt[j].id for j in t],
                    score=round(score, 4),
                    features=features,
                    flags=find_discrepancies(a_src, a_tgt),
                )
            )
        return proposals

    def _english_side(self, i: int) -> str:
        item = self.src[i]
        return item.mt if item.mt is not None else item.text


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


def mine(
    src: Sequence[Item],
    tgt: Sequence[Item],
    config: MiningConfig | None = None,
    forbidden: set[tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
) -> MiningResult:
    """Mine links between source items and English items (both in document order).

    ``forbidden`` holds (source ids, English ids) pairs that must not be proposed again
    (links a reviewer rejected).
    """
    config = config or MiningConfig()
    forbidden = forbidden or set()
    with_mt = any(i.mt is not None for i in src)
    if not src or not tgt:
        unmatched = [Proposal([i.id], [], 0.0, {"best_score": 0.0}) for i in src]
        return MiningResult([], unmatched, with_mt, {"candidates": 0})
    texts = [i.mt if i.mt is not None else i.text for i in src] + [i.text for i in tgt]
    anchors = [sentence_anchors(i.text, i.lang) for i in (*src, *tgt)]
    vectors = sentence_vectors(texts, anchors, config)
    vs, vt = vectors[: len(src)], vectors[len(src) :]
    ed_src = np.array([i.edition if i.edition is not None else -1 for i in src])
    ed_tgt = np.array([i.edition if i.edition is not None else -2 for i in tgt])
    fwd_idx, fwd_sim = top_k(vs, vt, config.k, config.chunk, (ed_src, ed_tgt, config.edition_prior))
    bwd_idx, bwd_sim = top_k(vt, vs, config.k, config.chunk, (ed_tgt, ed_src, config.edition_prior))
    knn_src = fwd_sim.mean(axis=1)
    knn_tgt = bwd_sim.mean(axis=1)

    # candidate pairs: forward and backward neighbours, with their margins
    pairs: dict[tuple[int, int], float] = {}
    for i in range(len(src)):
        for j, sim in zip(fwd_idx[i], fwd_sim[i], strict=True):
            pairs[(i, int(j))] = float(sim)
    for j in range(len(tgt)):
        for i, sim in zip(bwd_idx[j], bwd_sim[j], strict=True):
            pairs[(int(i), j)] = float(sim)
    cand = np.array(list(pairs.keys()), dtype=np.int64).reshape(-1, 2)
    sims = np.array(list(pairs.values()), dtype=np.float64)
    margins = sims / np.maximum((knn_src[cand[:, 0]] + knn_tgt[cand[:, 1]]) / 2, 1e-9)

    scorer = Scorer(src, tgt, vs, vt, knn_src, knn_tgt, anchors[: len(src)], anchors[len(src) :])

    # mutual-best rounds
    linked_src: dict[int, Proposal] = {}
    linked_tgt: set[int] = set()
    rejected_pairs: set[tuple[int, int]] = set()
    best_seen: dict[int, Proposal] = {}
    for _ in range(config.rounds):
        live = np.array(
            [
                p
                for p, (i, j) in enumerate(cand)
                if i not in linked_src and j not in linked_tgt and (i, j) not in rejected_pairs
            ],
            dtype=np.int64,
        )
        if len(live) == 0:
            break
        sub, sub_m = cand[live], margins[live]
        order = np.lexsort((-sub_m,))
        best_for_src: dict[int, int] = {}
        best_for_tgt: dict[int, int] = {}
        for p in order:
            i, j = int(sub[p, 0]), int(sub[p, 1])
            best_for_src.setdefault(i, j)
            best_for_tgt.setdefault(j, i)
        mutual = [(i, j) for i, j in best_for_src.items() if best_for_tgt.get(j) == i]
        mutual = [(i, j) for i, j in mutual if ((src[i].id,), (tgt[j].id,)) not in forbidden]
        if not mutual:
            break
        scored = scorer.score_groups([((i,), (j,)) for i, j in mutual])
        for (i, j), proposal in zip(mutual, scored, strict=True):
            if i not in best_seen or proposal.score > best_seen[i].score:
                best_seen[i] = proposal
            if proposal.score >= config.threshold:
                linked_src[i] = proposal
                linked_tgt.add(j)
            else:
                rejected_pairs.add((i, j))

    links = sorted(linked_src.items(), key=lambda kv: -kv[1].score)
    index_src = {item.id: n for n, item in enumerate(src)}
    index_tgt = {item.id: n for n, item in enumerate(tgt)}
    if config.merge:
        links = _merge(links, src, tgt, index_src, index_tgt, scorer, config, linked_tgt, forbidden)
    taken = {sid for _, p in links for sid in p.src}
    unmatched = []
    for n, item in enumerate(src):
        if item.id not in taken:
            best = best_seen.get(n)
            unmatched.append(
                Proposal([item.id], [], 0.0, {"best_score": best.score if best else 0.0})
            )
    result_links = sorted((p for _, p in links), key=lambda p: index_src[p.src[0]])
    stats = {"candidates": float(len(cand)), "links": float(len(result_links))}
    return MiningResult(result_links, unmatched, with_mt, stats)


def _merge(links, src, tgt, index_src, index_tgt, scorer, config, linked_tgt, forbidden):
    """Grow links into 2-1 / 1-2 with a free adjacent sentence when the group scores higher."""
    taken_src = {i for i, _ in links}
    taken_tgt = set(linked_tgt)
    out = []
    for i, proposal in links:
        j = index_tgt[proposal.tgt[0]]
        options = [
            ((i, n) if n > i else (n, i), (j,)) for n in _neighbours(src, i) if n not in taken_src
        ]
        options += [
            ((i,), (j, n) if n > j else (n, j)) for n in _neighbours(tgt, j) if n not in taken_tgt
        ]
        options = [
            o
            for o in options
            if (tuple(src[a].id for a in o[0]), tuple(tgt[b].id for b in o[1])) not in forbidden
        ]
        best = proposal
        best_group = None
        for group, scored in zip(options, scorer.score_groups(options), strict=True):
            if scored.score > best.score + config.merge_gain:
                best, best_group = scored, group
        if best_group is not None:
            taken_src.update(best_group[0])
            taken_tgt.update(best_group[1])
        out.append((i, best))
    return out
