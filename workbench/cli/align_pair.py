"""``workbench align-pair SRC TGT``: align two pre-split files, print one bead per line."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli._common import add_encoder_option, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "align-pair",
        help="align two sentence-per-line files; print beads [i, ...]:[j, ...]",
        description="Align SRC and TGT (one sentence per line, pre-split) and print one bead "
        "per line as [i, ...]:[j, ...] with 0-based line numbers (the Vecalign/Bertalign format). "
        "--src-translation is the machine translation of SRC into TGT's language, line by line.",
    )
    parser.add_argument("src", type=Path, help="source sentences, one per line")
    parser.add_argument("tgt", type=Path, help="target sentences, one per line")
    parser.add_argument(
        "--src-translation",
        "--mt",
        dest="mt",
        type=Path,
        metavar="MT",
        help="MT of SRC into the target language, line-parallel to SRC",
    )
    parser.add_argument(
        "--tgt-translation",
        dest="tgt_mt",
        type=Path,
        metavar="MT",
        help="optional MT of TGT into the source language, line-parallel to TGT "
        "(parallel mode then scores beads both ways)",
    )
    add_encoder_option(
        parser,
        "--embeddings",  # deprecated alias (before the encoder registry)
        more_help=". Parallel mode mixes the bead cosine into the similarity "
        "([align] parallel_encoder_weight); without --src-translation it aligns on the "
        "encoder alone",
    )
    parser.add_argument(
        "--encoder-weight",
        "--embedding-weight",  # deprecated alias
        dest="encoder_weight",
        type=float,
        metavar="W",
        default=None,
        help="share of the bead cosine beside chrF of the MT, 0..1 "
        "(default: [align] parallel_encoder_weight)",
    )
    parser.add_argument(
        "--mode", default=None, help="alignment mode: parallel (default) or comparable"
    )
    parser.add_argument(
        "--format",
        default="vecalign",
        choices=["vecalign", "scores"],
        help="vecalign: [i]:[j]; scores: [i]:[j]:score (calibrated, 0..1)",
    )
    parser.add_argument(
        "--output", "-o", type=Path, help="write here (atomically) instead of stdout"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.align.pair import align_files
    from workbench.errors import InputError

    settings = settings_from(args)
    if args.encoder_weight is not None:
        if not 0.0 <= args.encoder_weight <= 1.0:
            raise InputError(f"--encoder-weight must be between 0 and 1, got {args.encoder_weight}")
        settings.align.parallel_encoder_weight = args.encoder_weight
    text = align_files(
        args.src,
        args.tgt,
        args.mt,
        mode=args.mode or "parallel",
        settings=settings.align,
        with_scores=args.format == "scores",
        tgt_mt=args.tgt_mt,
        encoder=args.encoder,
        models_dir=settings.paths.models,
    )
    if args.output:
        from workbench.fileio import atomic_write_text

        atomic_write_text(args.output, text)
    else:
        print(text, end="")
    return 0
