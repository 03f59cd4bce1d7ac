"""A rejected cluster writes each implied pair as a standing rejection of the pairwise file,
as an approved cluster writes it as an approved link: exactly that pair, no extra row, rows
left in article order, undone by approving the cluster later."""

from __future__ import annotations

from pathlib import Path

from workbench.store.cluster_review import apply_links, write_implied_links
from workbench.store.clusters import Cluster, ClusterSet, DocInfo, Member
from workbench.store.files import load_alignment, save_alignment
from workbench.store.model import Alignment, Link, Status
from workbench.store.ops import duplicate_sentences
from workbench.store.order import in_article_order

FR, EN_A, EN_B = "fr-2022-cnw:1", "en-2022-chinadaily:1", "en-2021-globaltimes:2"
PAIR = ((FR,), (EN_B, EN_A))  # the fr member -> every English member, in member order

DOCS = {
    "fr-2022-cnw": DocInfo("fr", 2022, 13),
    "en-2021-globaltimes": DocInfo("en", 2021, 23),
    "en-2022-chinadaily": DocInfo("en", 2022, 51),
}


def clusters(status: Status) -> ClusterSet:
    members = [
        Member("en-2021-globaltimes", [EN_B], 0.8),
        Member("fr-2022-cnw", [FR], 0.6),
        Member("en-2022-chinadaily", [EN_A], 0.9),
    ]
    cluster = Cluster("C0001", members, status=status, reviewer="ana")
    cluster.modified = "2026-01-02T03:04:05+00:00"
    return ClusterSet(dict(DOCS), {}, [cluster])


def seed(folder: Path) -> Path:
    links = [
        Link("L00001", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"]),
        Link("L00002", [FR], [EN_A], score=0.5),  # an auto link sharing the sentences
        Link("L00003", ["fr-2022-cnw:2"], ["en-2022-chinadaily:2"]),
    ]
    alignment = Alignment("fr", "en", ["fr-2022-cnw"], ["en-2022-chinadaily"], links=links)
    folder.mkdir(exist_ok=True)
    save_alignment(alignment, folder / "fr-en.align.jsonl")
    return folder / "fr-en.align.jsonl"


def test_a_rejected_cluster_is_a_standing_rejection_not_a_row(tmp_path: Path) -> None:
    path = seed(tmp_path / "alignments")
    before = load_alignment(path).links
    assert write_implied_links(clusters(Status.REJECTED), path.parent) == {path: 1}
    after = load_alignment(path)
    assert [x.to_dict() for x in after.links] == [x.to_dict() for x in before]  # no row
    (rejection,) = after.rejected
    assert rejection.pair == PAIR and rejection.reviewer == "ana"
    assert rejection.time == "2026-01-02T03:04:05+00:00"
    assert write_implied_links(clusters(Status.REJECTED), path.parent) == {}  # idempotent
    # approving the cluster later lifts it and writes the approved link, in article order
    assert write_implied_links(clusters(Status.APPROVED), path.parent) == {path: 1}
    after = load_alignment(path)
    assert after.rejected == [] and in_article_order(after)
    assert [(x.src, x.tgt, x.status) for x in after.links][1] == (
        [FR],
        list(PAIR[1]),
        Status.APPROVED,
    )
    assert duplicate_sentences(after) == {}


def test_a_row_with_the_same_sides_takes_the_rejection() -> None:
    link = Link("L00001", [FR], list(PAIR[1]))
    alignment = Alignment("fr", "en", links=[link])
    rejected = Link("", [FR], list(PAIR[1]), Status.REJECTED, reviewer="ana")
    assert apply_links(alignment, [rejected]) == 1
    assert alignment.links[0].status == Status.REJECTED
    assert [r.pair for r in alignment.rejected] == [PAIR]


def test_an_approved_cluster_blocked_by_a_reviewed_link_still_lifts_its_pair() -> None:
    reviewed = Link("L00001", [FR], [EN_A], Status.APPROVED)
    alignment = Alignment("fr", "en", links=[reviewed])
    assert apply_links(alignment, [Link("", [FR], list(PAIR[1]), Status.REJECTED)]) == 1
    assert len(alignment.links) == 1 and alignment.rejected_pairs() == {PAIR}
    assert apply_links(alignment, [Link("", [FR], list(PAIR[1]), Status.APPROVED)]) == 1
    assert alignment.links == [reviewed] and alignment.rejected == []  # not overruled
