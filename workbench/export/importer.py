"""Read a TMX, TSV or JSONL export back into alignment files.

Links come back with their ids, sentence ids, statuses, scores and reviewers (TMX and
JSONL also keep notes and flags; JSONL keeps everything). The alignment headers
(documents, aligner provenance) come from the export's provenance when present. Reviewer
text edits are not carried by exports and so are not restored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError, WorkbenchError
from workbench.export.records import unique_docs
from workbench.export.registry import format_for_file, get_format
from workbench.fileio import atomic_group
from workbench.names import validate_file_id
from workbench.provenance import ExportProvenance
from workbench.store.files import SUFFIX, dumps_line, header_dict
from workbench.store.guard import refuse_if_under_review
from workbench.store.model import Alignment, link_problem


@dataclass
class ImportResult:
    format_name: str
    written: dict[Path, int]  # file -> number of links


def read_export(
    path: str | Path, format_name: str | None = None
) -> tuple[str, dict[str, Alignment]]:
    """The alignments in an export file, by alignment name (nothing is written)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file does not exist" if not path.exists() else "not a file", path)
    fmt = get_format(format_name) if format_name else format_for_file(path)
    imported = fmt.read(path)
    groups: dict[str, Alignment] = {}
    seen: dict[str, set[str]] = {}
    for item in imported.links:
        alignment = groups.get(item.alignment)
        if alignment is None:
            # a name from the file is data, never a path (``../alignments/fr-en``, ``/tmp/x``)
            validate_file_id("alignment name", item.alignment, path, item.line)
            alignment = groups[item.alignment] = Alignment(item.src_lang, item.tgt_lang)
            seen[item.alignment] = set()
        elif (alignment.src_lang, alignment.tgt_lang) != (item.src_lang, item.tgt_lang):
            raise InputError(
                f"alignment {item.alignment!r} mixes {alignment.src_lang}-{alignment.tgt_lang} "
                f"and {item.src_lang}-{item.tgt_lang} links",
                path,
                item.line,
            )
        problem = link_problem(item.link.to_dict())  # what load_alignment would refuse
        if problem is not None:
            raise InputError(f"invalid link: {problem}", path, item.line)
        if item.link.id in seen[item.alignment]:
            raise InputError(
                f"link id {item.link.id!r} appears twice in {item.alignment!r}", path, item.line
            )
        seen[item.alignment].add(item.link.id)
        alignment.links.append(item.link)
    if not groups:
        raise InputError(f"no links in this {fmt.name} file", path)
    _restore_headers(groups, imported.provenance or {}, path, fmt.name)
    return fmt.name, groups


def _restore_headers(
    groups: dict[str, Alignment], provenance: dict[str, Any], path: Path, format_name: str
) -> None:
    """Documents and aligner provenance from the export's provenance (read through its
    schema: a crafted ``"alignments": 5`` is one line naming the file, not a traceback)."""
    recorded = ExportProvenance.read(provenance, path, what="the export's provenance")
    for name, alignment in groups.items():
        info = recorded.alignment(name)
        alignment.src_docs = list(
            (info and info.src_docs) or unique_docs([s for k in alignment.links for s in k.src])
        )
        alignment.tgt_docs = list(
            (info and info.tgt_docs) or unique_docs([s for k in alignment.links for s in k.tgt])
        )
        alignment.provenance = info.provenance.to_dict() if info is not None else {}
        alignment.provenance["imported"] = {
            "from": path.name,
            "format": format_name,
            "export_signature": recorded.signature,
        }


def import_file(
    path: str | Path,
    out: str | Path | None = None,
    *,
    alignments_dir: str | Path = "alignments",
    format_name: str | None = None,
    force: bool = False,
) -> ImportResult:
    """Import ``path`` into alignment file(s).

    ``out`` is a file (when the export holds one alignment) or a folder; the default is
    ``alignments_dir``, one ``<name>.align.jsonl`` per alignment. Existing files are only
    replaced with ``force``. The file is read completely before anything is written.
    """
    fmt_name, groups = read_export(path, format_name)
    folder_wanted = out is None or str(out).endswith(("/", os.sep))
    targets = _targets(groups, Path(out) if out else Path(alignments_dir), folder_wanted)
    for target in targets.values():
        if target.exists() and not force:
            raise WorkbenchError(
                "alignment file already exists (use --force to replace it)", target
            )
        if not target.parent.is_dir():
            raise WorkbenchError(f"output folder {target.parent} does not exist", target)
        refuse_if_under_review(target, "quit that review")  # --force included
    written = {}
    with atomic_group() as group:  # every file, or none
        for name, target in targets.items():
            handle = group.open(target)
            handle.write(dumps_line(header_dict(groups[name])))
            for link in groups[name].links:
                handle.write(dumps_line(link.to_dict()))
            written[target] = len(groups[name].links)
    return ImportResult(fmt_name, written)


def _targets(
    groups: dict[str, Alignment], out: Path, folder_wanted: bool = False
) -> dict[str, Path]:
    if out.is_dir():
        targets = {name: out / f"{name}{SUFFIX}" for name in groups}
        folded: dict[str, str] = {}
        for name in groups:  # fr-en and FR-EN are one file on a case-insensitive disk
            other = folded.setdefault(name.casefold(), name)
            if other != name:
                raise WorkbenchError(
                    f"alignments {other!r} and {name!r} would be written to one file", out
                )
        return targets
    if folder_wanted:
        raise WorkbenchError("output folder does not exist", out)
    if len(groups) > 1:
        raise WorkbenchError(
            f"the file holds {len(groups)} alignments ({', '.join(groups)}); give --out a folder",
            out,
        )
    return {next(iter(groups)): out}
