"""Cluster review core: decisions, undo/redo, the journal (a killed session loses nothing),
and what a cluster decision means for the pairwise files."""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import WorkbenchError
from workbench.store.cluster_review import (
    ClusterReview,
    apply_links,
    implied_links,
    write_implied_links,
)
from workbench.store.clusters import (
    Cluster,
    ClusterSet,
    DocInfo,
    Member,
    load_clusters,
    save_clusters,
)
from workbench.store.files import load_alignment, save_alignment
from workbench.store.journal import journal_path
from workbench.store.model import Alignment, Link, Status

DOCS = {
    "th-2021-xinhua": DocInfo("th", 2021, 11),
    "en-2021-globaltimes": DocInfo("en", 2021, 23),
    "fr-2022-cnw": DocInfo("fr", 2022, 13),
    "en-2022-chinadaily": DocInfo("en", 2022, 51),
    "en-2023": DocInfo("en", 2023, 18),
}


def sample() -> ClusterSet:
    clusters = _sample()
    for cluster in clusters.clusters:
        cluster.created = "2026-01-01T00:00:00+00:00"
    return clusters


def _sample() -> ClusterSet:
    return ClusterSet(
        dict(DOCS),
        {"encoder": {"id": "x"}},
        [
            Cluster(
                "C0001",
                [
                    Member("th-2021-xinhua", ["th-2021-xinhua:3"], 0.7),
                    Member("en-2021-globaltimes", ["en-2021-globaltimes:2"], 0.8),
                    Member("fr-2022-cnw", ["fr-2022-cnw:1"], 0.6),
                    Member("en-2022-chinadaily", ["en-2022-chinadaily:1"], 0.9),
                ],
            ),
            Cluster(
                "C0002",
                [
                    Member("en-2022-chinadaily", ["en-2022-chinadaily:48"]),
                    Member("en-2021-globaltimes", ["en-2021-globaltimes:14"]),
                ],
            ),
            Cluster(
                "C0003",
                [Member("en-2023", ["en-2023:2"]), Member("fr-2022-cnw", ["fr-2022-cnw:0"])],
            ),
        ],
    )


@pytest.fixture
def review(tmp_path: Path) -> ClusterReview:
    path = tmp_path / "clusters.jsonl"
    save_clusters(sample(), path)
    return ClusterReview.open(path, load_clusters(path), reviewer="ana")


def reopen(review: ClusterReview) -> ClusterReview:
    review.close()  # a kill: nothing saved, the journal holds every decision
    return ClusterReview.open(review.path, load_clusters(review.path), reviewer="ana")


def members(review: ClusterReview, cid: str) -> list[str]:
    return review.clusters.cluster(cid).docs()


def test_decisions_and_undo_redo(review: ClusterReview) -> None:
    review.approve("C0001")
    assert review.clusters.cluster("C0001").status is Status.APPROVED
    assert review.clusters.cluster("C0001").reviewer == "ana"
    review.move_member("C0001", "fr-2022-cnw", "C0002")
    assert "fr-2022-cnw" in members(review, "C0002")
    assert "fr-2022-cnw" not in members(review, "C0001")
    review.split("C0001", ["th-2021-xinhua", "en-2021-globaltimes"])
    assert members(review, "C0004") == ["th-2021-xinhua", "en-2021-globaltimes"]
    assert members(review, "C0001") == ["en-2022-chinadaily"]
    review.undo()
    review.undo()
    review.undo()
    review.undo()
    assert review.clusters == sample()
    review.redo()
    assert review.clusters.cluster("C0001").status is Status.APPROVED
    review.remove_member("C0003", "en-2023")
    assert members(review, "C0003") == ["fr-2022-cnw"]
    assert review.redo() is False  # a new decision clears the redo stack


def test_refused_decisions_change_nothing(review: ClusterReview) -> None:
    before = copy.deepcopy(review.clusters)
    size = journal_path(review.path).stat().st_size if journal_path(review.path).exists() else 0
    with pytest.raises(WorkbenchError, match="both have members from"):
        review.merge("C0001", "C0002")
    with pytest.raises(WorkbenchError, match="already has a member"):
        review.move_member("C0003", "fr-2022-cnw", "C0001")
    with pytest.raises(WorkbenchError, match="no cluster"):
        review.approve("C9999")
    with pytest.raises(WorkbenchError, match="some members to leave and some to stay"):
        review.split("C0003", ["en-2023", "fr-2022-cnw"])
    assert review.clusters == before
    now = journal_path(review.path).stat().st_size if journal_path(review.path).exists() else 0
    assert now == size


def test_merge_then_a_kill_loses_nothing(review: ClusterReview) -> None:
    review.move_member("C0001", "fr-2022-cnw", None)  # a new cluster C0004
    review.merge("C0003", "C0002")  # en-2023 + fr(0) + en-2022:48 + en-2021:14
    review.reject("C0004")
    review.undo()
    expected = copy.deepcopy(review.clusters)
    again = reopen(review)
    assert again.clusters == expected
    assert again.redo() is True  # the undo stack came back too
    assert again.clusters.cluster("C0004").status is Status.REJECTED
    again.save()
    assert load_clusters(again.path) == again.clusters
    third = reopen(again)  # the fresh journal holds nothing to replay
    assert third.clusters == again.clusters and not third.undo_stack


def test_a_journal_of_another_file_version_is_set_aside(review: ClusterReview) -> None:
    review.approve("C0002")
    review.close()
    changed = sample()
    changed.clusters[2].note = "edited elsewhere"
    save_clusters(changed, review.path)  # the file changed behind the journal's back
    again = ClusterReview.open(review.path, load_clusters(review.path))
    assert again.clusters == changed  # the approval of C0002 is not applied to it
    assert list(review.path.parent.glob("clusters.jsonl.journal.orphaned-*"))


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["approve", "reject", "remove", "move", "new", "split", "merge", "undo", "redo"]
        ),
        st.sampled_from(["C0001", "C0002", "C0003", "C0004"]),
        st.sampled_from(["C0001", "C0002", "C0003", "C0004"]),
        st.sampled_from(sorted(DOCS)),
    ),
    max_size=12,
)


def run(review: ClusterReview, op: str, a: str, b: str, doc: str) -> None:
    actions = {
        "approve": lambda: review.approve(a),
        "reject": lambda: review.reject(a),
        "remove": lambda: review.remove_member(a, doc),
        "move": lambda: review.move_member(a, doc, b),
        "new": lambda: review.move_member(a, doc, None),
        "split": lambda: review.split(a, [doc]),
        "merge": lambda: review.merge(a, b),
        "undo": review.undo,
        "redo": review.redo,
    }
    with contextlib.suppress(WorkbenchError):
        actions[op]()


@settings(max_examples=40, deadline=None)
@given(ops=OPS)
def test_any_session_replays_exactly_and_undoes_to_the_start(tmp_path_factory, ops) -> None:
    path = tmp_path_factory.mktemp("review") / "clusters.jsonl"
    save_clusters(sample(), path)
    review = ClusterReview.open(path, load_clusters(path))
    for op in ops:
        run(review, *op)
    state = copy.deepcopy(review.clusters)
    again = reopen(review)
    assert again.clusters == state
    owner: dict[str, str] = {}
    for cluster in again.clusters.clusters:
        assert len(set(cluster.docs())) == len(cluster.docs())
        if cluster.status is not Status.REJECTED:
            for sid in cluster.sentence_ids():
                assert owner.setdefault(sid, cluster.id) == cluster.id
    while again.undo():
        pass
    strip = [(c.id, c.status, [m.to_dict() for m in c.members]) for c in again.clusters.clusters]
    assert strip == [(c.id, c.status, [m.to_dict() for m in c.members]) for c in sample().clusters]
    again.close()


def test_implied_links_of_an_approved_cluster(review: ClusterReview) -> None:
    review.approve("C0001")
    links = implied_links(review.clusters.cluster("C0001"), review.clusters)
    assert sorted(links) == ["fr-en", "th-en"]
    (fr,) = links["fr-en"]
    assert fr.src == ["fr-2022-cnw:1"]
    assert fr.tgt == ["en-2021-globaltimes:2", "en-2022-chinadaily:1"]
    assert fr.status is Status.APPROVED and fr.reviewer == "ana"
    review.approve("C0002")  # English only: no pairwise file holds it
    assert implied_links(review.clusters.cluster("C0002"), review.clusters) == {}
    assert implied_links(review.clusters.cluster("C0003"), review.clusters) == {}  # auto


def test_apply_links_replaces_auto_keeps_reviewed() -> None:
    alignment = Alignment("fr", "en", links=[
        Link("L00001", ["fr-2022-cnw:1"], ["en-2022-chinadaily:48"], score=0.6),
        Link("L00002", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], status=Status.APPROVED),
    ])  # fmt: skip
    new = Link("", ["fr-2022-cnw:1"], ["en-2022-chinadaily:1"], status=Status.APPROVED)
    assert apply_links(alignment, [new]) == 1
    assert [(x.src, x.tgt, x.status) for x in alignment.links] == [
        (["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], Status.APPROVED),
        (["fr-2022-cnw:1"], ["en-2022-chinadaily:1"], Status.APPROVED),
    ]
    clash = Link("", ["fr-2022-cnw:0"], ["en-2023:2"], status=Status.APPROVED)
    assert apply_links(alignment, [clash]) == 0  # a reviewed pairwise link is not overruled
    rejected = Link("", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], status=Status.REJECTED)
    assert apply_links(alignment, [rejected]) == 1
    assert alignment.links[0].status is Status.REJECTED


def test_write_implied_links_into_the_pairwise_files(review: ClusterReview, tmp_path: Path) -> None:
    folder = tmp_path / "alignments"
    folder.mkdir()
    save_alignment(
        Alignment("fr", "en", links=[Link("L00001", ["fr-2022-cnw:1"], ["en-2022-chinadaily:48"])]),
        folder / "fr-en.align.jsonl",
    )
    review.approve("C0001")
    written = write_implied_links(review.clusters, folder)
    assert written == {folder / "fr-en.align.jsonl": 1}  # th-en.align.jsonl does not exist
    links = load_alignment(folder / "fr-en.align.jsonl").links
    assert [(x.src, x.tgt, x.status) for x in links] == [
        (["fr-2022-cnw:1"], ["en-2021-globaltimes:2", "en-2022-chinadaily:1"], Status.APPROVED)
    ]
    assert write_implied_links(review.clusters, folder) == {}  # idempotent


def test_a_second_live_session_is_refused(review: ClusterReview) -> None:
    import json
    import os

    from workbench.store.lock import LockedError, lock_path

    lock = lock_path(review.path)
    assert lock.exists()
    data = json.loads(lock.read_text(encoding="utf-8"))
    data["pid"] = os.getppid()  # a live process other than this one holds it
    lock.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LockedError, match="is being reviewed by"):
        ClusterReview.open(review.path, load_clusters(review.path))
    taken = ClusterReview.open(review.path, load_clusters(review.path), take_over=True)
    assert taken.notices and "took over" in taken.notices[0]
    taken.close()
    assert not lock.exists()
