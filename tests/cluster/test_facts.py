"""The fact timeline on the issue's examples (seed sentences) and on made-up members."""

from __future__ import annotations

from workbench.align.cluster.facts import (
    CHANGED,
    DISAGREES,
    SAME,
    SINGLE,
    MemberText,
    cluster_facts,
)

EDITION = {
    "th-2021-xinhua": 2021,
    "en-2021-globaltimes": 2021,
    "fr-2022-cnw": 2022,
    "en-2022-chinadaily": 2022,
    "en-2023": 2023,
}


def members(seed_corpus, ids: list[str]) -> list[MemberText]:
    out = []
    for sid in ids:
        doc = sid.rpartition(":")[0]
        text = seed_corpus.sentence(sid).text
        out.append(MemberText(doc, seed_corpus.document(doc).language, EDITION[doc], [sid], text))
    return out


def by_value(facts, value: str):
    return next(f for f in facts if any(v.key == value for v in f.values))


def test_opening_date_of_2022_disagrees_within_the_edition(seed_corpus) -> None:
    ids = [
        "th-2021-xinhua:1",
        "en-2021-globaltimes:1",
        "en-2022-chinadaily:0",
        "fr-2022-cnw:0",
        "en-2023:2",
    ]
    facts = cluster_facts(members(seed_corpus, ids))
    opening = by_value(facts, "????-10-26")
    assert opening.label == DISAGREES
    assert {(v.doc, v.key) for v in opening.values} == {
        ("en-2021-globaltimes", "????-10-23"),
        ("en-2022-chinadaily", "????-10-26"),
        ("fr-2022-cnw", "????-11-26"),
    }
    assert by_value(facts, "2022-11-29").label == SINGLE  # the dateline
    # year-only mentions of a member's own edition are not facts
    assert not any(v.key in ("2021-??-??", "2023-??-??") for f in facts for v in f.values)


def test_industry_scale_changed_across_editions_and_agrees_within_2022(seed_corpus) -> None:
    ids = ["th-2021-xinhua:6", "en-2021-globaltimes:9", "fr-2022-cnw:5", "en-2022-chinadaily:24"]
    facts = cluster_facts(members(seed_corpus, ids))
    scale = by_value(facts, "3.563e+11")
    assert scale.label == CHANGED
    assert {(v.doc, v.qualifier + v.key) for v in scale.values} == {
        ("th-2021-xinhua", ">3e+11"),
        ("en-2021-globaltimes", ">3e+11"),
        ("fr-2022-cnw", ">3.5e+11"),  # "a dépassé 350 milliards": compatible with 356.3
        ("en-2022-chinadaily", "3.563e+11"),
    }
    assert by_value(facts, "3000").label == SAME


def test_plain_different_values_within_an_edition_disagree() -> None:
    a = MemberText("a", "en", 2022, ["a:0"], "The expo drew 500 exhibitors.")
    b = MemberText("b", "fr", 2022, ["b:0"], "Le salon a réuni 700 exposants.")
    c = MemberText("c", "en", 2023, ["c:0"], "The expo drew 700 exhibitors.")
    (fact,) = cluster_facts([a, b, c])
    assert fact.label == DISAGREES
    (fact,) = cluster_facts([b, c])
    assert fact.label == SAME
    (fact,) = cluster_facts([a, c])
    assert fact.label == CHANGED
    (fact,) = cluster_facts([a, MemberText("d", "en", 2022, ["d:0"], "nearly 520 exhibitors")])
    assert fact.label == SAME  # "nearly 520" allows 500 (within 10 %)


def test_numbers_far_apart_are_different_facts() -> None:
    a = MemberText("a", "en", 2021, ["a:0"], "It has 20 projects.")
    b = MemberText("b", "en", 2022, ["b:0"], "It has 900 projects.")
    facts = cluster_facts([a, b])
    assert [f.label for f in facts] == [SINGLE, SINGLE]


def test_the_report_lists_changes_as_a_timeline_then_disagreements(seed_corpus) -> None:
    from rich.console import Console

    from workbench.align.cluster.report import print_report
    from workbench.store.clusters import Cluster, ClusterSet, DocInfo, Member

    documents = {
        d.id: DocInfo(d.language, EDITION[d.id], len(d.sentences)) for d in seed_corpus.documents
    }
    scale = ["fr-2022-cnw:5", "th-2021-xinhua:6", "en-2022-chinadaily:24", "en-2021-globaltimes:9"]
    opening = ["en-2022-chinadaily:0", "fr-2022-cnw:0"]
    clusters = ClusterSet(
        documents,
        clusters=[
            Cluster(f"C000{n}", [Member(s.rpartition(":")[0], [s]) for s in ids])
            for n, ids in enumerate((scale, opening), start=1)
        ],
    )
    console = Console(record=True, width=120)
    print_report(clusters, seed_corpus, console)
    text = console.export_text()
    changed = text.index("Changed across editions (1):")
    disagree = text.index("Disagreements within an edition (1):")
    assert changed < disagree
    timeline = text[changed:disagree]
    assert timeline.index("(2021)") < timeline.index("(2022)")  # by edition, not member order
    assert "'356.3 billion' = 3.563e+11" in timeline
    assert "'26 novembre' = ????-11-26" in text[disagree:]
