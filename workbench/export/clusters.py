"""Export of statement clusters (``workbench export --clusters``): TMX or JSONL.

One registry of cluster formats (``@register_cluster_format``), beside the pairwise one.

- **JSONL**: one object per cluster: ``id``, ``status``, ``score``, ``members`` (a list of
  ``{doc, lang, edition, ids, text, mt}``) and ``facts`` (the fact timeline:
  ``{kind, label, values: [{doc, edition, text, value}]}``); provenance in ``OUT.meta.json``.
- **TMX 1.4**: one ``<tu>`` per cluster, one ``<tuv>`` per member; several English editions
  in one unit are told apart by ``<prop type="x-document">`` and ``x-edition`` on each
  ``<tuv>``; the facts go in an ``x-facts`` prop of the ``<tu>``.

Clusters are selected by status (as pairwise exports: ``approved`` by default) and minimum
cluster score; the clusters file is checked against the corpus first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.corpus.model import Corpus
from workbench.export.records import TextSource, sidecar_path
from workbench.export.select import Selection
from workbench.export.sidecar import write_sidecar
from workbench.export.text import fix_surrogates
from workbench.export.tmx import esc, esc_attr, tmx_date
from workbench.fileio import atomic_group
from workbench.store.clusters import Cluster, ClusterSet
from workbench.store.model import now_iso


@dataclass
class ClusterRecord:
    id: str
    status: str
    score: float | None
    members: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    created: str | None = None
    modified: str | None = None
    reviewer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "score": self.score,
            "members": self.members,
            "facts": self.facts,
        }


Writer = Callable[[list[ClusterRecord], Path, dict[str, Any]], list[Path]]
_FORMATS: dict[str, Writer] = {}


def register_cluster_format(name: str) -> Callable[[Writer], Writer]:
    def decorate(writer: Writer) -> Writer:
        _FORMATS[name] = writer
        return writer

    return decorate


def cluster_format_names() -> list[str]:
    return sorted(_FORMATS)


def get_cluster_writer(name: str) -> Writer:
    from workbench.errors import WorkbenchError

    try:
        return _FORMATS[name.lower()]
    except KeyError:
        raise WorkbenchError(
            f"clusters export as {name!r} is not available; choose one of "
            f"{', '.join(cluster_format_names())}"
        ) from None


@register_cluster_format("jsonl")
def write_jsonl(records: list[ClusterRecord], out: Path, provenance: dict[str, Any]) -> list[Path]:
    meta = sidecar_path(out)
    with atomic_group() as group:
        handle = group.open(out)
        for record in records:
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        write_sidecar(group.open(meta), provenance, {"data": out.name})
    return [out, meta]


def _prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{esc_attr(kind)}">{esc(value)}</prop>\n'


def _tu(record: ClusterRecord) -> str:
    attrs = f'tuid="clusters/{esc_attr(record.id)}"'
    created, changed = tmx_date(record.created), tmx_date(record.modified)
    if created:
        attrs += f' creationdate="{created}"'
    if changed:
        attrs += f' changedate="{changed}"'
    parts = [f"    <tu {attrs}>\n"]
    parts.append(_prop("x-status", record.status, "      "))
    if record.score is not None:
        parts.append(_prop("x-score", f"{record.score:.4f}", "      "))
    if record.reviewer:
        parts.append(_prop("x-reviewer", record.reviewer, "      "))
    if record.facts:
        parts.append(_prop("x-facts", json.dumps(record.facts, ensure_ascii=False), "      "))
    for member in record.members:
        parts.append(f'      <tuv xml:lang="{esc_attr(member["lang"])}">\n')
        parts.append(_prop("x-document", member["doc"], "        "))
        parts.append(_prop("x-edition", str(member["edition"] or ""), "        "))
        parts.append(_prop("x-ids", " ".join(member["ids"]), "        "))
        if member.get("mt"):
            parts.append(_prop("x-mt", member["mt"], "        "))
        parts.append(f"        <seg>{esc(member['text'])}</seg>\n      </tuv>\n")
    parts.append("    </tu>\n")
    return "".join(parts)


@register_cluster_format("tmx")
def write_tmx(records: list[ClusterRecord], out: Path, provenance: dict[str, Any]) -> list[Path]:
    langs = sorted({m["lang"] for r in records for m in r.members})
    attrs = {
        "creationtool": "workbench",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "workbench-clusters",
        "adminlang": "en",
        "srclang": "*all*",
        "datatype": "plaintext",
    }
    with atomic_group() as group:
        handle = group.open(out)
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        handle.write('<tmx version="1.4">\n  <header ')
        handle.write(" ".join(f'{k}="{esc_attr(v)}"' for k, v in attrs.items()) + ">\n")
        handle.write(_prop("x-languages", " ".join(langs), "    "))
        provenance_text = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
        handle.write(_prop("x-workbench-provenance", provenance_text, "    "))
        handle.write("  </header>\n  <body>\n")
        for record in records:
            handle.write(_tu(record))
        handle.write("  </body>\n</tmx>\n")
    return [out]


@dataclass
class ClusterExport:
    count: int
    paths: list[Path] = field(default_factory=list)
    format_name: str = ""


def _wanted(cluster: Cluster, selection: Selection) -> bool:
    if cluster.status not in selection.statuses:
        return False
    if selection.min_score is None:
        return True
    return cluster.score is not None and cluster.score >= selection.min_score


def cluster_records(
    clusters: ClusterSet, corpus: Corpus, text_source: TextSource, selection: Selection
) -> Iterator[ClusterRecord]:
    """Selected clusters with their text, MT and facts, in file order."""
    from workbench.align.cluster.report import facts_of

    for cluster in clusters.clusters:
        if not _wanted(cluster, selection):
            continue
        members = []
        for member in cluster.members:
            info = clusters.documents[member.doc]
            mts = [text_source.mt(s) for s in member.ids]
            members.append(
                {
                    "doc": member.doc,
                    "lang": info.lang,
                    "edition": info.edition,
                    "ids": list(member.ids),
                    "text": fix_surrogates(" ".join(text_source.text(s) or "" for s in member.ids)),
                    "mt": " ".join(m for m in mts if m) if any(mts) else None,
                }
            )
        facts = [f.to_dict() for f in facts_of(cluster, clusters, corpus)]
        yield ClusterRecord(
            cluster.id,
            str(cluster.status),
            cluster.score,
            members,
            facts,
            cluster.created,
            cluster.modified,
            cluster.reviewer,
        )


def export_clusters(
    path: Path,
    format_name: str,
    out: Path,
    corpus: Corpus,
    text_source: TextSource,
    selection: Selection,
) -> ClusterExport:
    """Write the selected clusters of ``path`` as ``format_name``; nothing when none match."""
    from workbench.align.cluster.run import load_checked

    writer = get_cluster_writer(format_name)
    clusters = load_checked(path, corpus)
    records = list(cluster_records(clusters, corpus, text_source, selection))
    if not records:
        return ClusterExport(0, [], format_name)
    provenance = {
        "tool": "workbench",
        "version": __version__,
        "created": now_iso(),
        "clusters_file": str(path),
        "clusters": clusters.provenance,
        "filters": selection.describe(),
        "count": len(records),
    }
    return ClusterExport(len(records), writer(records, out, provenance), format_name)
