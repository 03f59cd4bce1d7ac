"""Article order and merge adjacency (issue 12 items 1, 2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.store.model import Alignment, Link
from workbench.store.ops import OpError, Stamp, merge, sort_in_article_order
from workbench.store.order import article_order, in_article_order, sentence_position

SRC_DOCS, TGT_DOCS = ["fr-b", "fr-a"], ["en-x", "en-y"]
STAMP = Stamp("ana", "2026-01-01T00:00:00+00:00")

sides = st.lists(
    st.tuples(st.sampled_from(SRC_DOCS), st.integers(0, 30)), max_size=2, unique=True
).map(lambda ids: [f"{d}:{n}" for d, n in ids])
targets = st.lists(
    st.tuples(st.sampled_from(TGT_DOCS), st.integers(0, 30)), max_size=2, unique=True
).map(lambda ids: [f"{d}:{n}" for d, n in ids])
link_lists = st.lists(
    st.tuples(sides, targets).filter(lambda pair: pair[0] or pair[1]), max_size=25
).map(lambda pairs: [Link(f"L{n:05d}", src, tgt) for n, (src, tgt) in enumerate(pairs)])


@given(link_lists)
def test_article_order_is_a_stable_idempotent_permutation(links) -> None:
    ordered = article_order(links, SRC_DOCS, TGT_DOCS)
    assert sorted(link.id for link in ordered) == sorted(link.id for link in links)
    assert article_order(ordered, SRC_DOCS, TGT_DOCS) == ordered
    assert in_article_order(Alignment("fr", "en", SRC_DOCS, TGT_DOCS, links=ordered))
    with_src = [link for link in ordered if link.src]
    firsts = [
        min((SRC_DOCS.index(d), n) for d, n in map(sentence_position, link.src))
        for link in with_src
    ]
    assert firsts == sorted(firsts)  # by document (the file's order), then position
    assert ordered[len(with_src) :] == [link for link in ordered if not link.src]  # 0-1 last


@given(link_lists)
def test_sorting_is_one_undoable_step(links) -> None:
    alignment = Alignment("fr", "en", SRC_DOCS, TGT_DOCS, links=list(links))
    before = [link.id for link in alignment.links]
    transaction = sort_in_article_order(alignment)
    if transaction is None:
        assert in_article_order(alignment)
        return
    transaction.apply(alignment)
    assert in_article_order(alignment)
    transaction.revert(alignment)
    assert [link.id for link in alignment.links] == before


@pytest.mark.parametrize(
    ("first", "second", "ok"),
    [
        ((["fr-a:1"], ["en-x:4"]), (["fr-a:2"], ["en-x:5"]), True),
        ((["fr-a:1"], ["en-x:4"]), (["fr-a:2"], []), True),  # a 1-0 joins its neighbour
        ((["fr-a:1"], ["en-x:4"]), (["fr-a:3"], ["en-x:5"]), False),  # fr 2 is between
        ((["fr-a:1"], ["en-x:4"]), (["fr-a:2"], ["en-x:9"]), False),  # English not adjacent
        ((["fr-a:1"], ["en-x:4"]), (["fr-a:2"], ["en-y:5"]), False),  # two English documents
        ((["fr-a:1"], ["en-x:4"]), (["fr-b:2"], ["en-x:5"]), False),  # two source documents
    ],
)
def test_merge_joins_only_neighbouring_sentences(first, second, ok) -> None:
    links = [Link("L00001", *first), Link("L00002", *second)]
    alignment = Alignment("fr", "en", SRC_DOCS, TGT_DOCS, links=links)
    if ok:
        merged = merge(alignment, 0, STAMP).steps[0].new[0]
        assert merged.src == first[0] + second[0]
    else:
        with pytest.raises(
            OpError, match=r"not merged: .* \(m joins neighbouring sentences only\)"
        ):
            merge(alignment, 0, STAMP)
