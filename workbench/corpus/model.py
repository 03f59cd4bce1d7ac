"""Plain data classes for documents and sentences (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sentence:
    """One statement of a document.

    ``start``/``end`` are character offsets into the document's original text (the file
    decoded as UTF-8, before normalisation), so ``doc.raw[start:end]`` is the sentence as
    written; ``text`` is that span normalised to NFC.
    """

    id: str
    doc_id: str
    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass
class Document:
    id: str
    path: Path
    language: str
    raw: str
    outlet: str | None = None
    date: str | None = None
    edition: int | None = None
    title: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    metadata_span: tuple[int, int] | None = None
    language_source: str = "manifest"

    @property
    def paragraph_count(self) -> int:
        return len({s.paragraph for s in self.sentences})

    def rebuild(self) -> str:
        """The original text from the sentence spans and the gaps between them."""
        parts: list[str] = []
        cursor = 0
        for sentence in self.sentences:
            parts.append(self.raw[cursor : sentence.start])
            parts.append(self.raw[sentence.start : sentence.end])
            cursor = sentence.end
        parts.append(self.raw[cursor:])
        return "".join(parts)


@dataclass
class Corpus:
    root: Path
    documents: list[Document]

    def __post_init__(self) -> None:
        self._sentences = {s.id: s for d in self.documents for s in d.sentences}
        self._documents = {d.id: d for d in self.documents}

    def document(self, doc_id: str) -> Document:
        return self._documents[doc_id]

    def sentence(self, sentence_id: str) -> Sentence:
        return self._sentences[sentence_id]

    def has_sentence(self, sentence_id: str) -> bool:
        return sentence_id in self._sentences

    def by_language(self, language: str) -> list[Document]:
        return [d for d in self.documents if d.language == language]

    def sentences(self) -> list[Sentence]:
        return [s for d in self.documents for s in d.sentences]


def sentence_id(doc_id: str, index: int) -> str:
    """Stable sentence id: document id and 0-based index, e.g. ``fr-2022-cnw:7``."""
    return f"{doc_id}:{index}"


def split_sentence_id(value: str) -> tuple[str, int]:
    doc_id, _, index = value.rpartition(":")
    return doc_id, int(index)
