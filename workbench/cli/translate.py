"""``workbench translate`` (the corpus) and ``workbench translate-file`` (one sentence per line)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli._common import settings_from
from workbench.settings import with_options
from workbench.translate.backends import backend_names


def add_job_options(parser: argparse.ArgumentParser) -> None:
    _add_model_options(parser)
    _add_engine_options(parser)
    _add_progress_options(parser)


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "model and decoding (defaults: workbench.toml [translate], then the registry)"
    )
    group.add_argument(
        "--backend",
        choices=backend_names(),
        help="translation backend (default: the registry entry's)",
    )
    group.add_argument(
        "--model",
        metavar="NAME|HUB_ID|PATH|COMMAND",
        help="a registry name, a hub id, a local model folder, or for --backend command the shell command",
    )
    group.add_argument("--beam-size", type=int, metavar="N", help="beam width (1: greedy)")
    group.add_argument("--batch-size", type=int, metavar="N", help="sentences per batch, at most")
    group.add_argument(
        "--batch-tokens", type=int, metavar="N", help="padded source tokens per batch, at most"
    )
    group.add_argument(
        "--max-length",
        type=int,
        metavar="N",
        help="tokens: longer inputs are split, outputs capped",
    )
    group.add_argument(
        "--min-length", type=int, metavar="N", help="output tokens, at least (benchmarks)"
    )
    group.add_argument("--device", choices=("auto", "cpu", "cuda"))
    group.add_argument(
        "--compute-type",
        metavar="TYPE",
        help="CTranslate2: int8, float16, float32, ... (default: auto)",
    )
    group.add_argument(
        "--dtype", metavar="TYPE", help="transformers: float32, float16, bfloat16 (default: auto)"
    )
    group.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the translation cache"
    )
    group.add_argument("--cache", type=Path, metavar="FILE", help="translation cache file (SQLite)")
    group.add_argument(
        "--command-timeout",
        type=float,
        metavar="SECONDS",
        help="command backend: seconds a batch may take before the command is stopped "
        "(default: [translate] command_timeout, 600)",
    )


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    ray = parser.add_argument_group(
        "engine (default: local, one process; ray: workers on a Ray cluster, pip install workbench[ray])"
    )
    ray.add_argument("--engine", choices=("local", "ray"), help="where the model runs")
    ray.add_argument(
        "--address",
        metavar="auto|HOST:PORT|ray://HOST:PORT",
        help="Ray: the cluster to join (default: start one on this machine)",
    )
    ray.add_argument("--workers", type=int, metavar="N", help="Ray: translators (actors)")
    ray.add_argument(
        "--gpus-per-worker", type=float, metavar="G", help="Ray: GPUs per worker (> 0: CUDA)"
    )
    ray.add_argument("--threads", type=int, metavar="N", help="CPU threads per model (0: all)")
    ray.add_argument(
        "--block-lines", type=int, metavar="N", help="Ray: sentences per block (one shard each)"
    )
    ray.add_argument(
        "--shards",
        type=Path,
        metavar="DIR",
        help="Ray: shard folder (default: OUTPUT.shards/, or beside the cache for the corpus)",
    )


def _add_progress_options(parser: argparse.ArgumentParser) -> None:
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always show the bar"
    )
    bar.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never show the bar"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    corpus = subparsers.add_parser(
        "translate",
        help="machine-translate every non-English sentence of the corpus (resumable, cached)",
        description="Translate the sentences of every document not in the target language (or of the "
        "documents named) and write corpus/translations/<doc>.<tgt>.jsonl. Finished batches are "
        "cached: a re-run, or a run after an interruption, translates only what is missing.",
    )
    corpus.add_argument(
        "doc_ids", nargs="*", metavar="DOC_ID", help="documents to translate (default: all)"
    )
    corpus.add_argument(
        "--corpus", type=Path, metavar="DIR", help="corpus folder (default: corpus/)"
    )
    corpus.add_argument(
        "--tgt-lang", metavar="LANG", help="target language (default: corpus.target_language)"
    )
    add_job_options(corpus)
    corpus.set_defaults(func=run_corpus)

    file = subparsers.add_parser(
        "translate-file",
        help="translate a plain file, one sentence per line, into a line-parallel file",
        description="Translate INPUT (UTF-8, one sentence per line) into OUTPUT, line for line.",
    )
    file.add_argument("input", type=Path, metavar="INPUT", help="UTF-8 text, one sentence per line")
    file.add_argument(
        "output",
        type=Path,
        metavar="OUTPUT",
        help="the translations, line for line (written atomically)",
    )
    file.add_argument(
        "--src-lang", required=True, metavar="LANG", help="source language, e.g. fr or th"
    )
    file.add_argument(
        "--tgt-lang", default="en", metavar="LANG", help="target language (default: en)"
    )
    add_job_options(file)
    file.set_defaults(func=run_file)


def _job(args: argparse.Namespace):  # noqa: ANN202 - (settings, translate settings, options)
    from workbench.translate.tasks import JobOptions

    settings = settings_from(args)
    overrides = {
        "backend": args.backend,
        "beam_size": args.beam_size,
        "batch_size": args.batch_size,
        "batch_tokens": args.batch_tokens,
        "max_length": args.max_length,
        "min_length": args.min_length,
        "device": args.device,
        "compute_type": args.compute_type,
        "dtype": args.dtype,
        "cache": args.cache,
        "engine": args.engine,
        "ray_address": args.address,
        "workers": args.workers,
        "gpus_per_worker": args.gpus_per_worker,
        "threads": args.threads,
        "block_lines": args.block_lines,
        "command_timeout": args.command_timeout,
    }
    if args.gpus_per_worker:  # the workers decode on CUDA (and the cache key says float16)
        overrides["device"] = "cuda"
    names = {field: "--" + field.replace("_", "-") for field in overrides}
    names |= {"ray_address": "--address", "command_timeout": "--command-timeout"}
    tsettings = with_options(
        settings.translate, {field: (names[field], value) for field, value in overrides.items()}
    )
    options = JobOptions(
        model=args.model, use_cache=not args.no_cache, progress=args.progress, shards=args.shards
    )
    return settings, tsettings, options


def run_corpus(args: argparse.Namespace) -> int:
    from workbench.corpus.ingest import ingest
    from workbench.translate.tasks import translate_corpus

    settings, tsettings, options = _job(args)
    corpus = ingest(args.corpus or settings.paths.corpus, settings.corpus)
    tgt = args.tgt_lang or settings.corpus.target_language
    report = translate_corpus(corpus, tsettings, settings.paths.models, tgt, args.doc_ids, options)
    print(f"{len(report.written)} translations files written to {corpus.root / 'translations'}")
    return 0


def run_file(args: argparse.Namespace) -> int:
    from workbench.translate.tasks import translate_file

    settings, tsettings, options = _job(args)
    stats = translate_file(
        args.input,
        args.output,
        args.src_lang,
        args.tgt_lang,
        tsettings,
        settings.paths.models,
        options,
    )
    print(f"{args.output}: {stats.line()}", file=sys.stderr)
    return 0
