"""``workbench cluster``: statement clusters across every document, language and edition."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import add_corpus_dir_argument, settings_with_corpus_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cluster",
        help="group the sentences of all documents into statement clusters (alignments/clusters.jsonl)",
        description="Group the sentences of every document (all languages, English across "
        "editions included) into statement clusters from pairwise evidence (encoder margins, "
        "anchors, stored MT, automatic pairwise links); approved/rejected pairwise links are "
        "constraints, reviewed clusters are kept. Writes alignments/clusters.jsonl and ends with "
        "the coverage per document and the facts that disagree within an edition.",
    )
    add_corpus_dir_argument(parser)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="clusters file (default: alignments/clusters.jsonl)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.align.cluster.run import run_cluster

    settings = settings_with_corpus_dir(args)
    if args.out:
        settings.cluster.output = args.out.absolute()
    run_cluster(settings, write=not args.dry_run)
    return 0
