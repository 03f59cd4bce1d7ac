"""Export driver: pick files, plan, build provenance, hand records to a format writer."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.export.provenance import build_provenance, model_ids
from workbench.export.records import (
    NothingToExport,
    Tally,
    TextSource,
    counted,
    iter_records,
    pre_count,
    sidecar_path,
)
from workbench.export.registry import get_format
from workbench.export.select import Selection
from workbench.export.stream import AlignmentHeader, read_current_header
from workbench.fileio import check_output_path, is_writable


@dataclass
class ExportResult:
    format_name: str
    count: int
    paths: list[Path] = field(default_factory=list)
    by_alignment: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, Any] | None = None
    # alignment name -> review decisions read from its journal (not yet saved into the file)
    from_journal: dict[str, int] = field(default_factory=dict)


def check_output(out: Path) -> None:
    """Fail before any work when the output folder is missing or read-only."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbenchError(f"output folder {folder} does not exist", out)
    if not is_writable(folder) or not os.access(folder, os.X_OK):
        raise WorkbenchError(f"output folder {folder} is not writable", out)
    if out.is_dir():
        raise WorkbenchError("output path is a folder; give a file name (or prefix)", out)
    check_output_path(out)  # a device (/dev/full), FIFO or link is never replaced
    check_output_path(sidecar_path(out))


def export_alignments(
    files: Sequence[str | Path],
    format_name: str,
    out: str | Path,
    source: TextSource,
    selection: Selection | None = None,
    *,
    created: str | None = None,
    version: str | None = None,
) -> ExportResult:
    """Export the selected links of alignment ``files`` to ``out`` in ``format_name``.

    Streams (one pass; two for formats whose header needs the counts): memory does not grow
    with the number of links. Nothing is written
    when no link matches (``result.count == 0``). ``created``/``version`` fix the provenance
    (golden-file tests).
    """
    fmt = get_format(format_name)
    selection = selection or Selection()
    out = Path(out)
    check_output(out)
    if not files:
        raise WorkbenchError("no alignment files to export (run `workbench align` first?)")
    headers = _read_headers(files)
    from_journal = {h.name: h.journal_decisions for h in headers if h.journal_decisions}
    used = [h for h in headers if selection.takes_pair(h.pair)]
    tally = Tally(by_alignment=dict.fromkeys((h.name for h in used), 0))
    expected = None
    if fmt.header_first:  # e.g. TMX: counts and reviewers go in the header, before the links
        expected = pre_count(used, selection, fmt.pairs_only)
        if expected.count == 0:
            return ExportResult(fmt.name, 0, [], expected.by_alignment, None, from_journal)

    src_docs = list(dict.fromkeys(d for h in used for d in h.src_docs))
    mt = source.mt_provenance(src_docs)
    mt_models = _model_by_document(mt)

    def provenance() -> dict[str, Any]:
        """Counts and reviewers: from the pre-count, else from the finished stream."""
        return _provenance(fmt.name, used, selection, mt, expected or tally, created, version)

    records = counted(
        iter_records(used, selection, source, fmt.pairs_only, mt_models), tally, expected
    )
    try:
        paths = fmt.write(records, out, provenance)
    except NothingToExport:  # the writer's temporary files are gone: nothing written
        return ExportResult(fmt.name, 0, [], tally.by_alignment, None, from_journal)
    return ExportResult(
        fmt.name, tally.count, paths, tally.by_alignment, provenance(), from_journal
    )


def _read_headers(files: Sequence[str | Path]) -> list[AlignmentHeader]:
    """The files' headers in file-name order, as their journals leave them (a review's
    decisions still in its journal, after a crash or while a session runs, count too)."""
    headers = sorted((read_current_header(f) for f in files), key=lambda h: h.path.name)
    names = [h.name for h in headers]
    if len(set(names)) != len(names):
        raise WorkbenchError(f"two alignment files share a name: {', '.join(names)}")
    return headers


def _model_by_document(mt: list[dict[str, Any]]) -> dict[str, str]:
    """Each translated document's ``model@revision`` (its first), from the MT provenance."""
    return {p["doc"]: m[0] for p in mt if "doc" in p and (m := model_ids([p]))}


def _provenance(
    format_name: str,
    used: list[AlignmentHeader],
    selection: Selection,
    mt: list[dict[str, Any]],
    known: Tally,
    created: str | None,
    version: str | None,
) -> dict[str, Any]:
    """The export's provenance, with the counts and reviewers of ``known``."""
    return build_provenance(
        format_name=format_name,
        headers=used,
        selection=selection,
        mt=mt,
        reviewers=known.reviewers,
        count=known.count,
        by_alignment=known.by_alignment,
        created=created,
        version=version,
    )
