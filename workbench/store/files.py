"""Alignment files: JSON Lines, one header line then one link per line.

The format is readable and diffs well in git (one changed decision = one changed line)::

    {"format": "workbench-alignment", "schema": 1, "src_lang": "fr", "tgt_lang": "en", ...}
    {"id": "L00001", "src": ["fr-2022-cnw:0"], "tgt": ["en-2022-chinadaily:0"], "status": "auto", ...}

Saving is atomic (temporary file, fsync, rename). Loading checks the format name and
schema version and refuses damaged files without changing anything.

Schema 2 adds the header field ``rejected`` (standing rejections, see
:class:`~workbench.store.model.Rejection`). A file with no rejected pair is written as
schema 1, byte for byte what earlier versions wrote, so they still read it.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.fileio import atomic_writer
from workbench.jsonlines import escape_breaks, read_records
from workbench.jsontext import (
    fix_surrogates_deep,
    has_surrogate_escape,
    parse_json_object,
)
from workbench.provenance import AlignmentProvenance
from workbench.store.model import (
    Alignment,
    Flag,
    Link,
    Rejection,
    Status,
    flag_problem,
    link_problem,
    rejection_problem,
    sorted_rejections,
)

FORMAT_NAME = "workbench-alignment"
SCHEMA_VERSION = 2  # the newest schema read and written
SCHEMA_REJECTED = 2  # the first schema with the header field ``rejected``
SUFFIX = ".align.jsonl"


def dumps_line(data: dict[str, Any]) -> str:
    """One JSON line, readable (non-ASCII unescaped). Lone surrogates, which UTF-8 cannot
    store, are written as U+FFFD (readers repair old files the same way)."""
    line = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(
            fix_surrogates_deep(data), ensure_ascii=False, sort_keys=True, separators=(", ", ": ")
        )
    return escape_breaks(line) + "\n"  # U+2028...: one record, one line (workbench.jsonlines)


def header_dict(alignment: Alignment) -> dict[str, Any]:
    """The header line of ``alignment``: schema 1, or 2 when it has standing rejections."""
    header = {
        "format": FORMAT_NAME,
        "schema": 1,
        "src_lang": alignment.src_lang,
        "tgt_lang": alignment.tgt_lang,
        "src_docs": alignment.src_docs,
        "tgt_docs": alignment.tgt_docs,
        "provenance": AlignmentProvenance.read(alignment.provenance).to_dict(),
        "edits": alignment.edits,
    }
    if alignment.rejected:
        header["schema"] = SCHEMA_REJECTED
        header["rejected"] = [r.to_dict() for r in sorted_rejections(alignment.rejected)]
    return header


def save_alignment(alignment: Alignment, path: str | Path) -> None:
    """Write ``alignment`` to ``path`` atomically: the old file survives any crash."""
    with atomic_writer(path) as handle:
        handle.write(dumps_line(header_dict(alignment)))
        for link in alignment.links:
            handle.write(dumps_line(link.to_dict()))


def load_alignment(path: str | Path, *, fast: bool = True) -> Alignment:
    """Read an alignment file; raise :class:`InputError` naming the file and line if damaged.

    ``fast=False`` forces the line-by-line parser (the fast path falls back to it anyway
    whenever a line is unusual, so results and errors are the same either way).
    """
    path = Path(path)
    lines = read_records(path, "alignment")
    alignment = alignment_from_header(_parse_line(lines[0], path, 1), path)
    body = lines[1:]
    links = _links_fast(body) if fast else None
    alignment.links = links if links is not None else _links_strict(body, path)
    return alignment


def check_schema(schema: Any, supported: int, path: Path) -> None:
    """A header's ``schema`` must be a whole number from 1 to ``supported`` (errors: line 1)."""
    if type(schema) is not int or schema < 1:
        raise InputError(f"schema version must be a whole number >= 1, not {schema!r}", path, 1)
    if schema > supported:
        raise InputError(
            f"schema version {schema} is newer than this workbench reads ({supported}); "
            "upgrade workbench",
            path,
            1,
        )


def alignment_from_header(header: dict[str, Any], path: Path) -> Alignment:
    """An :class:`Alignment` without links from a parsed header line, checked: format name,
    schema version, every field's type (errors name ``path``, line 1)."""
    if header.get("format") != FORMAT_NAME:
        raise InputError(
            f"not a workbench alignment file (format {header.get('format')!r})", path, 1
        )
    check_schema(header.get("schema"), SCHEMA_VERSION, path)
    problem = _header_problem(header)
    if problem:
        raise InputError(f"header is missing or has a wrong field: {problem}", path, 1)
    provenance = AlignmentProvenance.read(header.get("provenance"), path, 1, "header provenance")
    return Alignment(
        src_lang=header["src_lang"],
        tgt_lang=header["tgt_lang"],
        src_docs=list(header.get("src_docs", [])),
        tgt_docs=list(header.get("tgt_docs", [])),
        provenance=provenance.to_dict(),
        edits=dict(header.get("edits", {})),
        rejected=sorted_rejections(Rejection.from_dict(r) for r in header.get("rejected", [])),
    )


_HEADER_FIELDS = frozenset(
    ("format", "schema", "src_lang", "tgt_lang", "src_docs", "tgt_docs", "provenance", "edits")
)


def _header_problem(header: dict[str, Any]) -> str | None:
    known = _HEADER_FIELDS | ({"rejected"} if header["schema"] >= SCHEMA_REJECTED else set())
    if "rejected" in header and "rejected" not in known:  # an older workbench would drop it
        return f"'rejected' needs schema {SCHEMA_REJECTED} (this header says {header['schema']})"
    if not known.issuperset(header):  # a save would drop it
        return f"unknown header field(s) {sorted(set(header) - known)}"
    for name in ("src_lang", "tgt_lang"):
        if type(header.get(name)) is not str or not header[name]:
            return f"{name!r} must be a non-empty string"
    for name in ("src_docs", "tgt_docs"):
        docs = header.get(name, [])
        if type(docs) is not list or any(type(d) is not str for d in docs):
            return f"{name!r} must be a list of document ids (strings)"
    edits = header.get("edits", {})
    if type(edits) is not dict or any(type(v) is not str for v in edits.values()):
        return "'edits' must be an object of sentence id -> text"
    return _rejected_problem(header.get("rejected", []))


def _rejected_problem(rejected: Any) -> str | None:
    """Why a header's ``rejected`` list is not valid (entries checked, no pair twice)."""
    if type(rejected) is not list:
        return "'rejected' must be a list of rejected pairs"
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for entry in rejected:
        problem = rejection_problem(entry)
        if problem:
            return f"'rejected': {problem}"
        pair = (tuple(entry["src"]), tuple(entry["tgt"]))
        if pair in seen:
            return f"'rejected' holds the pair {list(pair[0])} / {list(pair[1])} twice"
        seen.add(pair)
    return None


def _links_strict(body: list[str], path: Path) -> list[Link]:
    """Line by line, so that a problem is reported with its line number."""
    links: list[Link] = []
    seen: set[str] = set()
    for number, line in enumerate(body, start=2):
        if not line.strip():
            continue
        try:
            link = Link.from_dict(_parse_line(line, path, number))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"invalid link: {exc}", path, number) from None
        if link.id in seen:
            raise InputError(f"link id {link.id!r} appears twice", path, number)
        seen.add(link.id)
        links.append(link)
    return links


_STATUS = {status.value: status for status in Status}
_LINK_FIELDS = set(Link.__dataclass_fields__)


def _links_fast(body: list[str]) -> list[Link] | None:
    """All links in one ``json.loads`` with the garbage collector paused (100,000 links
    load several times faster than line by line). ``None`` when anything is unusual, so
    that the strict path reports it: every record passes the same check (``link_problem``)
    as on the strict path, so both accept and refuse the same files."""
    if any(not line.strip() for line in body):
        return None
    try:
        with gc_paused():
            joined = "[" + ",".join(body) + "]"
            records = json.loads(joined) if body else []
            if len(records) != len(body):  # a line held two values: "{...},{...}"
                return None
            if has_surrogate_escape(joined):
                records = fix_surrogates_deep(records)
            links = []
            new = object.__new__
            for record in records:
                complete = record.keys() == _LINK_FIELDS
                if not (_complete_ok(record) if complete else link_problem(record) is None):
                    return None
                record["status"] = _STATUS[record.get("status", "auto")]
                if record.get("flags"):
                    record["flags"] = [Flag(**flag) for flag in record["flags"]]
                if complete:  # skip __init__
                    link = new(Link)
                    link.__dict__ = record
                else:
                    link = Link(**record)
                links.append(link)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if len({link.id for link in links}) != len(links):
        return None
    return links


_NUMBER = (int, float)


def _complete_ok(r: dict[str, Any]) -> bool:
    """``link_problem(r) is None`` for a record with every field, inlined (the fast path runs
    it 100,000 times); it may refuse more, never less (then the strict path decides)."""
    return (
        type(r["id"]) is str
        and r["id"] != ""
        and type(r["src"]) is list
        and type(r["tgt"]) is list
        and all(type(s) is str for s in r["src"])
        and all(type(s) is str for s in r["tgt"])
        and type(r["status"]) is str
        and r["status"] in _STATUS
        and (r["score"] is None or type(r["score"]) in _NUMBER)
        and type(r["features"]) is dict
        and all(type(v) in _NUMBER for v in r["features"].values())
        and type(r["flags"]) is list
        and (not r["flags"] or all(flag_problem(f) is None for f in r["flags"]))
        and type(r["note"]) is str
        and type(r["created"]) is str
        and (r["reviewer"] is None or type(r["reviewer"]) is str)
        and (r["modified"] is None or type(r["modified"]) is str)
    )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (it rescans growing lists of new objects)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_line(line: str, path: Path, number: int) -> dict[str, Any]:
    return parse_json_object(line, path, number)


CONFLICT_MARK = ".conflict-"  # review copies saved beside a file changed on disk (session.save)


def alignment_files(folder: str | Path) -> list[Path]:
    """Alignment files in ``folder``, sorted by name; ``<name>.conflict-<time>.align.jsonl``
    copies are not alignments of their own (name them explicitly to use one)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{SUFFIX}") if CONFLICT_MARK not in p.name)
