"""Read a folder of articles into a :class:`Corpus`: metadata, language, paragraphs, sentences."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from workbench.corpus.langid import detect_language
from workbench.corpus.manifest import ManifestEntry, load_manifest
from workbench.corpus.model import Corpus, Document, Sentence, sentence_id
from workbench.corpus.segment import paragraph_spans, split_paragraph
from workbench.errors import InputError
from workbench.names import file_id_problem
from workbench.settings import CorpusSettings

# Some feeds prefix the article with a stray metadata field: " date 2022-11-26 On October ..."
_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+")


def article_paths(corpus_dir: Path, suffixes: tuple[str, ...] = (".txt",)) -> list[Path]:
    """The article files of ``corpus_dir``. A symbolic link is followed only when its target
    is inside the corpus folder: one that leaves it (``zz.txt -> /etc/passwd``) is refused,
    as is one whose target is missing, so that nothing outside the corpus is read as an
    article and no article silently drops out (README: "The corpus folder")."""
    root = corpus_dir.resolve()
    paths = []
    for path in sorted(corpus_dir.iterdir()):
        if path.suffix not in suffixes:
            continue
        if path.is_symlink():
            check_inside(path, root)
        if path.is_file():
            paths.append(path)
    return paths


def check_inside(path: Path, root: Path) -> None:
    """Refuse a symbolic link in the corpus folder that leaves it or leads nowhere."""
    target = path.resolve()
    if not target.is_relative_to(root):
        raise InputError(
            f"is a symbolic link to {target}, outside the corpus folder; copy the file into "
            "the corpus folder instead",
            path,
        )
    if not target.exists():
        raise InputError(f"is a symbolic link to {target}, which does not exist", path)


def _size(n: int) -> str:
    """``n`` bytes for people: ``1 byte``, ``950 bytes``, ``12.3 KB``, ``10.0 MB``."""
    if n < 1000:
        return f"{n} byte{'s' if n != 1 else ''}"
    if n < 1_000_000:
        return f"{n / 1e3:.1f} KB"
    return f"{n / 1e6:.1f} MB"


def read_article(path: Path, max_bytes: int) -> str:
    """Decode one article, refusing what is not a text article."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit for one article "
            "(split it, or raise corpus.max_document_bytes in workbench.toml)",
            path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:  # unreadable (permissions), vanished, a folder named like an article
        raise InputError(f"cannot read this article ({exc.strerror or exc})", path) from None
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not a text article", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "convert it, e.g. with iconv -t UTF-8",
            path,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError(
            "empty article (no text)" if not text else "article holds only whitespace", path
        )
    return text


def segment_document(doc: Document) -> None:
    """Fill ``doc.sentences`` from ``doc.raw`` (offsets index the original text)."""
    body_start = doc.metadata_span[1] if doc.metadata_span else 0
    sentences: list[Sentence] = []
    for paragraph_index, (p_start, p_end) in enumerate(paragraph_spans(doc.raw[body_start:])):
        p_start += body_start
        p_end += body_start
        for start, end in split_paragraph(doc.raw[p_start:p_end], doc.language):
            s, e = p_start + start, p_start + end
            text = unicodedata.normalize("NFC", doc.raw[s:e])
            index = len(sentences)
            sentences.append(
                Sentence(sentence_id(doc.id, index), doc.id, index, paragraph_index, s, e, text)
            )
    doc.sentences = sentences


def load_document(path: Path, entry: ManifestEntry | None, settings: CorpusSettings) -> Document:
    raw = read_article(path, settings.max_document_bytes)
    entry = entry or ManifestEntry(file=path.name)
    date = entry.date
    metadata_span = None
    match = _DATE_PREFIX.match(raw)
    if match:
        metadata_span = (match.start(), match.end())
        date = date or match.group(1)
    language, source = entry.language, "manifest"
    if language is None:
        body = raw[metadata_span[1] if metadata_span else 0 :]
        language, source = detect_language(unicodedata.normalize("NFC", body)), "detected"
    if language not in settings.languages:
        how = "detected as" if source == "detected" else "manifest says"
        raise InputError(
            f"unsupported language ({how} {language!r}); supported: {', '.join(settings.languages)} "
            "(set the language in manifest.toml or add it to corpus.languages)",
            path,
        )
    doc_id = entry.id or path.stem
    problem = file_id_problem(doc_id)
    if problem is not None:  # ids from manifest.toml are checked when it is read
        raise InputError(
            f"document id {doc_id!r} (from the file name) {problem}; rename the file or give "
            "it an id in manifest.toml",
            path,
        )
    doc = Document(
        id=doc_id,
        path=path,
        language=language,
        raw=raw,
        outlet=entry.outlet,
        date=date,
        edition=entry.edition,
        title=entry.title,
        metadata_span=metadata_span,
        language_source=source,
    )
    segment_document(doc)
    return doc


def ingest(corpus_dir: str | Path, settings: CorpusSettings | None = None) -> Corpus:
    """Read every article in ``corpus_dir`` into a :class:`Corpus` (reads only, writes nothing)."""
    corpus_dir = Path(corpus_dir)
    settings = settings or CorpusSettings()
    if not corpus_dir.is_dir():
        raise InputError("corpus folder does not exist", corpus_dir)
    entries = load_manifest(corpus_dir).by_file()
    paths = article_paths(corpus_dir, tuple(settings.suffixes))
    if not paths:
        raise InputError(
            f"no articles ({', '.join(settings.suffixes)} files) in the corpus folder", corpus_dir
        )
    documents: list[Document] = []
    owners: dict[str, Path] = {}
    for path in paths:
        doc = load_document(path, entries.get(path.name), settings)
        if doc.id in owners:
            raise InputError(
                f"document id {doc.id!r} is already used by {owners[doc.id].name}", path
            )
        owners[doc.id] = path
        documents.append(doc)
    return Corpus(corpus_dir, documents)
