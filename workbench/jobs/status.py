"""Where an alignment file stands, without re-aligning: per document, what is paired, what has
no counterpart, what is reviewed and flagged; and the English sentences linked to nothing.

``workbench status [FILE ...]`` prints it (``--unlinked`` lists those English sentences).
Counts are of sentences, not links: a 2-1 link pairs two source sentences. A row holding a
standing rejected pair counts as rejected whatever its row says (``records.as_decided``, the
rule exports and ``evaluate-mt`` use); standing rejections that no row holds are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.corpus.model import Corpus
from workbench.export.records import as_decided
from workbench.store.model import Alignment, Link, Rejection, Status, pair_of
from workbench.store.ops import describe_pair
from workbench.store.order import sentence_position


@dataclass
class DocumentStatus:
    doc: str
    statements: int
    paired: int = 0  # in a link with English sentences (not rejected)
    no_counterpart: int = 0  # in no such link
    reviewed: int = 0  # in an approved or rejected link
    flagged: int = 0  # in a link flagged for a second opinion
    discrepancies: int = 0  # in a link with number/date flags


@dataclass
class FileStatus:
    src_lang: str
    tgt_lang: str
    links: dict[str, int]  # per status
    documents: list[DocumentStatus] = field(default_factory=list)
    english: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc: (linked, total)
    unlinked: list[str] = field(default_factory=list)  # English sentence ids linked to nothing
    rejected_pairs: int = 0  # standing rejections (listed or rejected rows): never proposed
    rejected_by_list: int = 0  # rows not marked rejected that hold a listed pair (as rejected)
    without_row: list[Rejection] = field(default_factory=list)  # listed, held by no row


def decided(alignment: Alignment) -> list[tuple[Link, Status]]:
    """Each link with the status the reviewer decided (``records.as_decided``): a row holding
    a pair of the header's ``rejected`` list is rejected whatever its row says."""
    listed = {r.pair for r in alignment.rejected}

    def status_of(link: Link) -> Status:
        row = {"status": str(link.status), "src": link.src, "tgt": link.tgt}
        return Status(as_decided(row, listed)["status"])

    return [(link, status_of(link)) for link in alignment.links]


def _tally(links: list[tuple[Link, Status]]) -> dict[str, set[str]]:
    sets: dict[str, set[str]] = {k: set() for k in ("paired", "reviewed", "flagged", "disc")}
    for link, status in links:
        if link.tgt and status != Status.REJECTED:
            sets["paired"].update(link.src)
        if status in (Status.APPROVED, Status.REJECTED):
            sets["reviewed"].update(link.src)
        if status == Status.FLAGGED:
            sets["flagged"].update(link.src)
        if link.flags and status != Status.REJECTED:
            sets["disc"].update(link.src)
    return sets


def file_status(alignment: Alignment, corpus: Corpus) -> FileStatus:
    """The status of ``alignment`` against the documents of ``corpus``."""
    docs = {doc.id: doc for doc in corpus.documents}
    links = decided(alignment)
    sets = _tally(links)
    counts = dict.fromkeys(map(str, Status), 0)
    for _link, decision in links:
        counts[str(decision)] += 1
    held = {pair_of(link) for link in alignment.links}
    status = FileStatus(
        alignment.src_lang,
        alignment.tgt_lang,
        counts,
        rejected_pairs=len(alignment.rejected_pairs()),
        rejected_by_list=sum(1 for link, d in links if d != link.status),
        without_row=[r for r in alignment.rejected if r.pair not in held],
    )
    src_docs = alignment.src_docs or sorted(
        {sentence_position(s)[0] for link in alignment.links for s in link.src}
    )
    for doc_id in src_docs:
        ids = [s.id for s in docs[doc_id].sentences] if doc_id in docs else []
        row = DocumentStatus(doc_id, len(ids))
        row.paired = sum(1 for s in ids if s in sets["paired"])
        row.no_counterpart = row.statements - row.paired
        row.reviewed = sum(1 for s in ids if s in sets["reviewed"])
        row.flagged = sum(1 for s in ids if s in sets["flagged"])
        row.discrepancies = sum(1 for s in ids if s in sets["disc"])
        status.documents.append(row)
    used = {t for link, d in links if d != Status.REJECTED for t in link.tgt}
    for doc_id in alignment.tgt_docs:
        ids = [s.id for s in docs[doc_id].sentences] if doc_id in docs else []
        linked = sum(1 for s in ids if s in used)
        status.english[doc_id] = (linked, len(ids))
        status.unlinked.extend(s for s in ids if s not in used)
    return status


def format_status(status: FileStatus, name: str) -> list[str]:
    """The lines ``workbench status`` prints for one file."""
    links = ", ".join(f"{k} {n}" for k, n in status.links.items())
    lines = [f"{name} ({status.src_lang}-{status.tgt_lang}): links {links}"]
    if status.rejected_pairs:
        lines[0] += f"; {status.rejected_pairs} rejected pair(s), never proposed again"
    if status.rejected_by_list:
        lines[0] += (
            f" ({status.rejected_by_list} row(s) not marked rejected hold one: counted rejected)"
        )
    for row in status.documents:
        lines.append(
            f"  {row.doc}: {row.statements} statements, {row.paired} paired, "
            f"{row.no_counterpart} no counterpart, {row.reviewed} reviewed, "
            f"{row.flagged} flagged, {row.discrepancies} with discrepancies"
        )
    for doc_id, (linked, total) in status.english.items():
        lines.append(
            f"  {doc_id} ({status.tgt_lang}): {linked} of {total} linked, "
            f"{total - linked} linked to nothing"
        )
    if status.without_row:
        lines.append(f"  {len(status.without_row)} rejected pair(s) held by no row:")
    for rejection in status.without_row:
        who = [f"by {rejection.reviewer}"] if rejection.reviewer else []
        who += [f"on {rejection.time}"] if rejection.time else []
        lines.append(
            f"    {describe_pair(rejection.pair)}" + (f" ({' '.join(who)})" if who else "")
        )
    return lines
