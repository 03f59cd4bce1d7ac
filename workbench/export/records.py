"""Export records: a link with its text, translation and documents resolved.

Text comes from a :class:`TextSource` (the ingested corpus plus stored machine
translations); reviewer edits recorded in the alignment header override corpus text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from workbench.corpus.model import Corpus
from workbench.errors import InputError
from workbench.export.select import Selection
from workbench.export.stream import AlignmentHeader, iter_link_dicts, link_from_dict
from workbench.store.model import Link

_SURROGATES = re.compile("[\ud800-\udfff]")


class TextSource(Protocol):
    """Where sentence text and machine translations come from."""

    def text(self, sentence_id: str) -> str | None: ...

    def mt(self, sentence_id: str) -> str | None: ...

    def mt_provenance(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]: ...


class CorpusText:
    """Text from an ingested :class:`Corpus`; MT from ``load_translations`` output."""

    def __init__(self, corpus: Corpus, translations: dict[str, Any] | None = None):
        self.corpus = corpus
        self.translations = translations or {}

    def text(self, sentence_id: str) -> str | None:
        if not self.corpus.has_sentence(sentence_id):
            return None
        return self.corpus.sentence(sentence_id).text

    def mt(self, sentence_id: str) -> str | None:
        doc = self.translations.get(doc_of(sentence_id))
        return None if doc is None else doc.by_sentence.get(sentence_id)

    def mt_provenance(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
        return [
            dict(self.translations[d].provenance, doc=d) for d in doc_ids if d in self.translations
        ]


def doc_of(sentence_id: str) -> str:
    """``fr-2022-cnw:7`` -> ``fr-2022-cnw``."""
    return sentence_id.rpartition(":")[0] or sentence_id


def unique_docs(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(doc_of(i) for i in ids))


def fix_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (possible in JSON input) cannot be written as UTF-8."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


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

    @property
    def pair(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"

    @property
    def one_sided(self) -> bool:
        return not self.link.src or not self.link.tgt


def _side(
    ids: Sequence[str], header: AlignmentHeader, source: TextSource, link: Link, line: int
) -> str:
    parts = []
    for sid in ids:
        text = header.edits.get(sid)
        if text is None:
            text = source.text(sid)
        if text is None:
            raise InputError(
                f"link {link.id} uses sentence {sid!r}, which is not in the corpus",
                header.path,
                line,
            )
        parts.append(text)
    return " ".join(parts)


def _mt(ids: Sequence[str], source: TextSource) -> str | None:
    parts = [source.mt(sid) for sid in ids]
    if not parts or any(p is None for p in parts):
        return None
    return " ".join(p for p in parts if p is not None)


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
) -> Iterator[ExportRecord]:
    """The selected links of ``headers``' files as records, streamed in deterministic order."""
    for header in headers:
        if not selection.takes_pair(header.pair):
            continue
        for line, data in iter_link_dicts(header.path):
            if not wanted(data, selection, pairs_only):
                continue
            link = link_from_dict(data, header.path, line)
            yield ExportRecord(
                alignment=header.name,
                src_lang=header.src_lang,
                tgt_lang=header.tgt_lang,
                link=link,
                src=fix_surrogates(_side(link.src, header, source, link, line)),
                tgt=fix_surrogates(_side(link.tgt, header, source, link, line)),
                mt=None if (m := _mt(link.src, source)) is None else fix_surrogates(m),
                src_docs=unique_docs(link.src),
                tgt_docs=unique_docs(link.tgt),
            )


@dataclass
class Plan:
    """What an export will write, known before any output file is opened."""

    count: int = 0
    by_alignment: dict[str, int] | None = None
    reviewers: set[str] | None = None


def plan(headers: Sequence[AlignmentHeader], selection: Selection, pairs_only: bool) -> Plan:
    """Count the selected links and collect reviewers (one cheap pass over the files)."""
    result = Plan(0, {}, set())
    assert result.by_alignment is not None and result.reviewers is not None
    for header in headers:
        if not selection.takes_pair(header.pair):
            continue
        n = 0
        for _line, data in iter_link_dicts(header.path):
            if wanted(data, selection, pairs_only):
                n += 1
                reviewer = data.get("reviewer")
                if reviewer:
                    result.reviewers.add(str(reviewer))
        result.by_alignment[header.name] = n
        result.count += n
    return result


def sidecar_path(out: Path) -> Path:
    """The provenance file beside an export: ``OUT.meta.json``."""
    return out.with_name(out.name + ".meta.json")
