"""Sentence splitting with character offsets.

* Thai: PyThaiNLP's ``crfcut`` per paragraph, then clause fragments are merged into
  statements (crfcut cuts at most spaces; Thai has no sentence-final punctuation).
* Latin scripts (en, fr, ...): pySBD, a rule-based splitter with per-language abbreviation
  lists, run per paragraph, with a few merges for list items it over-splits.

Every function returns ``(start, end)`` spans into the text it was given, with surrounding
whitespace excluded, so the caller can map spans back to the original file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

Span = tuple[int, int]

# A paragraph is a run of lines separated by one or more blank lines (or single newlines:
# news feeds often use one newline per paragraph).
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")

# Thai clause-initial words that continue the previous clause rather than start a statement:
# conjunctions ("and", "or", "as well as", "including", "which", "in order to", "moreover")
# and reporting verbs ("said that").
THAI_CONTINUATION_PREFIXES = (
    "และ",
    "หรือ",
    "แต่",
    "ตลอดจน",
    "รวมทั้ง",
    "รวมถึง",
    "ซึ่ง",
    "โดย",
    "เพื่อ",
    "อีกทั้ง",
    "กล่าว",
    "ว่า",
    "ด้วย",
    "จึง",
    "ยัง",
    "พร้อม",
    "ทั้ง",
    "เช่น",
    "ส่งผล",
    "ทำให้",
)
# Fewer non-space characters than this and a Thai piece is a fragment, not a statement.
THAI_MIN_STATEMENT_CHARS = 60


def paragraph_spans(text: str) -> list[Span]:
    """Spans of non-blank paragraphs, stripped of surrounding whitespace."""
    spans: list[Span] = []
    cursor = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        span = _strip_span(text, cursor, end)
        if span:
            spans.append(span)
        if match:
            cursor = match.end()
    return spans


def _strip_span(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _locate(text: str, pieces: list[str]) -> list[Span]:
    """Map the splitter's pieces back to spans of ``text`` (pieces are in order)."""
    spans: list[Span] = []
    cursor = 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        start = text.find(stripped, cursor)
        if start < 0:
            raise ValueError(f"segmenter changed the text near {stripped[:40]!r}")
        spans.append((start, start + len(stripped)))
        cursor = start + len(stripped)
    return spans


# Splitters are run on windows of at most this many characters: pySBD's abbreviation pass
# is quadratic in the length of its input (a 200 KB one-line article took 37 s), windows
# make ingestion linear (bench/ingest_speed.py --long).
WINDOW_CHARS = 5000


def windowed(paragraph: str, pieces_of: Callable[[str], list[Span]]) -> list[Span]:
    """``pieces_of(paragraph)``, computed window by window on a long paragraph.

    Each window keeps every piece but its last (which the window edge may have cut); the
    next window starts where that piece starts. A window with no break at all (a sentence
    longer than a window) goes on at its last space, and its text joins the next piece.
    """
    if len(paragraph) <= WINDOW_CHARS:
        return pieces_of(paragraph)
    spans: list[Span] = []
    pos, size = 0, len(paragraph)
    carry: int | None = None  # start of a sentence longer than a window
    while pos < size:
        end = min(size, pos + WINDOW_CHARS)
        local = [(pos + s, pos + e) for s, e in pieces_of(paragraph[pos:end])]
        if carry is not None and local:
            local[0], carry = (carry, local[0][1]), None
        if end == size:
            spans += local
            break
        if len(local) >= 2:
            spans += local[:-1]
            pos = local[-1][0]
            continue
        if local and carry is None:
            carry = local[0][0]
        cut = paragraph.rfind(" ", pos + 1, end)
        pos = cut if cut > pos else end
    if carry is not None:
        spans.append((carry, _strip_span(paragraph, carry, size)[1]))
    return spans


def _fill_gaps(text: str, spans: list[Span]) -> list[Span]:
    """Make spans cover every non-space character: stray text joins a neighbouring span."""
    if not spans:
        stripped = _strip_span(text, 0, len(text))
        return [stripped] if stripped else []
    out = [list(span) for span in spans]
    lead = _strip_span(text, 0, out[0][0])
    if lead:
        out[0][0] = lead[0]
    for i, span in enumerate(out):
        next_start = out[i + 1][0] if i + 1 < len(out) else len(text)
        tail = _strip_span(text, span[1], next_start)
        if tail:
            span[1] = tail[1]
    return [(start, end) for start, end in out]


# --- Thai -------------------------------------------------------------------------------


def split_thai(paragraph: str) -> list[Span]:
    """Statements of one Thai paragraph: crfcut pieces, clause fragments merged."""
    from pythainlp.tokenize import sent_tokenize

    def pieces(text: str) -> list[Span]:
        return _locate(text, sent_tokenize(text, engine="crfcut"))

    spans = _fill_gaps(paragraph, windowed(paragraph, pieces))
    return merge_thai_fragments(paragraph, spans)


def _is_fragment(text: str) -> bool:
    return len(re.sub(r"\s", "", text)) < THAI_MIN_STATEMENT_CHARS


def _continues(text: str) -> bool:
    return text.lstrip().startswith(THAI_CONTINUATION_PREFIXES)


def merge_thai_fragments(paragraph: str, spans: list[Span]) -> list[Span]:
    """Join pieces that cannot stand alone as statements.

    A piece opening with a conjunction joins the previous piece; a short piece joins the
    previous one too (a list item or trailing clause), except at the start of a paragraph,
    where it is a leading clause ("ภายในงาน ...", "In the event ...") and joins the next.
    """
    merged: list[list[int]] = []
    carry: int | None = None  # start of a leading fragment waiting for the next piece
    for start, end in spans:
        if carry is not None:
            start, carry = carry, None
        piece = paragraph[start:end]
        if merged and (_continues(piece) or _is_fragment(piece)):
            merged[-1][1] = end
        elif not merged and _is_fragment(piece):
            carry = start
        else:
            merged.append([start, end])
    if carry is not None:
        merged.append([carry, spans[-1][1]])
    return [(s, e) for s, e in merged]


# --- Latin scripts ----------------------------------------------------------------------

# pySBD splits after "etc." before a capital; in company lists ("..., etc. Ltd, Haier Group")
# that cuts a list in two. Rejoin when the next piece starts like a list item.
_LIST_CONTINUATION = re.compile(r"^(Ltd|Co\b|Inc\b|Corp\b|and\b|or\b|[a-z])")


@cache
def _pysbd_segmenter(language: str):
    import pysbd

    try:
        return pysbd.Segmenter(language=language, clean=False, char_span=False)
    except ValueError:
        return pysbd.Segmenter(language="en", clean=False, char_span=False)


def split_latin(paragraph: str, language: str) -> list[Span]:
    """Sentences of one paragraph in a Latin-script language, via pySBD."""
    segmenter = _pysbd_segmenter(language)

    def pieces(text: str) -> list[Span]:
        return _locate(text, segmenter.segment(text))

    spans = _fill_gaps(paragraph, windowed(paragraph, pieces))
    out: list[Span] = []
    for start, end in spans:
        if out and _LIST_CONTINUATION.match(paragraph[start:end]):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


SPLITTERS: dict[str, Callable[[str], list[Span]]] = {"th": split_thai}


def split_paragraph(paragraph: str, language: str) -> list[Span]:
    """Sentence spans of one paragraph in ``language`` (ISO 639-1)."""
    splitter = SPLITTERS.get(language)
    if splitter is not None:
        return splitter(paragraph)
    return split_latin(paragraph, language)


def _package(language: str) -> str:
    return "pythainlp" if language in SPLITTERS else "pysbd"


def signature_from_versions(language: str, versions: Mapping[str, str]) -> str | None:
    """The splitter signature of ``language`` given package versions (``{"pysbd": "0.3.4"}``,
    as an alignment's provenance records them); ``None`` if the package is not among them."""
    version = versions.get(_package(language))
    if not version:
        return None
    if language in SPLITTERS:
        return f"pythainlp-{version}:crfcut+merge{THAI_MIN_STATEMENT_CHARS}"
    return f"pysbd-{version}:{language}"


def segmenter_signature(language: str) -> str:
    """Which splitter (and version) a language goes through here, for provenance."""
    from importlib.metadata import version

    package = _package(language)
    return signature_from_versions(language, {package: version(package)}) or "unknown"
