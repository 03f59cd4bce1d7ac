"""``workbench run``: the main job over the corpus (what ``make run`` does)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import add_encoder_option, apply_encoder, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="the main job: ingest the corpus, translate (when models are available), align",
        description="The main job (what `make run` does): ingest CORPUS_DIR, translate it with "
        "the MT models on this machine (without one, say so and go on), align every source "
        "language with English into alignments/, and print the coverage summary. Re-running "
        "over an unchanged corpus changes no file; files with reviewer decisions are left as "
        "they are (re-align those with `workbench align` or R in `workbench review`).",
    )
    parser.add_argument("corpus_dir", nargs="?", type=Path, help="corpus folder (default: corpus/)")
    add_encoder_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.pipeline import run_main_job

    settings = settings_from(args)
    if args.corpus_dir:
        settings.paths.corpus = args.corpus_dir
    apply_encoder(args, settings)
    return run_main_job(settings)
