"""The cluster review screen: keys call the review operations; quit saves and writes the
implied pairwise links."""

from __future__ import annotations

from pathlib import Path

from workbench.review.clusters import ClusterApp
from workbench.store.cluster_review import ClusterReview
from workbench.store.clusters import (
    Cluster,
    ClusterSet,
    DocInfo,
    Member,
    is_clusters_file,
    load_clusters,
    save_clusters,
)
from workbench.store.files import load_alignment, save_alignment
from workbench.store.model import Alignment, Link, Status

SIZE = (120, 40)


def setup(seed_corpus, tmp_path: Path) -> tuple[Path, Path]:
    docs = {d.id: DocInfo(d.language, d.edition, len(d.sentences)) for d in seed_corpus.documents}
    clusters = [
        Cluster(
            "C0001",
            [
                Member("en-2021-globaltimes", ["en-2021-globaltimes:1"]),
                Member("en-2022-chinadaily", ["en-2022-chinadaily:0"]),
                Member("fr-2022-cnw", ["fr-2022-cnw:0"]),
            ],
        ),
        Cluster(
            "C0002",
            [
                Member("fr-2022-cnw", ["fr-2022-cnw:5"]),
                Member("en-2022-chinadaily", ["en-2022-chinadaily:24"]),
            ],
        ),
    ]
    path = tmp_path / "clusters.jsonl"
    save_clusters(ClusterSet(docs, {}, clusters), path)
    folder = tmp_path / "alignments"
    folder.mkdir()
    save_alignment(
        Alignment("fr", "en", links=[Link("L00001", ["fr-2022-cnw:5"], ["en-2023:3"])]),
        folder / "fr-en.align.jsonl",
    )
    return path, folder


async def test_keys_decide_undo_and_quit_saves(seed_corpus, tmp_path: Path) -> None:
    path, folder = setup(seed_corpus, tmp_path)
    assert is_clusters_file(path) and not is_clusters_file(folder / "fr-en.align.jsonl")
    review = ClusterReview.open(path, load_clusters(path), "ana")
    app = ClusterApp(
        review, seed_corpus, {"fr-2022-cnw:0": "The summit was launched on 26 November."}, folder
    )
    async with app.run_test(size=SIZE) as pilot:
        text = app.render_cluster()
        assert "26 novembre" in text and "The summit was launched" in text
        assert "disagrees within an edition" in text  # the opening date, in the timeline
        await pilot.press("down", "down", "d")  # remove the French member
        assert review.clusters.cluster("C0001").docs() == [
            "en-2021-globaltimes",
            "en-2022-chinadaily",
        ]
        await pilot.press("u")
        assert len(review.clusters.cluster("C0001").members) == 3
        await pilot.press("j", "a")  # approve C0002
        assert review.clusters.cluster("C0002").status is Status.APPROVED
        await pilot.press("k", "g")  # merge C0002 into C0001: refused (two French members)
        await pilot.press(*"C0002", "enter")
        assert "both have members from" in app.message
        await pilot.press("q")
    saved = load_clusters(path)
    assert saved.cluster("C0002").status is Status.APPROVED
    links = load_alignment(folder / "fr-en.align.jsonl").links
    assert [(x.src, x.tgt, x.status) for x in links] == [
        (["fr-2022-cnw:5"], ["en-2022-chinadaily:24"], Status.APPROVED)
    ]


async def test_a_later_session_does_not_replay_older_cluster_decisions(
    seed_corpus, tmp_path: Path
) -> None:
    """Session 1 approves C0002 (its pair is written as approved); a pairwise reviewer then
    rejects that pair; session 2 decides something else and quits: the pairwise rejection,
    newer than the cluster decision, stays."""
    from workbench.store.ops import Stamp, set_status

    path, folder = setup(seed_corpus, tmp_path)
    first = ClusterReview.open(path, load_clusters(path), "ana")
    async with ClusterApp(first, seed_corpus, {}, folder).run_test(size=SIZE) as pilot:
        await pilot.press("j", "a", "q")
    pairwise = folder / "fr-en.align.jsonl"
    alignment = load_alignment(pairwise)
    (link,) = alignment.links
    assert link.status is Status.APPROVED
    change = set_status(alignment, 0, Status.REJECTED, Stamp("bo", "2026-11-26T01:00:00+00:00"))
    assert change is not None
    change.apply(alignment)
    save_alignment(alignment, pairwise)
    second = ClusterReview.open(path, load_clusters(path), "ana")
    assert second.decided() == []
    async with ClusterApp(second, seed_corpus, {}, folder).run_test(size=SIZE) as pilot:
        await pilot.press("x", "q")  # reject C0001 (no French-English pair of C0002's)
    assert load_clusters(path).cluster("C0001").status is Status.REJECTED
    (link,) = load_alignment(pairwise).links
    assert link.status is Status.REJECTED and link.reviewer == "bo"
