"""``workbench evaluate-mt``: score MT systems against approved English references.

The approved links are a fresh test set: the machine translation of a link's source side
is the hypothesis, its English side (reviewer edits applied) the reference. Scores are
sacrebleu's BLEU, chrF and TER, corpus-level, per language pair and per source document,
each printed with its signature. With two or more systems (``--mt DIR`` repeated) every
system is compared with the first by sacrebleu's paired significance test (paired
bootstrap resampling or approximate randomization) on the links all systems translated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.corpus.translations import (
    TRANSLATIONS_DIR,
    DocumentTranslations,
    load_document_translations,
)
from workbench.errors import WorkbenchError
from workbench.export.provenance import model_ids
from workbench.export.records import CorpusText, doc_of, iter_records
from workbench.export.select import Selection
from workbench.export.stream import read_current_header
from workbench.fileio import atomic_write_text

METRICS = ("BLEU", "chrF", "TER")


@dataclass
class System:
    """One MT system: a folder of ``<doc_id>.<lang>.jsonl`` translation files."""

    name: str
    folder: Path
    documents: dict[str, DocumentTranslations]

    @property
    def models(self) -> list[str]:
        return model_ids([d.provenance for d in self.documents.values()])


def load_system(folder: Path, tgt_lang: str = "en", name: str | None = None) -> System:
    """Translations in ``folder`` (or ``folder/translations`` when that exists)."""
    folder = Path(folder)
    if (folder / TRANSLATIONS_DIR).is_dir():
        folder = folder / TRANSLATIONS_DIR
    if not folder.is_dir():
        raise WorkbenchError("translations folder does not exist", folder)
    documents = {}
    for path in sorted(folder.glob(f"*.{tgt_lang}.jsonl")):
        doc = load_document_translations(path)
        documents[doc.doc_id] = doc
    if not documents:
        raise WorkbenchError(f"no *.{tgt_lang}.jsonl translation files in this folder", folder)
    system = System(name or "", folder, documents)
    if not system.name:
        system.name = ",".join(system.models) or folder.name
    return system


@dataclass
class Segment:
    pair: str
    doc: str  # the first source document of the link
    ref: str
    hyps: list[str | None]  # one per system, None when that system has no translation


@dataclass
class Report:
    systems: list[System]
    segments: dict[str, dict[str, int]] = field(default_factory=dict)  # pair -> used/skipped
    signatures: dict[str, str] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    paired: list[dict[str, Any]] = field(default_factory=list)
    paired_signatures: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "systems": [
                {"name": s.name, "folder": str(s.folder), "models": s.models} for s in self.systems
            ],
            "segments": self.segments,
            "signatures": self.signatures,
            "scores": self.scores,
            "paired": self.paired,
            "paired_signatures": self.paired_signatures,
        }


def _metrics() -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    return {"BLEU": BLEU(), "chrF": CHRF(), "TER": TER()}


def collect_segments(
    files: Sequence[Path], source: CorpusText, systems: Sequence[System], selection: Selection
) -> list[Segment]:
    """Selected links with both sides, with each system's translation of the source side."""
    headers = sorted((read_current_header(f) for f in files), key=lambda h: h.path.name)
    segments = []
    for record in iter_records(headers, selection, source, pairs_only=True):
        hyps = []
        for system in systems:
            parts = []
            for sid in record.link.src:
                doc = system.documents.get(doc_of(sid))
                parts.append(None if doc is None else doc.by_sentence.get(sid))
            hyps.append(None if any(p is None for p in parts) else " ".join(p for p in parts if p))
        segments.append(Segment(record.pair, record.src_docs[0], record.tgt, hyps))
    return segments


def _score(metrics: dict[str, Any], hyps: list[str], refs: list[str]) -> dict[str, float]:
    return {name: round(m.corpus_score(hyps, [refs]).score, 2) for name, m in metrics.items()}


def evaluate_mt(
    files: Sequence[Path],
    corpus_dir: Path,
    mt_dirs: Sequence[Path],
    *,
    status: str = "approved",
    lang: str | None = None,
    corpus_settings: Any = None,
    test: str = "bs",
    samples: int = 1000,
    source: CorpusText | None = None,
) -> Report:
    """Score every system against the references of the selected links (see module doc)."""
    if not files:
        raise WorkbenchError("no alignment files to evaluate on (run `workbench align` first?)")
    if source is None:
        from workbench.corpus.ingest import ingest

        source = CorpusText(ingest(corpus_dir, corpus_settings))
    systems = _load_systems(list(mt_dirs) or [Path(corpus_dir) / TRANSLATIONS_DIR])
    segments = collect_segments(files, source, systems, Selection.parse(status, None, lang))
    report = Report(systems)
    metrics = _metrics()
    for pair in sorted({s.pair for s in segments}):
        in_pair = [s for s in segments if s.pair == pair]
        usable = [s for s in in_pair if all(h is not None for h in s.hyps)]
        report.segments[pair] = {
            "links": len(in_pair),
            "used": len(usable),
            "no_mt": len(in_pair) - len(usable),
        }
        if not usable:
            continue
        report.scores.extend(_pair_scores(pair, usable, systems, metrics))
        if len(systems) > 1:
            _paired(report, pair, usable, systems, test, samples)
    if report.scores:  # a sacrebleu signature exists once the metric has scored something
        report.signatures = {name: str(m.get_signature()) for name, m in metrics.items()}
    return report


def _load_systems(dirs: list[Path]) -> list[System]:
    """The MT systems of ``dirs``; two folders with the same model are told apart by folder."""
    systems = [load_system(d) for d in dirs]
    names = [s.name for s in systems]
    for i, system in enumerate(systems):
        if names.count(system.name) > 1:
            system.name = f"{system.name} ({system.folder})"
        names[i] = system.name
    return systems


def _pair_scores(
    pair: str, usable: list[Segment], systems: Sequence[System], metrics: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each system's scores on a language pair's usable segments: all, then per document."""
    groups = [("all", usable)] + [
        (doc, [s for s in usable if s.doc == doc]) for doc in sorted({s.doc for s in usable})
    ]
    scores = []
    for doc, group in groups:
        refs = [s.ref for s in group]
        for index, system in enumerate(systems):
            hyps = [str(s.hyps[index]) for s in group]
            scores.append(
                {
                    "pair": pair,
                    "doc": doc,
                    "system": system.name,
                    "n": len(group),
                    **_score(metrics, hyps, refs),
                }
            )
    return scores


def _paired(
    report: Report,
    pair: str,
    segments: list[Segment],
    systems: Sequence[System],
    test: str,
    samples: int,
) -> None:
    from sacrebleu.significance import PairedTest

    named = [(s.name, [str(seg.hyps[i]) for seg in segments]) for i, s in enumerate(systems)]
    refs = [[seg.ref for seg in segments]]
    signatures, scores = PairedTest(named, _metrics(), refs, test_type=test, n_samples=samples)()
    report.paired_signatures = {k: str(v) for k, v in signatures.items()}
    for metric, results in scores.items():
        if metric == "System":
            continue
        for system, result in zip(systems, results, strict=True):
            report.paired.append(
                {
                    "pair": pair,
                    "test": test,
                    "metric": metric,
                    "system": system.name,
                    "baseline": system is systems[0],
                    "score": round(result.score, 2),
                    "mean": None if result.mean is None else round(float(result.mean), 2),
                    "ci95": None if result.ci is None else round(float(result.ci), 2),
                    "p_value": None if result.p_value is None else round(float(result.p_value), 4),
                }
            )


def print_report(report: Report) -> None:
    if not report.scores:
        print("nothing to evaluate: no selected link has MT for its source side")
        return
    print("systems:")
    for system in report.systems:
        print(
            f"  {system.name}  ({system.folder}; models: {', '.join(system.models) or 'unknown'})"
        )
    for pair, counts in report.segments.items():
        print(
            f"{pair}: {counts['used']} of {counts['links']} links scored ({counts['no_mt']} without MT)"
        )
    width = max(len(s["system"]) for s in report.scores)
    print(
        f"\n{'pair':6} {'document':24} {'system':{width}} {'n':>5} {'BLEU':>6} {'chrF':>6} {'TER':>6}"
    )
    for row in report.scores:
        print(
            f"{row['pair']:6} {row['doc']:24} {row['system']:{width}} {row['n']:>5} "
            f"{row['BLEU']:6.2f} {row['chrF']:6.2f} {row['TER']:6.2f}"
        )
    print("\nsignatures:")
    for name, signature in report.signatures.items():
        print(f"  {name}: {signature}")
    if report.paired:
        test = report.paired[0]["test"]
        label = (
            "paired bootstrap resampling" if test == "bs" else "paired approximate randomization"
        )
        print(f"\n{label} against {report.systems[0].name} (the baseline):")
        for row in report.paired:
            extra = "baseline" if row["baseline"] else f"p = {row['p_value']:.4f}"
            ci = f" ({row['mean']:.2f} ± {row['ci95']:.2f})" if row["mean"] is not None else ""
            print(
                f"  {row['pair']:6} {row['metric']:6} {row['system']:{width}} {row['score']:6.2f}{ci}  {extra}"
            )
        for name, signature in report.paired_signatures.items():
            print(f"  {name}: {signature}")


def write_report(report: Report, path: Path) -> None:
    atomic_write_text(path, json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
