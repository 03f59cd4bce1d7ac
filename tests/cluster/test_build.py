"""The clusterer: consistency (each document once, adjacent runs only), constraints, bound."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.align.anchors import sentence_anchors
from workbench.align.cluster.build import ClusterConfig, DocView, build_clusters, doc_pairs, margins

DIM = 32


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def view(doc: str, lang: str, edition: int, vectors: np.ndarray) -> DocView:
    n = len(vectors)
    texts = [f"sentence {i}" for i in range(n)]
    return DocView(
        id=doc,
        lang=lang,
        edition=edition,
        ids=[f"{doc}:{i}" for i in range(n)],
        vectors=unit(np.asarray(vectors, dtype=np.float32)),
        anchors=[sentence_anchors(t, lang) for t in texts],
        texts=texts,
    )


def planted(seed: int = 0, statements: int = 8, docs: int = 3, noise: float = 0.25):
    """``docs`` documents, each a shuffled noisy copy of the same ``statements`` vectors."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(statements, DIM))
    views, truth = [], {}
    for d in range(docs):
        order = rng.permutation(statements)
        vectors = base[order] + noise * rng.normal(size=(statements, DIM))
        name = f"d{d}"
        views.append(view(name, ["en", "fr", "th"][d % 3], 2021 + d, vectors))
        for i, s in enumerate(order):
            truth[f"{name}:{i}"] = int(s)
    return views, truth


def config(**overrides) -> ClusterConfig:
    return ClusterConfig.from_settings(**overrides)


def test_planted_statements_come_out_whole() -> None:
    views, truth = planted()
    clusters = build_clusters(views, config())
    assert len(clusters) == 8
    for cluster in clusters:
        ids = [s for m in cluster.members for s in m.ids]
        assert len(ids) == 3
        assert len({truth[s] for s in ids}) == 1
        assert all(0.0 <= m.score <= 1.0 for m in cluster.members)


def test_cannot_link_keeps_two_sentences_apart_and_must_link_joins() -> None:
    views, truth = planted()
    a = next(s for s in truth if s.startswith("d0") and truth[s] == 0)
    b = next(s for s in truth if s.startswith("d1") and truth[s] == 0)
    c = next(s for s in truth if s.startswith("d2") and truth[s] == 5)
    clusters = build_clusters(views, config(), cannot_link=[(a, b)], must_link=[[a, c]])
    owner = {s: i for i, cl in enumerate(clusters) for m in cl.members for s in m.ids}
    assert owner.get(a) != owner.get(b) or a not in owner
    assert owner[a] == owner[c]


def test_frozen_sentences_are_left_out() -> None:
    views, truth = planted()
    frozen = [s for s in truth if truth[s] == 3]
    clusters = build_clusters(views, config(), frozen=frozen)
    clustered = {s for cl in clusters for m in cl.members for s in m.ids}
    assert clustered.isdisjoint(frozen)
    assert len(clusters) == 7


def test_a_statement_split_over_two_adjacent_sentences_is_one_member() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=(4, DIM))
    halves = base[1] + 0.3 * rng.normal(size=(2, DIM))  # d1 says statement 1 in two sentences
    d0 = view("d0", "fr", 2022, base)
    d1 = view("d1", "en", 2022, np.vstack([base[0], halves, base[2], base[3]]))
    # the merged-member rule of the cut, on the margin evidence (its thresholds set here)
    margin = {"evidence": "margin", "edge_threshold": 1.0, "link_threshold": 1.0}
    clusters = build_clusters([d0, d1], config(max_member_sentences=2, **margin))
    found = sorted([m.ids for m in cl.members] for cl in clusters)
    assert found == [
        [["d0:0"], ["d1:0"]],
        [["d0:1"], ["d1:1", "d1:2"]],
        [["d0:2"], ["d1:3"]],
        [["d0:3"], ["d1:4"]],
    ]
    # with runs of one sentence only, the second half stays out
    single = build_clusters([d0, d1], config(max_member_sentences=1, **margin))
    assert all(len(m.ids) == 1 for cl in single for m in cl.members)


def test_document_pairs_are_bounded() -> None:
    rng = np.random.default_rng(1)
    views = [view(f"d{i}", "en", 2020, rng.normal(size=(5, DIM))) for i in range(30)]
    pairs = doc_pairs(views, limit=4)
    assert len(pairs) <= 30 * 4
    assert all(sum(i in p for p in pairs) >= 4 for i in range(30))  # each has its neighbours
    assert len(doc_pairs(views[:5], limit=4)) == 10  # small corpora: every pair


def test_margin_is_one_for_a_flat_matrix() -> None:
    assert np.allclose(margins(np.full((3, 4), 0.5, dtype=np.float32), k=2), 1.0)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sizes=st.lists(st.integers(1, 7), min_size=2, max_size=5),
    limit=st.integers(1, 3),
)
def test_clusters_are_always_consistent(seed: int, sizes: list[int], limit: int) -> None:
    """Any vectors: every sentence in at most one cluster; a document in a cluster at most
    once, as a run of at most max_member_sentences adjacent sentences; >= 2 documents."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(4, DIM))
    views = [
        view(
            f"d{d}",
            "en",
            2020 + d % 2,
            base[rng.integers(0, 4, n)] + 0.3 * rng.normal(size=(n, DIM)),
        )
        for d, n in enumerate(sizes)
    ]
    cfg = config(edge_threshold=0.9, link_threshold=0.9, max_member_sentences=limit)
    clusters = build_clusters(views, cfg)
    seen: set[str] = set()
    for cluster in clusters:
        docs = [m.doc for m in cluster.members]
        assert len(docs) == len(set(docs)) >= 2
        for member in cluster.members:
            index = [int(s.rpartition(":")[2]) for s in member.ids]
            assert len(index) <= limit and index == list(range(index[0], index[0] + len(index)))
            assert seen.isdisjoint(member.ids)
            seen.update(member.ids)
