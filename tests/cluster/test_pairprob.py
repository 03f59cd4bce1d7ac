"""The calibrated pair evidence: the comparable scorer per document pair, English<->English
included, and cross-edition conflicts."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.align.anchors import sentence_anchors
from workbench.align.cluster.build import ClusterConfig, DocView, build_clusters, make_evidence
from workbench.align.cluster.pairprob import ProbEvidence

DIM = 32

EN_2021 = [
    "The 2021 World IoT Expo opened in Wuxi on October 23.",
    "Industry elites from around the world gathered to discuss the future.",
    "The city has a population of several million people.",
]
EN_2022 = [
    "The 2022 World IoT Expo opened in Wuxi on October 26.",
    "Industry elites from around the world gathered to discuss the future.",
    "Weather in the region was mild throughout the week.",
]
FR_2022 = [
    "L'exposition mondiale de l'IoT 2022 s'est ouverte à Wuxi le 26 octobre.",
    "Des élites de l'industrie du monde entier se sont réunies pour discuter de l'avenir.",
    "Le musée local présente une collection de porcelaine.",
]


def views(seed: int = 0) -> list[DocView]:
    """Sentence i of every document states planted statement i, except the last ones."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(2, DIM))
    out = []
    for doc, lang, edition, texts in (
        ("en-2021", "en", 2021, EN_2021),
        ("en-2022", "en", 2022, EN_2022),
        ("fr-2022", "fr", 2022, FR_2022),
    ):
        noise = np.array([[0.6], [0.2]]) * rng.normal(size=(2, DIM))  # statement 0: looser
        vectors = np.vstack([base + noise, rng.normal(size=(1, DIM))])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        out.append(
            DocView(
                doc,
                lang,
                edition,
                [f"{doc}:{i}" for i in range(3)],
                vectors.astype(np.float32),
                [sentence_anchors(t, lang) for t in texts],
                english=list(texts) if lang == "en" else [],
                texts=list(texts),
            )
        )
    return out


def config(**overrides) -> ClusterConfig:
    return ClusterConfig.from_settings(**{"min_cosine": 0.0, **overrides})


def test_probabilities_for_every_language_pair_english_english_included() -> None:
    docs = views()
    evidence = make_evidence(docs, config())
    assert isinstance(evidence, ProbEvidence)
    assert set(evidence.margin) == {(0, 1), (0, 2), (1, 2)}
    for matrix in evidence.margin.values():
        assert ((matrix >= 0.0) & (matrix <= 1.0)).all()
    en_en = evidence.margin[(0, 1)]
    assert en_en[1, 1] > 0.5  # the same English sentence in two editions
    assert en_en[1, 1] > en_en[1, 2] and en_en[1, 1] > en_en[2, 1]
    fr_en = evidence.margin[(1, 2)]  # English 2022 x French 2022
    assert fr_en[1, 1] > fr_en[1, 2]


def test_a_year_conflict_across_editions_counts_only_when_asked() -> None:
    docs = views()
    forgiving = make_evidence(docs, config(edition_conflicts=False)).margin[(0, 1)][0, 0]
    strict = make_evidence(docs, config(edition_conflicts=True)).margin[(0, 1)][0, 0]
    assert forgiving > strict  # "the 2021 Expo opened" vs "the 2022 Expo opened"
    # within one edition nothing changes
    same_a = make_evidence(docs, config(edition_conflicts=False)).margin[(1, 2)]
    same_b = make_evidence(docs, config(edition_conflicts=True)).margin[(1, 2)]
    assert np.allclose(same_a, same_b)


def test_calibrated_clusters_keep_unrelated_sentences_out() -> None:
    clusters = build_clusters(views(), config())
    groups = sorted(sorted(s for m in c.members for s in m.ids) for c in clusters)
    assert ["en-2021:1", "en-2022:1", "fr-2022:1"] in groups
    clustered = {s for g in groups for s in g}
    assert clustered.isdisjoint({"en-2021:2", "en-2022:2", "fr-2022:2"})
    for cluster in clusters:
        assert all(0.0 <= m.score <= 1.0 for m in cluster.members)


def padded(docs: list[DocView], extra: int = 4, seed: int = 1) -> list[DocView]:
    """``docs`` with ``extra`` unrelated sentences each (more rows than the margins' k)."""
    rng = np.random.default_rng(seed)
    out = []
    for view in docs:
        texts = view.texts + [
            f"Remark {n} of {view.id} about something else." for n in range(extra)
        ]
        vectors = np.vstack([view.vectors, rng.normal(size=(extra, DIM))]).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        out.append(
            DocView(
                view.id,
                view.lang,
                view.edition,
                [f"{view.id}:{i}" for i in range(len(texts))],
                vectors,
                [sentence_anchors(t, view.lang) for t in texts],
                english=list(texts) if view.lang == "en" else [],
                texts=texts,
            )
        )
    return out


def test_margin_neighbours_are_bounded_by_the_compared_documents() -> None:
    """Every pair compared: the bounded search is the pool-wide one. A document outside a
    document's neighbourhood does not change that document's margin denominators."""
    from workbench.align.cluster.build import doc_pairs
    from workbench.align.cluster.pairprob import PoolScorer

    docs = padded(views())
    pool_wide = PoolScorer(docs)._neighbours("en", "en")
    bounded = PoolScorer(docs, compared=doc_pairs(docs, 40))._neighbours("en", "en")
    for wide, near in zip(pool_wide, bounded, strict=True):
        assert np.allclose(wide, near, atol=1e-5)
    # by hand: each English sentence's 4 nearest encoder rows in the other English document
    (en21, en22) = (d.vectors for d in docs[:2])
    reference = np.sort(en21 @ en22.T, axis=1)[:, -4:].mean(axis=1)
    assert np.allclose(bounded[1][: len(en21)], reference, atol=1e-5)

    # en-2021 -- en-2022 -- a third English document: en-2021's neighbours are en-2022's
    # rows only, whatever the third document holds; pool-wide they are not
    def third(seed: int) -> DocView:
        base = padded(views(), seed=seed)[1]
        rng = np.random.default_rng(seed)
        vectors = rng.normal(size=base.vectors.shape)
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        ids = [f"en-2023:{i}" for i in range(len(base.ids))]
        return DocView(
            "en-2023", "en", 2023, ids, vectors, base.anchors, base.english, texts=base.texts
        )

    rows = len(docs[0].ids)
    chain = [(0, 1), (1, 2)]
    one = PoolScorer([*docs[:2], third(3)], compared=chain)._neighbours("en", "en")
    two = PoolScorer([*docs[:2], third(4)], compared=chain)._neighbours("en", "en")
    assert np.allclose(one[1][:rows], two[1][:rows])  # en-2021 (source rows): unchanged
    assert not np.allclose(one[1][rows : 2 * rows], two[1][rows : 2 * rows])  # en-2022 moved
    wide_one = PoolScorer([*docs[:2], third(3)])._neighbours("en", "en")
    wide_two = PoolScorer([*docs[:2], third(4)])._neighbours("en", "en")
    assert not np.allclose(wide_one[1][:rows], wide_two[1][:rows])  # pool-wide: it moves


def test_a_pair_against_the_order_of_one_edition_is_vetoed() -> None:
    from workbench.align.cluster.pairprob import order_veto

    matrix = np.zeros((6, 6), dtype=np.float32)
    for i in (1, 2, 3, 4):
        matrix[i, i] = 0.95  # the backbone: the two articles keep their source's order
    matrix[0, 5] = 0.7  # the first sentence with the last: crosses all four
    matrix[5, 4] = 0.6  # a neighbour of the backbone: crosses none
    matrix[4, 1] = 0.5  # crosses two (2, 2) and (3, 3)
    assert order_veto(matrix, backbone=0.9, limit=3) == 1
    assert matrix[0, 5] == 0.0 and matrix[5, 4] == 0.6 and matrix[4, 1] == 0.5
    assert order_veto(matrix, backbone=0.9, limit=2) == 1 and matrix[4, 1] == 0.0
    assert order_veto(matrix.copy(), backbone=0.9, limit=0) == 0  # off


def test_the_order_veto_applies_within_one_edition_only() -> None:
    """The same crafted scores stored for a document pair of one edition (vetoed) and of
    two editions (a restatement may come anywhere in another year's article: kept)."""
    pairs = np.array([[1, 1], [2, 2], [3, 3], [4, 4], [0, 5]])
    probs = np.array([0.95, 0.95, 0.95, 0.95, 0.7], dtype=np.float32)
    kept = {}
    for editions in ((2022, 2022), (2021, 2022)):
        docs = padded(views())[:2]
        docs[0].edition, docs[1].edition = editions
        evidence = make_evidence(docs, config(order_crossings=3))
        evidence._store(0, 1, pairs, probs)
        kept[editions] = float(evidence.margin[(0, 1)][0, 5])
    assert kept == {(2022, 2022): 0.0, (2021, 2022): pytest.approx(0.7)}
