"""Cluster review quit against pairwise files: a pairwise file under review is refused with
one line and nothing is lost; a kill between writing the pairwise files and saving the
clusters file never applies a decision twice."""

from __future__ import annotations

from pathlib import Path

from tests.cluster.test_cluster_screen import SIZE, setup
from workbench.review.clusters import ClusterApp
from workbench.store.cluster_review import ClusterReview
from workbench.store.clusters import Member, load_clusters, save_clusters
from workbench.store.files import load_alignment, save_alignment
from workbench.store.journal import journal_path
from workbench.store.model import Alignment, Status
from workbench.store.ops import Stamp, set_status
from workbench.store.session import ReviewSession


def _kill(review: ClusterReview) -> None:
    """What a kill -9 leaves: the journal and lock files, no save."""
    assert review.journal is not None
    review.journal.close()
    review.lock = None  # a dead process's lock is stale: the next open takes it over


async def test_quit_refuses_a_pairwise_file_under_review(seed_corpus, tmp_path: Path) -> None:
    path, folder = setup(seed_corpus, tmp_path)
    th = folder / "th-en.align.jsonl"  # a second pairwise file, written before fr-en
    save_alignment(Alignment("th", "en"), th)
    pairwise = folder / "fr-en.align.jsonl"
    before = {p: p.read_bytes() for p in (pairwise, th, path)}
    other = ReviewSession.open(pairwise, "bo")  # a live pairwise session
    review = ClusterReview.open(path, load_clusters(path), "ana")
    app = ClusterApp(review, seed_corpus, {}, folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "a", "q")
        assert app.is_running  # not quit: the decision is neither written nor lost
        assert "fr-en.align.jsonl" in app.message and "\n" not in app.message
        assert {p: p.read_bytes() for p in before} == before
        assert review.clusters.cluster("C0002").status is Status.APPROVED
        other.close()
        await pilot.press("q")  # the pairwise session ended: now it quits
    assert load_clusters(path).cluster("C0002").status is Status.APPROVED
    (link,) = load_alignment(pairwise).links
    assert link.status is Status.APPROVED and link.tgt == ["en-2022-chinadaily:24"]


def test_no_file_is_written_when_one_is_under_review(seed_corpus, tmp_path: Path) -> None:
    """All pairwise files are checked before any is written."""
    path, folder = setup(seed_corpus, tmp_path)
    clusters = load_clusters(path)  # C0002 implies a fr-en and a th-en link
    clusters.cluster("C0002").members.append(Member("th-2021-xinhua", ["th-2021-xinhua:0"]))
    save_clusters(clusters, path)
    th = folder / "th-en.align.jsonl"  # sorts after fr-en: refused after fr-en was written
    save_alignment(Alignment("th", "en"), th)
    pairwise = folder / "fr-en.align.jsonl"
    before = pairwise.read_bytes()
    other = ReviewSession.open(th, "bo")
    review = ClusterReview.open(path, load_clusters(path), "ana")
    review.approve("C0002")
    try:
        review.write_pairwise(folder)
    except Exception as exc:  # noqa: BLE001 - the one-line refusal
        assert "th-en.align.jsonl" in str(exc)
    else:
        raise AssertionError("a file under review was not refused")
    finally:
        other.close()
    assert pairwise.read_bytes() == before


def test_a_kill_after_the_pairwise_write_applies_nothing_twice(seed_corpus, tmp_path: Path) -> None:
    """Quit writes C0002's approved pair, then is killed before the clusters file is saved;
    a pairwise reviewer rejects that pair; the next cluster session replays the journal and
    quits: the newer pairwise rejection stays (the cluster decision is not applied again)."""
    path, folder = setup(seed_corpus, tmp_path)
    pairwise = folder / "fr-en.align.jsonl"
    review = ClusterReview.open(path, load_clusters(path), "ana")
    review.approve("C0002")
    assert review.write_pairwise(folder) == {pairwise: 1}
    _kill(review)
    alignment = load_alignment(pairwise)
    change = set_status(alignment, 0, Status.REJECTED, Stamp("bo", "2026-11-26T01:00:00+00:00"))
    assert change is not None
    change.apply(alignment)
    save_alignment(alignment, pairwise)
    again = ClusterReview.open(path, load_clusters(path), "ana", take_over=True)
    assert again.clusters.cluster("C0002").status is Status.APPROVED  # replayed
    assert again.decided() == []  # already written into the pairwise files
    assert again.write_pairwise(folder) == {}
    again.save()
    again.close()
    (link,) = load_alignment(pairwise).links
    assert link.status is Status.REJECTED and link.reviewer == "bo"
    assert load_clusters(path).cluster("C0002").status is Status.APPROVED
    assert journal_path(path).exists()


def test_a_kill_before_the_pairwise_write_loses_nothing(seed_corpus, tmp_path: Path) -> None:
    path, folder = setup(seed_corpus, tmp_path)
    pairwise = folder / "fr-en.align.jsonl"
    review = ClusterReview.open(path, load_clusters(path), "ana")
    review.reject("C0002")
    _kill(review)
    again = ClusterReview.open(path, load_clusters(path), "ana", take_over=True)
    assert again.decided() == ["C0002"]
    assert again.write_pairwise(folder) == {pairwise: 1}
    again.save()
    again.close()
    alignment = load_alignment(pairwise)
    assert [link.status for link in alignment.links] == [Status.AUTO]
    assert {r.pair for r in alignment.rejected} == {
        (("fr-2022-cnw:5",), ("en-2022-chinadaily:24",))
    }
