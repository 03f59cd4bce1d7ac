"""The calibrated pair evidence: the comparable scorer per document pair, English<->English
included, and cross-edition conflicts."""

from __future__ import annotations

import numpy as np

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
