"""Streaming reader of alignment files: the header, then one link at a time.

``load_alignment`` builds the whole :class:`Alignment` in memory; exporting a million links
does not need that. The header goes through the same checks as ``load_alignment``
(``alignment_from_header``); damaged lines name the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from workbench.errors import InputError
from workbench.jsonlines import open_lines
from workbench.jsontext import has_surrogate_escape, parse_json_object
from workbench.store.files import SUFFIX, alignment_from_header
from workbench.store.guard import pending_decisions
from workbench.store.journal import journal_path
from workbench.store.model import Alignment, Link, Rejection, Status, link_problem, now_iso
from workbench.store.session import load_current


@dataclass
class AlignmentHeader:
    """The first line of an alignment file, plus where it came from."""

    path: Path
    src_lang: str
    tgt_lang: str
    src_docs: list[str] = field(default_factory=list)
    tgt_docs: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)  # standing rejections (never rows)
    # the links with a pending review journal applied (``read_current_header``); None: the file's
    links: list[Link] | None = None
    journal_decisions: int = 0  # how many journal decisions ``links`` holds beyond the file

    @property
    def name(self) -> str:
        """The alignment's name: the file name without ``.align.jsonl`` (e.g. ``fr-en``)."""
        name = self.path.name
        return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else self.path.stem

    @property
    def pair(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"


def _parse(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        data = orjson.loads(line)  # about twice as fast as json.loads
    except orjson.JSONDecodeError:
        data = None  # NaN, lone surrogates, deep nesting...: the shared parser decides
    if type(data) is not dict or has_surrogate_escape(line):
        data = parse_json_object(line, path, number)
    return data


def _open(path: Path):
    try:
        return open_lines(path)  # records end at "\n" only
    except FileNotFoundError:
        raise InputError("alignment file does not exist", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not an alignment file", path) from None


def read_header(path: str | Path) -> AlignmentHeader:
    """Only the header line of an alignment file (cheap: one line is read)."""
    path = Path(path)
    with _open(path) as handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError:
            raise InputError("alignment file is not UTF-8 text (damaged?)", path) from None
    if not first.strip():
        raise InputError("alignment file is empty", path)
    return _header(_parse(first, path, 1), path)


def read_current_header(path: str | Path) -> AlignmentHeader:
    """:func:`read_header`, but when a review session (running, or killed) has decisions in
    the file's journal not yet saved into it, those are applied in memory, read-only
    (``store.session.load_current``): readers see what the reviewer sees."""
    path = Path(path)
    header = read_header(path)
    if not journal_path(path).exists() or not pending_decisions(path):
        return header
    alignment, applied = load_current(path)
    if not applied:
        return header
    return _header_of(alignment, path, links=alignment.links, journal_decisions=applied)


def link_dicts(header: AlignmentHeader) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, raw link dict)`` of ``header``'s links: streamed from the file, or
    from the journal-applied links of :func:`read_current_header` (numbered as in a file)."""
    if header.links is None:
        yield from iter_link_dicts(header.path)
        return
    for number, link in enumerate(header.links, start=2):
        yield number, link.to_dict()


def _header(data: dict[str, Any], path: Path) -> AlignmentHeader:
    return _header_of(alignment_from_header(data, path), path)


def _header_of(
    alignment: Alignment,
    path: Path,
    links: list[Link] | None = None,
    journal_decisions: int = 0,
) -> AlignmentHeader:
    """The header fields of ``alignment`` (read from ``path``); ``links``: journal-applied."""
    return AlignmentHeader(
        path=path,
        src_lang=alignment.src_lang,
        tgt_lang=alignment.tgt_lang,
        src_docs=alignment.src_docs,
        tgt_docs=alignment.tgt_docs,
        provenance=alignment.provenance,
        edits=alignment.edits,
        rejected=alignment.rejected,
        links=links,
        journal_decisions=journal_decisions,
    )


def iter_link_dicts(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, raw link dict)`` for every link line, in file order, one at a time."""
    path = Path(path)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    with _open(path) as handle:
        try:
            handle.readline()
            number = 1
            for line in handle:
                number += 1
                if line[-1:] != "\n":
                    raise InputError("alignment file is truncated (no final newline)", path, number)
                try:
                    data = loads(line)  # the hot path: one C call per line
                except decode_error:
                    if not line.strip():
                        continue
                    data = _parse(line, path, number)  # json fallback and error message
                if type(data) is not dict or "\\u" in line:
                    data = _parse(line, path, number)
                yield number, data
        except UnicodeDecodeError:
            raise InputError("alignment file is not UTF-8 text (damaged?)", path) from None


def iter_links(path: str | Path) -> Iterator[Link]:
    """Every :class:`Link` of an alignment file, streamed in file order."""
    path = Path(path)
    for number, data in iter_link_dicts(path):
        yield link_from_dict(data, path, number)


def link_from_dict(data: dict[str, Any], path: Path, number: int, *, checked: bool = False) -> Link:
    """``Link.from_dict`` with a fast path for the common, well-formed line; both refuse
    what ``link_problem`` refuses, as ``load_alignment`` does (``checked``: the caller has
    already run ``link_problem``)."""
    problem = None if checked else link_problem(data)
    if problem is not None:
        raise InputError(f"invalid link: {problem}", path, number)
    if data.get("flags"):
        return Link.from_dict(data)
    return Link(
        data["id"],
        data.get("src", []),
        data.get("tgt", []),
        _STATUSES[data.get("status", "auto")],
        data.get("score"),
        data.get("features") or {},
        [],
        data.get("reviewer"),
        data.get("note", ""),
        data.get("created") or now_iso(),
        data.get("modified"),
    )


_STATUSES = {s.value: s for s in Status}
