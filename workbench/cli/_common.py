"""Helpers shared by the command modules (kept light: no heavy imports)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.settings import Settings, load_settings


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def add_corpus_dir_argument(parser: argparse.ArgumentParser) -> None:
    """The optional positional ``CORPUS_DIR`` (default: ``[paths] corpus``)."""
    parser.add_argument("corpus_dir", nargs="?", type=Path, help="corpus folder (default: corpus/)")


def settings_with_corpus_dir(args: argparse.Namespace) -> Settings:
    """The settings, with the corpus folder the command line names (``corpus_dir``) if any."""
    settings = settings_from(args)
    if args.corpus_dir:
        settings.paths.corpus = args.corpus_dir
    return settings


def add_encoder_option(parser: argparse.ArgumentParser, *aliases: str, more_help: str = "") -> None:
    """``--encoder NAME|PATH|none``: the sentence encoder (default: ``[align] encoder``)."""
    parser.add_argument(
        "--encoder",
        *aliases,
        dest="encoder",
        metavar="NAME|PATH|none",
        help="sentence encoder: use-multilingual-v3 (ships with the package), a "
        "sentence-transformers hub id or local folder, or none (default: [align] encoder)"
        + more_help,
    )


def apply_encoder(args: argparse.Namespace, settings: Settings) -> None:
    if getattr(args, "encoder", None):
        settings.align.encoder = args.encoder
