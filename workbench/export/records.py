"""Export records: a link with its text, translation and documents resolved.

Text comes from a :class:`TextSource` (the ingested corpus plus stored machine
translations); reviewer edits recorded in the alignment header override corpus text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from workbench.corpus.model import Corpus
from workbench.errors import InputError, WorkbenchError
from workbench.export.select import Selection
from workbench.export.stream import AlignmentHeader, link_dicts, link_from_dict
from workbench.export.text import fix_surrogates
from workbench.store.model import Link, Pair, link_problem


class TextSource(Protocol):
    """Where sentence text and machine translations come from (text free of lone
    surrogates: :func:`workbench.export.text.fix_surrogates`)."""

    def text(self, sentence_id: str) -> str | None: ...

    def mt(self, sentence_id: str) -> str | None: ...

    def mt_provenance(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]: ...


class CorpusText:
    """Text from an ingested :class:`Corpus`; MT from ``load_translations`` output.

    Texts are indexed (and cleaned of lone surrogates) once here, not once per link.
    """

    def __init__(self, corpus: Corpus, translations: dict[str, Any] | None = None):
        self.corpus = corpus
        self.translations = translations or {}
        self._text = {s.id: fix_surrogates(s.text) for s in corpus.sentences()}
        self._mt = {
            sid: fix_surrogates(text)
            for doc in self.translations.values()
            for sid, text in doc.by_sentence.items()
        }

    def text(self, sentence_id: str) -> str | None:
        return self._text.get(sentence_id)

    def mt(self, sentence_id: str) -> str | None:
        return self._mt.get(sentence_id)

    def mt_provenance(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
        return [
            dict(self.translations[d].provenance, doc=d) for d in doc_ids if d in self.translations
        ]


def doc_of(sentence_id: str) -> str:
    """``fr-2022-cnw:7`` -> ``fr-2022-cnw``."""
    return sentence_id.rpartition(":")[0] or sentence_id


def unique_docs(ids: Sequence[str]) -> list[str]:
    if len(ids) == 1:
        return [ids[0].rpartition(":")[0] or ids[0]]
    return list(dict.fromkeys(doc_of(i) for i in ids))


@dataclass(slots=True)
class ExportRecord:
    alignment: str  # alignment name, e.g. "fr-en" (file name without .align.jsonl)
    src_lang: str
    tgt_lang: str
    link: Link
    src: str  # source sentences of the link, joined by one space
    tgt: str
    mt: str | None  # machine translation of the source side (None when not stored)
    src_docs: list[str]
    tgt_docs: list[str]
    mt_model: str | None = None  # "model@revision" of the MT (None when no MT)

    @property
    def pair(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"

    @property
    def one_sided(self) -> bool:
        return not self.link.src or not self.link.tgt


def _side(
    ids: Sequence[str], header: AlignmentHeader, source: TextSource, link: Link, line: int
) -> str:
    edits = header.edits
    if len(ids) == 1 and not edits:  # the common case, without the loop
        text = source.text(ids[0])
        if text is not None:
            return text
    parts = []
    for sid in ids:
        text = edits.get(sid) if edits else None
        if text is None:
            text = source.text(sid)
        if text is None:
            raise InputError(
                f"link {link.id} uses sentence {sid!r}, which is not in the corpus",
                header.path,
                line,
            )
        parts.append(text)
    return parts[0] if len(parts) == 1 else " ".join(parts)


def _mt(ids: Sequence[str], source: TextSource) -> str | None:
    if len(ids) == 1:
        return source.mt(ids[0])
    parts = [source.mt(sid) for sid in ids]
    if not parts or any(p is None for p in parts):
        return None
    return " ".join(p for p in parts if p is not None)


def as_decided(data: dict[str, Any], listed: set[Pair]) -> dict[str, Any]:
    """``data`` with the status the reviewer decided: a row holding a standing rejected pair
    (the header's ``rejected``: the list, not the row, is the constraint) is rejected,
    whatever its row says (an auto row after merge/split, a hand-edited file)."""
    if not listed or data.get("status") == "rejected":
        return data
    src, tgt = data.get("src", []), data.get("tgt", [])
    if type(src) is not list or type(tgt) is not list:
        return data  # damaged: the link check names it
    try:
        rejected = (tuple(src), tuple(tgt)) in listed
    except TypeError:  # unhashable ids: damaged, as above
        return data
    return {**data, "status": "rejected"} if rejected else data


def wanted(data: dict[str, Any], selection: Selection, pairs_only: bool) -> bool:
    """The cheap filter on a raw link dict (no Link object built)."""
    if data.get("status", "auto") not in selection.statuses:
        return False
    if selection.min_score is not None:
        score = data.get("score")
        if not isinstance(score, int | float) or score < selection.min_score:
            return False
    return not (pairs_only and (not data.get("src") or not data.get("tgt")))


def iter_records(
    headers: Sequence[AlignmentHeader],
    selection: Selection,
    source: TextSource,
    pairs_only: bool = False,
    mt_models: dict[str, str] | None = None,
) -> Iterator[ExportRecord]:
    """The selected links of ``headers``' files as records, streamed in deterministic order.

    ``mt_models`` maps a source document id to the ``model@revision`` that translated it.
    """
    mt_models = mt_models or {}
    statuses, min_score = selection.statuses, selection.min_score
    for header in headers:
        if not selection.takes_pair(header.pair):
            continue
        name, src_lang, tgt_lang, path = header.name, header.src_lang, header.tgt_lang, header.path
        seen: set[str] = set()
        listed = {r.pair for r in header.rejected}
        for line, data in link_dicts(header):  # a pending review journal applied
            # every line is checked as load_alignment checks it, selected or not
            problem = link_problem(data)
            if problem is not None:
                raise InputError(f"invalid link: {problem}", path, line)
            data = as_decided(data, listed)
            if data["id"] in seen:
                raise InputError(f"link id {data['id']!r} appears twice", path, line)
            seen.add(data["id"])
            # the filter of wanted(), inlined: this loop runs once per link
            if data.get("status", "auto") not in statuses:
                continue
            if min_score is not None and not wanted(data, selection, pairs_only):
                continue
            if pairs_only and (not data.get("src") or not data.get("tgt")):
                continue
            link = link_from_dict(data, path, line, checked=True)
            mt = _mt(link.src, source)
            yield ExportRecord(
                name,
                src_lang,
                tgt_lang,
                link,
                _side(link.src, header, source, link, line),
                _side(link.tgt, header, source, link, line),
                mt,
                src_docs := unique_docs(link.src),
                unique_docs(link.tgt),
                None if mt is None or not src_docs else mt_models.get(src_docs[0]),
            )


@dataclass
class Tally:
    """What an export wrote, counted while streaming (provenance is built from it at the end)."""

    count: int = 0
    by_alignment: dict[str, int] = field(default_factory=dict)
    reviewers: set[str] = field(default_factory=set)


class NothingToExport(Exception):
    """Raised at the end of the stream when no link matched: writers then discard their files."""


def counted(
    records: Iterator[ExportRecord], tally: Tally, expected: Tally | None = None
) -> Iterator[ExportRecord]:
    """Pass ``records`` through, counting them; raise :class:`NothingToExport` if none, and
    an error if ``expected`` (a pre-count) differs: a file changed during the export."""
    by_alignment, reviewers = tally.by_alignment, tally.reviewers
    for record in records:
        tally.count += 1
        by_alignment[record.alignment] = by_alignment.get(record.alignment, 0) + 1
        if record.link.reviewer:
            reviewers.add(record.link.reviewer)
        yield record
    if tally.count == 0:
        raise NothingToExport
    if expected is not None and (expected.count, expected.reviewers) != (
        tally.count,
        tally.reviewers,
    ):
        raise WorkbenchError(
            "an alignment file changed during the export; nothing written, run it again"
        )


def pre_count(headers: Sequence[AlignmentHeader], selection: Selection, pairs_only: bool) -> Tally:
    """Count the selected links and their reviewers from the raw lines (no text, no records):
    for formats whose header must hold these before the first link is written (TMX)."""
    tally = Tally(by_alignment=dict.fromkeys((h.name for h in headers), 0))
    for header in headers:
        n = 0
        listed = {r.pair for r in header.rejected}
        for _line, data in link_dicts(header):
            if wanted(as_decided(data, listed), selection, pairs_only):
                n += 1
                reviewer = data.get("reviewer")
                if reviewer:
                    tally.reviewers.add(str(reviewer))
        tally.by_alignment[header.name] = n
        tally.count += n
    return tally


def sidecar_path(out: Path) -> Path:
    """The provenance file beside an export: ``OUT.meta.json``."""
    return out.with_name(out.name + ".meta.json")
