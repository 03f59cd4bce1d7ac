"""Machine translations of corpus sentences, as stored beside the corpus.

One file per document and target language: ``<corpus>/translations/<doc_id>.<tgt>.jsonl``,
a header line with provenance, then one ``{"id", "source", "translation"}`` record per
sentence. The translation engine writes these; the aligner and the review UI read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.fileio import atomic_writer
from workbench.jsonlines import dumps_line, split_lines
from workbench.jsontext import parse_json_object as loads
from workbench.names import validate_file_id

TRANSLATIONS_DIR = "translations"
FORMAT_NAME = "workbench-translations"


@dataclass
class DocumentTranslations:
    doc_id: str
    tgt_lang: str
    provenance: dict[str, Any] = field(default_factory=dict)
    by_sentence: dict[str, str] = field(default_factory=dict)


def translations_path(corpus_dir: Path, doc_id: str, tgt_lang: str) -> Path:
    validate_file_id("document id", doc_id)
    validate_file_id("language", tgt_lang)
    return Path(corpus_dir) / TRANSLATIONS_DIR / f"{doc_id}.{tgt_lang}.jsonl"


def save_document_translations(
    corpus_dir: Path,
    doc_id: str,
    tgt_lang: str,
    records: Iterable[tuple[str, str, str]],
    provenance: dict[str, Any],
) -> Path:
    """Write ``(sentence_id, source_text, translation)`` records atomically."""
    path = translations_path(corpus_dir, doc_id, tgt_lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "format": FORMAT_NAME,
        "doc_id": doc_id,
        "tgt_lang": tgt_lang,
        "provenance": provenance,
    }
    with atomic_writer(path) as handle:
        handle.write(dumps_line(header, sort_keys=True))
        for sid, source, translation in records:
            record = {"id": sid, "source": source, "translation": translation}
            handle.write(dumps_line(record))
    return path


def load_document_translations(path: Path) -> DocumentTranslations:
    try:
        lines = split_lines(path.read_text(encoding="utf-8"))  # "\n" only, never U+2028
    except UnicodeDecodeError:
        raise InputError("translations file is not UTF-8 text (damaged?)", path) from None
    number = 1
    try:
        header = loads(lines[0], path, number)
        if header.get("format") != FORMAT_NAME:
            raise ValueError(f"format {header.get('format')!r}")
        validate_file_id("document id", header["doc_id"], path, 1)  # data, never a path
        result = DocumentTranslations(
            header["doc_id"], header["tgt_lang"], header.get("provenance", {})
        )
        for number, line in enumerate(lines[1:], start=2):  # noqa: B007 (used in the error)
            record = loads(line, path, number)
            if not isinstance(record["id"], str) or not isinstance(record["translation"], str):
                raise ValueError("'id' and 'translation' must be strings")
            result.by_sentence[record["id"]] = record["translation"]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"damaged translations file: {exc}", path, number) from None
    return result


def load_translations(corpus_dir: Path, tgt_lang: str = "en") -> dict[str, DocumentTranslations]:
    """All stored translations into ``tgt_lang``, by document id (empty when none)."""
    folder = Path(corpus_dir) / TRANSLATIONS_DIR
    if not folder.is_dir():
        return {}
    result = {}
    for path in sorted(folder.glob(f"*.{tgt_lang}.jsonl")):
        doc = load_document_translations(path)
        result[doc.doc_id] = doc
    return result
