"""Provenance of an export, in the spirit of sacrebleu's signatures.

A dict recorded with every export (TMX header props, ``*.meta.json`` sidecars) plus a
one-line ``signature`` that says at a glance how the corpus was made::

    workbench:0.1.0|format:tmx|status:approved|min-score:none|lang:all|pairs:fr-en
    |mt:Helsinki-NLP/opus-mt-fr-en@abc123|aligner:comparable|seg:fr=pysbd-0.3.4:fr|n:120
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from workbench import __version__
from workbench.export.select import Selection
from workbench.export.stream import AlignmentHeader
from workbench.provenance import AlignmentProvenance, ExportProvenance

TOOL = "workbench"


def model_ids(mt: Sequence[dict[str, Any]]) -> list[str]:
    """Distinct ``model@revision`` strings from translation provenance records."""
    seen: dict[str, None] = {}
    for record in mt:
        model = record.get("model_id") or record.get("model") or record.get("backend")
        if not model:
            continue
        revision = record.get("revision") or record.get("model_revision")
        seen[f"{model}@{revision}" if revision else str(model)] = None
    return list(seen)


def _segmenters(headers: Sequence[AlignmentHeader]) -> dict[str, str]:
    """Each language's splitter, as the alignment files record it (not what happens to be
    installed at export time); files that disagree are all named, ``/``-separated."""
    found: dict[str, set[str]] = {}
    for header in headers:
        recorded = AlignmentProvenance.read(header.provenance, header.path, 1)
        for lang in (header.src_lang, header.tgt_lang):
            found.setdefault(lang, set()).add(recorded.segmenter_signature(lang))
    return {lang: "/".join(sorted(found[lang])) for lang in sorted(found)}


def _aligner(header: AlignmentHeader) -> str:
    """The aligner's mode (``comparable``, ``parallel``...), read through the schema."""
    return AlignmentProvenance.read(header.provenance, header.path, 1).mode


def build_provenance(
    *,
    format_name: str,
    headers: Sequence[AlignmentHeader],
    selection: Selection,
    mt: Sequence[dict[str, Any]],
    reviewers: set[str],
    count: int,
    by_alignment: dict[str, int],
    created: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Everything needed to tell how an exported corpus was made (JSON-serialisable)."""
    version = version or __version__
    created = created or datetime.now(UTC).isoformat(timespec="seconds")
    filters = selection.describe()
    used = [h for h in headers if by_alignment.get(h.name)]
    models = model_ids(mt)
    segmenters = _segmenters(used)
    aligners = sorted({_aligner(h) for h in used})
    pairs = sorted({h.pair for h in used})
    signature = _signature(
        version, format_name, filters, pairs, models, aligners, segmenters, count
    )
    data = {
        "tool": TOOL,
        "version": version,
        "created": created,
        "format": format_name,
        "signature": signature,
        "filters": filters,
        "links": count,
        "mt": {"models": models, "documents": list(mt)},
        "segmenters": segmenters,
        "reviewers": sorted(reviewers),
        "alignments": [_alignment_entry(h, by_alignment[h.name]) for h in used],
    }
    return ExportProvenance.read(data, what="export provenance").to_dict()


def _signature(
    version: str,
    format_name: str,
    filters: dict[str, Any],
    pairs: list[str],
    models: list[str],
    aligners: list[str],
    segmenters: dict[str, str],
    count: int,
) -> str:
    """The one-line ``|``-separated signature of an export (module docstring)."""
    return "|".join(
        [
            f"{TOOL}:{version}",
            f"format:{format_name}",
            f"status:{filters['status']}",
            f"min-score:{'none' if filters['min_score'] is None else filters['min_score']}",
            f"lang:{filters['lang']}",
            f"pairs:{','.join(pairs) or 'none'}",
            f"mt:{','.join(models) or 'none'}",
            f"aligner:{','.join(aligners) or 'none'}",
            f"seg:{','.join(f'{k}={v}' for k, v in segmenters.items()) or 'none'}",
            f"n:{count}",
        ]
    )


def _alignment_entry(header: AlignmentHeader, links: int) -> dict[str, Any]:
    """What the export provenance says of one alignment file it took ``links`` links from."""
    return {
        "name": header.name,
        "file": header.path.name,
        "src_lang": header.src_lang,
        "tgt_lang": header.tgt_lang,
        "src_docs": header.src_docs,
        "tgt_docs": header.tgt_docs,
        "links": links,
        "aligner": _aligner(header),
        "provenance": header.provenance,
    }
