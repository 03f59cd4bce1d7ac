"""``workbench embed IN OUT``: sentence embeddings in .npy shards (local or Ray engine)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli._common import add_encoder_option, settings_from
from workbench.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "embed",
        help="sentence embeddings of a big file, in resumable .npy shards (local or Ray)",
        description="Encode INPUT (one sentence per line, JSONL or Parquet with id and text) into "
        "OUTPUT/ (a folder of <hash>.npy shards, embeddings.json lists them in input order). "
        "A re-run computes only the missing shards.",
    )
    parser.add_argument("input", type=Path, metavar="INPUT")
    parser.add_argument("output", type=Path, metavar="OUTPUT_DIR")
    add_encoder_option(parser)
    parser.add_argument("--engine", choices=("local", "ray"), help="default: [translate] engine")
    parser.add_argument("--address", metavar="auto|HOST:PORT|ray://HOST:PORT")
    parser.add_argument("--workers", type=int, metavar="N", help="Ray: encoders (actors)")
    parser.add_argument("--threads", type=int, metavar="N", help="Ray: CPUs per worker")
    parser.add_argument("--block-lines", type=int, metavar="N", help="sentences per shard")
    parser.add_argument(
        "--into-cache",
        action="store_true",
        help="compute nothing: load the finished OUTPUT_DIR (made from INPUT by the same "
        "encoder, e.g. on Ray) into the aligner's embedding cache ([align] embedding_cache), "
        "so align and run do not encode these sentences again",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None)
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.translate.distributed import ray_job
    from workbench.translate.embed import embed_file

    settings = settings_from(args)
    if args.into_cache:
        return _into_cache(args, settings)
    overrides = {
        "engine": args.engine,
        "ray_address": args.address,
        "workers": args.workers,
        "threads": args.threads,
        "block_lines": args.block_lines,
    }
    tsettings = settings.translate.model_validate(
        {**settings.translate.model_dump(), **{k: v for k, v in overrides.items() if v is not None}}
    )
    ray = ray_job(tsettings) if tsettings.engine == "ray" else None
    stats = embed_file(
        args.input,
        args.output,
        args.encoder or settings.align.encoder,
        settings.paths.models,
        tsettings.block_lines,
        ray,
        args.progress,
    )
    print(f"{args.output}: {stats.line()}", file=sys.stderr)
    return 0


def _into_cache(args: argparse.Namespace, settings: Settings) -> int:
    from workbench.translate.embed_import import import_embeddings

    cache = settings.align.embedding_cache
    encoder = args.encoder or settings.align.encoder
    stats = import_embeddings(args.input, args.output, encoder, settings.paths.models, cache)
    print(f"{args.output}: {stats.line(cache)}", file=sys.stderr)
    return 0
