"""Facts per cluster from the corpus, the coverage table and the disagreements list."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from workbench.align.cluster.facts import CHANGED, DISAGREES, Fact, MemberText, cluster_facts
from workbench.corpus.model import Corpus
from workbench.store.clusters import Cluster, ClusterSet


def member_texts(cluster: Cluster, clusters: ClusterSet, corpus: Corpus) -> list[MemberText]:
    out = []
    for member in cluster.members:
        info = clusters.documents.get(member.doc)
        doc = corpus.document(member.doc)
        text = " ".join(corpus.sentence(sid).text for sid in member.ids)
        edition = info.edition if info else doc.edition
        out.append(MemberText(member.doc, doc.language, edition, list(member.ids), text))
    return out


def facts_of(cluster: Cluster, clusters: ClusterSet, corpus: Corpus) -> list[Fact]:
    return cluster_facts(member_texts(cluster, clusters, corpus))


@dataclass
class Coverage:
    doc: str
    lang: str
    edition: int | None
    sentences: int
    other_editions: int  # sentences in clusters with a member of another edition
    other_languages: int  # ... with a member of another language
    none: int  # sentences in no cluster shared with another document


def coverage(clusters: ClusterSet, corpus: Corpus) -> list[Coverage]:
    info = {d.id: (d.language, d.edition) for d in corpus.documents}
    editions: dict[str, int] = {}
    languages: dict[str, int] = {}
    shared: dict[str, int] = {}
    for cluster in clusters.clusters:
        docs = [m.doc for m in cluster.members if m.doc in info]
        if len(docs) < 2:
            continue
        for member in cluster.members:
            if member.doc not in info:
                continue
            lang, edition = info[member.doc]
            n = len(member.ids)
            others = [info[d] for d in docs if d != member.doc]
            shared[member.doc] = shared.get(member.doc, 0) + n
            if any(e != edition for _, e in others):
                editions[member.doc] = editions.get(member.doc, 0) + n
            if any(lang_ != lang for lang_, _ in others):
                languages[member.doc] = languages.get(member.doc, 0) + n
    return [
        Coverage(
            d.id,
            d.language,
            d.edition,
            len(d.sentences),
            editions.get(d.id, 0),
            languages.get(d.id, 0),
            len(d.sentences) - shared.get(d.id, 0),
        )
        for d in corpus.documents
    ]


def coverage_table(rows: list[Coverage]) -> Table:
    table = Table(title="Statements shared across documents", title_justify="left")
    for column in (
        "document",
        "lang",
        "edition",
        "sentences",
        "other editions",
        "other languages",
        "none",
    ):
        table.add_column(column, justify="left" if column in ("document", "lang") else "right")
    for row in rows:
        table.add_row(
            row.doc,
            row.lang,
            str(row.edition or "-"),
            str(row.sentences),
            str(row.other_editions),
            str(row.other_languages),
            str(row.none),
        )
    return table


def labelled_facts(clusters: ClusterSet, corpus: Corpus, label: str) -> list[tuple[str, Fact]]:
    """(cluster id, fact) of every fact labelled ``label`` (e.g. :data:`DISAGREES`)."""
    found = []
    for cluster in clusters.clusters:
        for fact in facts_of(cluster, clusters, corpus):
            if fact.label == label:
                found.append((cluster.id, fact))
    return found


def _print_facts(console: Console, title: str, found: list[tuple[str, Fact]]) -> None:
    console.print(f"{title} ({len(found)}):", markup=False)
    for cluster_id, fact in found:
        console.print(f"  {cluster_id} {fact.kind}:", markup=False, highlight=False)
        for v in sorted(fact.values, key=lambda v: (v.edition or 0, v.doc)):  # a timeline
            line = f"      {v.doc} ({v.edition}): {v.text!r} = {v.qualifier}{v.key}"
            console.print(line, markup=False, highlight=False)


def print_report(clusters: ClusterSet, corpus: Corpus, console: Console | None = None) -> None:
    """The coverage table, the facts that changed across editions (news), then the
    disagreements within an edition (an error in one of the sources) last."""
    console = console or Console()
    if not console.is_terminal:
        console.width = max(console.width, 110)
    console.print(coverage_table(coverage(clusters, corpus)))
    changed = labelled_facts(clusters, corpus, CHANGED)
    if changed:
        _print_facts(console, "Changed across editions", changed)
    found = labelled_facts(clusters, corpus, DISAGREES)
    if not found:
        console.print("No disagreement within an edition.")
        return
    _print_facts(console, "Disagreements within an edition", found)
