"""Helpers shared by the command modules (kept light: no heavy imports)."""

from __future__ import annotations

import argparse

from workbench.settings import Settings, load_settings


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def add_encoder_option(parser: argparse.ArgumentParser) -> None:
    """``--encoder NAME|PATH|none``: the sentence encoder (default: ``[align] encoder``)."""
    parser.add_argument(
        "--encoder",
        metavar="NAME|PATH|none",
        help="sentence encoder: use-multilingual-v3 (default, ships with the package), a "
        "sentence-transformers hub id or local folder, or none",
    )


def apply_encoder(args: argparse.Namespace, settings: Settings) -> None:
    if getattr(args, "encoder", None):
        settings.align.encoder = args.encoder
