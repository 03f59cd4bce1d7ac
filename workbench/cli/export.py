"""``workbench export``, ``workbench import`` and ``workbench evaluate-mt``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli._common import settings_from

FORMATS = ("jsonl", "moses", "tmx", "tsv")  # the built-in ones; the registry has the final say


def positive_int(value: str) -> int:
    """An argparse type: a whole number above 0 (0 would silently mean the library default)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {number}")
    return number


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_export(subparsers)
    _register_import(subparsers)
    _register_evaluate(subparsers)


def _register_export(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="export aligned sentence pairs as TMX, Moses, TSV or JSONL, with provenance",
        description="Export the selected links of alignment files (default: every file in "
        "alignments/) with their sentence text. Streams; deterministic order.",
    )
    export.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="ALIGNMENT_FILE",
        help="alignment file(s) to export (default: every *.align.jsonl in alignments/)",
    )
    export.add_argument(
        "--format", "-f", help=f"output format: {', '.join(FORMATS)} (default from settings)"
    )
    export.add_argument(
        "--out", "-o", type=Path, required=True, help="output file (Moses: a prefix)"
    )
    export.add_argument(
        "--status",
        help="'approved' (default), a comma-separated set such as 'approved,flagged', or 'all'",
    )
    export.add_argument("--min-score", type=float, help="leave out links scored below this")
    export.add_argument("--lang", help="language pair(s) to export, e.g. th-en or fr-en,th-en")
    export.add_argument(
        "--corpus", type=Path, help="corpus folder (default from settings: corpus/)"
    )
    export.add_argument(
        "--clusters",
        nargs="?",
        const=True,
        metavar="CLUSTERS_FILE",
        help="export statement clusters (default file: alignments/clusters.jsonl) as tmx or "
        "jsonl: one unit per cluster, one variant per member",
    )
    export.set_defaults(func=run_export)


def _register_import(subparsers: argparse._SubParsersAction) -> None:
    imp = subparsers.add_parser(
        "import",
        help="read a TMX, TSV or JSONL export back into alignment files",
        description="Rebuild alignment files from an export made by `workbench export`.",
    )
    imp.add_argument(
        "file", type=Path, metavar="FILE", help="an export (.tmx, .tsv or .jsonl) to read back"
    )
    imp.add_argument(
        "--out",
        "-o",
        type=Path,
        help="alignment file, or folder (default: alignments/, one file per alignment)",
    )
    imp.add_argument(
        "--format", "-f", help="tmx, tsv or jsonl (default: from the file name or content)"
    )
    imp.add_argument("--force", action="store_true", help="replace existing alignment files")
    imp.set_defaults(func=run_import)


def _register_evaluate(subparsers: argparse._SubParsersAction) -> None:
    ev = subparsers.add_parser(
        "evaluate-mt",
        help="score machine translation against approved English references (BLEU, chrF, TER)",
        description="BLEU, chrF and TER (sacrebleu) of each MT system's translations of the "
        "source side of approved links, against the English side; per language pair and per "
        "document. With two or more systems, a paired significance test.",
    )
    ev.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="ALIGNMENT_FILE",
        help="alignment file(s) whose links are the references (default: every file)",
    )
    ev.add_argument(
        "--mt",
        action="append",
        type=Path,
        metavar="DIR",
        help="translations folder (repeat for several systems; default: CORPUS/translations)",
    )
    ev.add_argument("--status", help="link statuses used as references (default: approved)")
    ev.add_argument("--lang", help="language pair(s), e.g. th-en")
    ev.add_argument("--corpus", type=Path, help="corpus folder (default from settings)")
    ev.add_argument(
        "--test",
        choices=("bs", "ar"),
        help="paired test: bootstrap (bs) or approximate randomization (ar)",
    )
    ev.add_argument(
        "--samples", type=positive_int, metavar="N", help="resamples for the paired test (N > 0)"
    )
    ev.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    ev.set_defaults(func=run_evaluate)


def _alignment_files(args: argparse.Namespace, settings) -> list[Path]:
    from workbench.store.files import alignment_files

    return list(args.files) or alignment_files(settings.paths.alignments)


def _corpus_text(corpus_dir: Path, settings):
    from workbench.corpus.ingest import ingest
    from workbench.corpus.translations import load_translations
    from workbench.export.records import CorpusText

    corpus = ingest(corpus_dir, settings.corpus)
    return CorpusText(corpus, load_translations(corpus_dir, settings.corpus.target_language))


def run_clusters_export(args: argparse.Namespace, settings) -> int:
    from workbench.align.cluster.run import clusters_path
    from workbench.errors import WorkbenchError
    from workbench.export import Selection
    from workbench.export.clusters import export_clusters, get_cluster_writer

    if args.lang or args.files:
        raise WorkbenchError(
            "--clusters exports every language of a cluster from the clusters file: "
            "leave out --lang and alignment files"
        )
    name = args.format or settings.export.format
    get_cluster_writer(name)  # unknown format: fail before any work
    selection = Selection.parse(
        args.status or settings.export.status,
        args.min_score if args.min_score is not None else settings.export.min_score,
    )
    path = clusters_path(settings) if args.clusters is True else Path(args.clusters)
    text = _corpus_text(args.corpus or settings.paths.corpus, settings)
    result = export_clusters(path, name, args.out, text.corpus, text, selection)
    filters = ", ".join(f"{k}={v}" for k, v in selection.describe().items() if k != "lang")
    if result.count == 0:
        print(f"nothing to export: no cluster in {path} matches {filters}; no file written")
        return 0
    print(f"exported {result.count} clusters as {name}:")
    for out in result.paths:
        print(f"  {out}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from workbench.export import Selection, export_alignments, get_format

    settings = settings_from(args)
    if args.clusters:
        return run_clusters_export(args, settings)
    conf = settings.export
    fmt = get_format(args.format or conf.format)  # unknown format: fail before any work
    selection = Selection.parse(
        args.status or conf.status,
        args.min_score if args.min_score is not None else conf.min_score,
        args.lang or conf.lang,
    )
    files = _alignment_files(args, settings)
    corpus_dir = args.corpus or settings.paths.corpus
    result = export_alignments(
        files, fmt.name, args.out, _corpus_text(corpus_dir, settings), selection
    )
    filters = ", ".join(f"{k}={v}" for k, v in selection.describe().items())
    for name, n in result.from_journal.items():
        print(
            f"workbench export: {name}: includes {n} review decision(s) from its journal, not "
            "yet saved into the file (a review session is running or was interrupted)",
            file=sys.stderr,
        )
    if result.count == 0:
        print(
            f"nothing to export: no link in {len(files)} alignment file(s) matches {filters}; no file written"
        )
        return 0
    counts = ", ".join(f"{name}: {n}" for name, n in result.by_alignment.items() if n)
    print(f"exported {result.count} links ({counts}) as {result.format_name}:")
    for path in result.paths:
        print(f"  {path}")
    if result.provenance:
        print(f"signature: {result.provenance['signature']}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from workbench.export.importer import import_file

    settings = settings_from(args)
    result = import_file(
        args.file,
        args.out,
        alignments_dir=settings.paths.alignments,
        format_name=args.format,
        force=args.force,
    )
    for path, count in result.written.items():
        print(f"imported {count} links from {args.file} ({result.format_name}) into {path}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from workbench.evaluate import evaluate_mt, print_report, write_report

    settings = settings_from(args)
    conf = settings.export
    corpus_dir = args.corpus or settings.paths.corpus
    report = evaluate_mt(
        _alignment_files(args, settings),
        corpus_dir,
        args.mt or [],
        status=args.status or "approved",
        lang=args.lang,
        corpus_settings=settings.corpus,
        test=args.test or conf.significance_test,
        samples=args.samples if args.samples is not None else conf.significance_samples,
    )
    print_report(report)
    if args.json:
        write_report(report, args.json)
    return 0
