"""Moses: line-parallel plain text, one file per language, OPUS-style names.

``--out corpus`` writes ``corpus.fr-en.fr`` + ``corpus.fr-en.en`` (and the same for every
other language pair exported), plus ``corpus.meta.json`` with provenance and line counts.
Every line is one link; tabs, newlines and other control characters inside a segment
become spaces, so the files always have the same number of lines. 1-0 and 0-1 links are
left out. There is no reader: the files carry no sentence ids (import TMX, TSV or JSONL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from workbench.export.records import ExportRecord, sidecar_path
from workbench.export.registry import ExportFormat, register_format
from workbench.export.sidecar import write_sidecar
from workbench.export.text import one_line
from workbench.fileio import atomic_group
from workbench.names import validate_file_id


def moses_paths(out: Path, src_lang: str, tgt_lang: str) -> tuple[Path, Path]:
    validate_file_id("language", src_lang)  # from the alignment file: part of the file names
    validate_file_id("language", tgt_lang)
    pair = f"{src_lang}-{tgt_lang}"
    return out.with_name(f"{out.name}.{pair}.{src_lang}"), out.with_name(
        f"{out.name}.{pair}.{tgt_lang}"
    )


@register_format("moses")
class MosesFormat(ExportFormat):
    suffixes = ()
    pairs_only = True
    description = "two line-parallel text files per language pair (+ OUT.meta.json)"

    def write(
        self, records: Iterator[ExportRecord], out: Path, provenance: Callable[[], dict[str, Any]]
    ) -> list[Path]:
        files: dict[tuple[str, str], tuple[IO[str], IO[str]]] = {}
        counts: dict[tuple[str, str], int] = {}
        paths: list[Path] = []
        # one unit: every file is complete before the first rename, or none is renamed
        with atomic_group() as group:
            for record in records:
                pair = (record.src_lang, record.tgt_lang)
                handles = files.get(pair)
                if handles is None:
                    src_path, tgt_path = moses_paths(out, *pair)
                    handles = files[pair] = (group.open(src_path), group.open(tgt_path))
                    counts[pair] = 0
                    paths += [src_path, tgt_path]
                handles[0].write(one_line(record.src) + "\n")
                handles[1].write(one_line(record.tgt) + "\n")
                counts[pair] += 1
            meta = sidecar_path(out)
            listing = {}
            for pair in sorted(counts):
                src_path, tgt_path = moses_paths(out, *pair)
                listing[f"{pair[0]}-{pair[1]}"] = {
                    "src": src_path.name, "tgt": tgt_path.name, "lines": counts[pair]
                }  # fmt: skip
            write_sidecar(group.open(meta), provenance(), listing)
            paths.append(meta)
        return paths
