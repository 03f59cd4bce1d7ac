"""TSV: one link per line under a header line, for spreadsheets and ``cut``.

No quoting: tabs, newlines and other control characters inside a sentence become spaces,
so every line splits into exactly the header's columns. Ids and document lists are
space-separated. A ``OUT.meta.json`` manifest beside the file holds provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.export.records import ExportRecord, sidecar_path
from workbench.export.registry import ExportFormat, ImportedFile, ImportedLink, register_format
from workbench.export.sidecar import read_sidecar, write_sidecar
from workbench.export.text import one_line
from workbench.fileio import atomic_group
from workbench.store.model import Link, Status

COLUMNS = (
    "source", "target", "score", "status", "src_lang", "tgt_lang", "src_doc", "tgt_doc",
    "src_ids", "tgt_ids", "alignment", "link_id", "reviewer",
)  # fmt: skip
REQUIRED = ("src_lang", "tgt_lang", "src_ids", "tgt_ids")


def _ids(ids: list[str]) -> str:
    """Space-separated; whitespace inside an id (the reader splits at any) becomes ``_``."""
    return " ".join("_".join(one_line(i).split()) for i in ids)


def row(record: ExportRecord) -> str:
    link = record.link
    values = (
        one_line(record.src),
        one_line(record.tgt),
        "" if link.score is None else repr(float(link.score)),
        str(link.status),
        one_line(record.src_lang),
        one_line(record.tgt_lang),
        _ids(record.src_docs),  # every column cleaned: a document id may hold a line break
        _ids(record.tgt_docs),
        _ids(link.src),
        _ids(link.tgt),
        one_line(record.alignment),
        one_line(link.id),
        one_line(link.reviewer or ""),
    )
    return "\t".join(values) + "\n"


@register_format("tsv")
class TsvFormat(ExportFormat):
    suffixes = (".tsv",)
    description = "tab-separated, header line, one link per line (+ OUT.meta.json)"

    def write(
        self, records: Iterator[ExportRecord], out: Path, provenance: Callable[[], dict[str, Any]]
    ) -> list[Path]:
        meta = sidecar_path(out)
        with atomic_group() as group:  # data and manifest: both, or neither
            handle = group.open(out)
            side = group.open(meta)
            handle.write("\t".join(COLUMNS) + "\n")
            write = handle.write
            for record in records:
                write(row(record))
            write_sidecar(side, provenance(), {"data": out.name, "columns": list(COLUMNS)})
        return [out, meta]

    def sniff(self, head: str) -> bool:
        first = head.split("\n", 1)[0].rstrip("\r").split("\t")
        return all(c in first for c in REQUIRED)

    def read(self, path: Path) -> ImportedFile:
        return ImportedFile(path, self.name, read_sidecar(sidecar_path(path)), _read_rows(path))


def _read_rows(path: Path) -> Iterator[ImportedLink]:
    """Rows decoded one line at a time (bytes split at ``\n``), so that a line that is not
    UTF-8 is reported with its own number."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError("file does not exist", path) from None
    except OSError as exc:
        raise InputError(f"cannot read this file ({exc.strerror or exc})", path) from None
    counters: dict[str, int] = {}
    with handle:
        header = _decode(handle.readline(), path, 1).rstrip("\r\n").split("\t")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"header line lacks column(s) {', '.join(missing)}", path, 1)
        index = {name: i for i, name in enumerate(header)}
        for number, raw in enumerate(handle, start=2):
            text = _decode(raw, path, number).rstrip("\r\n")
            if not text:
                continue
            cells = text.split("\t")
            if len(cells) != len(header):
                raise InputError(
                    f"expected {len(header)} tab-separated columns, found {len(cells)}",
                    path,
                    number,
                )
            yield _link({name: cells[i] for name, i in index.items()}, path, number, counters)


def _decode(raw: bytes, path: Path, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start + 1} of the line)", path, number
        ) from None


def _link(cells: dict[str, str], path: Path, number: int, counters: dict[str, int]) -> ImportedLink:
    src_lang, tgt_lang = cells["src_lang"], cells["tgt_lang"]
    if not src_lang or not tgt_lang:
        raise InputError("empty src_lang or tgt_lang", path, number)
    alignment = cells.get("alignment") or f"{src_lang}-{tgt_lang}"
    counters[alignment] = counters.get(alignment, 0) + 1
    try:
        score = cells.get("score", "")
        link = Link(
            id=cells.get("link_id") or f"L{counters[alignment]:05d}",
            src=cells["src_ids"].split(),
            tgt=cells["tgt_ids"].split(),
            status=Status(cells.get("status") or "auto"),
            score=float(score) if score else None,
            reviewer=cells.get("reviewer") or None,
        )
    except ValueError as exc:
        raise InputError(f"bad value: {exc}", path, number) from None
    return ImportedLink(alignment, src_lang, tgt_lang, link, number)
