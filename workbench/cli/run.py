"""``workbench run``: the main job over the corpus (what ``make run`` does)."""

from __future__ import annotations

import argparse

from workbench.cli._common import (
    add_corpus_dir_argument,
    add_encoder_option,
    apply_encoder,
    settings_with_corpus_dir,
)


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
    add_corpus_dir_argument(parser)
    add_encoder_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.pipeline import run_main_job

    settings = settings_with_corpus_dir(args)
    apply_encoder(args, settings)
    return run_main_job(settings)
