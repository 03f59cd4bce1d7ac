"""``workbench ingest``: read the corpus and print what is in it."""

from __future__ import annotations

import argparse

from workbench.cli._common import add_corpus_dir_argument, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="read a folder of articles, split into sentences, print a summary table",
        description="Read every article in CORPUS_DIR (metadata from manifest.toml), detect "
        "languages where not given, split paragraphs and sentences, and print a table.",
    )
    add_corpus_dir_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.corpus.ingest import ingest
    from workbench.corpus.report import print_corpus_table

    settings = settings_from(args)
    corpus = ingest(args.corpus_dir or settings.paths.corpus, settings.corpus)
    print_corpus_table(corpus)
    return 0
