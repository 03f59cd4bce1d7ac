"""``workbench eval-align GOLD PRED``: strict and lax P/R/F1 of a sentence alignment."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval-align",
        help="score bead files ([i, ...]:[j, ...]) against gold: strict/lax P, R, F1",
        description="Score predicted beads against gold beads with Vecalign's strict and lax "
        "precision/recall/F1 (micro-averaged). GOLD and PRED are two bead files, or two folders "
        "whose files are matched by name (one file per document).",
    )
    parser.add_argument("gold", type=Path, help="gold bead file or folder")
    parser.add_argument("pred", type=Path, help="predicted bead file or folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.align.eval import evaluate_paths, predictions_without_gold

    scores = evaluate_paths(args.gold, args.pred)
    extra = predictions_without_gold(args.gold, args.pred)
    if extra:
        shown = ", ".join(extra[:5]) + (" ..." if len(extra) > 5 else "")
        print(
            f"eval-align: warning: {len(extra)} prediction file(s) have no gold file and are "
            f"not scored: {shown}",
            file=sys.stderr,
        )
    print(scores.format())
    return 0
