"""``workbench align``: comparable-mode alignment of the corpus into ``alignments/``."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import (
    add_corpus_dir_argument,
    add_encoder_option,
    apply_encoder,
    settings_with_corpus_dir,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "align",
        help="align the corpus (comparable mode) into alignments/, keeping reviewer decisions",
        description="Mine statement pairs between every source-language document and every "
        "English document (order-free) with a multilingual sentence encoder, the stored machine "
        "translations when they exist and language-independent anchors (numbers, dates, names). "
        "Writes alignments/<src>-en.align.jsonl with status auto; approved, flagged and rejected links of an existing file are kept and only "
        "auto links are replaced. Ends with a coverage summary per source document.",
    )
    add_corpus_dir_argument(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="alignments folder (default: alignments/)"
    )
    parser.add_argument(
        "--no-mt", action="store_true", help="ignore stored translations: anchors only"
    )
    parser.add_argument(
        "--threshold", type=float, metavar="P", help="calibrated score a link needs (0..1)"
    )
    add_encoder_option(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the summary, write nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.align.corpus_align import run_align
    from workbench.store.files import alignment_files
    from workbench.store.guard import refuse_if_journal_pending, refuse_if_under_review

    settings = settings_with_corpus_dir(args)
    if args.out:
        settings.paths.alignments = args.out
    if args.no_mt:
        settings.align.use_mt = False
    if args.threshold is not None:
        settings.align.comparable_threshold = args.threshold
    apply_encoder(args, settings)
    if args.dry_run:  # the summary would leave out decisions still in a review journal
        for path in alignment_files(settings.paths.alignments):
            refuse_if_journal_pending(path, "before a dry run")
    # the policy for files under review belongs here, not in the aligner
    run_align(settings, write=not args.dry_run, guard=refuse_if_under_review)
    return 0
