"""Is the parallel-mode bead score calibrated? Predicted score vs share of beads exactly right.

Usage: .venv/bin/python bench/parallel_calibration.py [DATA_DIR] [--refit]
       [--encoder use-multilingual-v3 [--no-mt]]
DATA_DIR defaults to ../shared/benchmarks. For every aligned bead (1-0/0-1 excluded) of the
Text+Berg and MAC sets (shipped Google MT, default settings), the calibrated score is compared
with whether the bead is in the gold (strict). Prints, per set, the expected calibration error
(ECE: the mean |score - accuracy| over ten score bins, weighted by bin size), the AUC (chance
that a right bead outscores a wrong one: how well the score ranks beads for review) and the bins of the
dev sets side by side with the test sets. --refit fits the logistic (slope, centre) on the
dev beads again (Newton's method, no regularisation) and prints it beside the defaults.
--encoder NAME scores with MT + the encoder (ENCODER_BEAD_CALIBRATION is the refit to paste);
with --no-mt the encoder alone (ENCODER_ONLY_BEAD_CALIBRATION). Embeddings
come from the cache that bench/align_benchmarks.py uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from align_benchmarks import documents, sources  # noqa: E402
from fit_comparable_weights import fit  # noqa: E402

from workbench.align.parallel import (  # noqa: E402
    CALIBRATION_FEATURES,
    align_parallel,
    params_from_settings,
)
from workbench.align.signals.bead_cosines import encode_sides  # noqa: E402
from workbench.settings import AlignSettings  # noqa: E402


def scored_beads(
    data: Path, name: str, params, encoder=None, use_mt: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(score, margin, features, correct) of every aligned bead of the set."""
    scores, margins, features, correct = [], [], [], []
    for src, (mt, tgt, gold) in zip(sources(data, name), documents(data, name), strict=True):
        emb = None
        if encoder is not None:
            emb = encode_sides(encoder, src, tgt, params.encoder_concat, params.encoder_lazy_above)
        if use_mt:
            result = align_parallel(mt, tgt, params, embeddings=emb)
        else:
            result = align_parallel(None, tgt, params, src=src, embeddings=emb)
        gold_set = {(tuple(a), tuple(b)) for a, b in gold}
        for bead, score, margin, feats in zip(
            result.beads, result.scores, result.margins, result.features, strict=True
        ):
            if not bead[0] or not bead[1]:
                continue
            scores.append(score)
            margins.append(margin)
            features.append([feats.get(k, 0.0) for k in CALIBRATION_FEATURES])
            correct.append((tuple(bead[0]), tuple(bead[1])) in gold_set)
    return np.array(scores), np.array(margins), np.array(features), np.array(correct, dtype=float)


def bins(scores: np.ndarray, correct: np.ndarray) -> list[tuple[float, float, int]]:
    edges = np.linspace(0, 1, 11)
    which = np.clip(np.digitize(scores, edges) - 1, 0, 9)
    return [
        (
            float(scores[which == k].mean()),
            float(correct[which == k].mean()),
            int((which == k).sum()),
        )
        for k in range(10)
        if (which == k).any()
    ]


def ece(scores: np.ndarray, correct: np.ndarray) -> float:
    return sum(n * abs(p - a) for p, a, n in bins(scores, correct)) / len(scores)


def auc(scores: np.ndarray, correct: np.ndarray) -> float:
    """Chance that a right bead outscores a wrong one (ties count half)."""
    right, wrong = scores[correct == 1], scores[correct == 0]
    if not len(right) or not len(wrong):
        return float("nan")
    greater = (right[:, None] > wrong[None, :]).mean()
    ties = (right[:, None] == wrong[None, :]).mean()
    return float(greater + 0.5 * ties)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weights (last: bias) on the raw scale of the L2-regularised logistic regression that
    `fit_comparable_weights.fit` finds on standardised columns."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    w = fit((x - mu) / sd, y, l2=l2)  # w[0] is the bias
    raw = w[1:] / sd
    return np.r_[raw, w[0] - (w[1:] * mu / sd).sum()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared/benchmarks")
    parser.add_argument("--refit", action="store_true", help="refit slope and centre on dev")
    parser.add_argument("--encoder", default="none", help="sentence encoder (default: none)")
    parser.add_argument("--no-mt", action="store_true", help="the encoder alone")
    parser.add_argument(
        "--embedding-cache", type=Path, default=ROOT / ".workbench/bench-embeddings.sqlite"
    )
    parser.add_argument("--sets", default="tb-dev,mac-dev,tb-test,mac-test")
    args = parser.parse_args()
    params = params_from_settings(AlignSettings())
    encoder = None
    if args.encoder != "none":
        from workbench.align.signals.embed_cache import CachedEncoder
        from workbench.align.signals.encoder import get_encoder

        encoder = CachedEncoder(get_encoder(args.encoder), args.embedding_cache)
    names = args.sets.split(",")
    results = {n: scored_beads(args.data, n, params, encoder, not args.no_mt) for n in names}
    print(f"{'set':9} {'beads':>6} {'mean score':>11} {'share right':>12} {'ECE':>6} {'AUC':>6}")
    for name, (s, _, _, c) in results.items():
        print(
            f"{name:9} {len(s):6d} {s.mean():11.3f} {c.mean():12.3f} {ece(s, c):6.3f}"
            f" {auc(s, c):6.3f}"
        )
    for name in names:
        s, _, _, c = results[name]
        row = "  ".join(f"{p:.2f}:{a:.2f}({n})" for p, a, n in bins(s, c))
        print(f"{name:9} bins score:right(beads)  {row}")
    if args.refit:
        dev = ("tb-dev", "mac-dev")
        features = np.vstack([results[n][2] for n in dev])
        correct = np.concatenate([results[n][3] for n in dev])
        w = logistic(features, correct)
        label = "BEAD_CALIBRATION"
        if encoder is not None:
            label = "ENCODER_ONLY_BEAD_CALIBRATION" if args.no_mt else "ENCODER_BEAD_CALIBRATION"
        print(f"{label} (refit on dev):")
        print(
            "    "
            + ", ".join(
                f'"{k}": {v:.3f}'
                for k, v in zip(("bias", *CALIBRATION_FEATURES), [w[-1], *w[:-1]], strict=True)
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
