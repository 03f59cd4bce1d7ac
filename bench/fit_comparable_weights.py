"""Fit the logistic weights of comparable mode on the seed gold (how WEIGHTS_* were chosen).

Every candidate pair the miner considers on the seeds (top-k both ways) is scored with its
features; a pair is positive when the gold accepts it (required or optional). An L2-regularised
logistic regression (plain numpy, Newton steps) gives weights; the printed dictionaries were
rounded by hand into ``workbench/align/comparable.py``. Seed P/R measured with these weights is
therefore in-sample: read it as a check that the scorer can represent the gold, not as a
held-out figure.

    .venv/bin/python bench/fit_comparable_weights.py [--corpus corpus] [--references tests/data/seed_reference_en.tsv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_alignment import reference_translations  # noqa: E402
from workbench.align.comparable import MiningConfig, prepare  # noqa: E402
from workbench.align.corpus_align import _items  # noqa: E402
from workbench.align.pair_gold import load_pair_gold  # noqa: E402
from workbench.corpus.ingest import ingest  # noqa: E402

_SHARED_FEATURES = [
    "margin",
    "numbers",
    "dates",
    "names",
    "length",
    "number_conflict",
    "date_conflict",
    "year_conflict",
    "same_edition",
]
# with MT the text similarity is chrF of the MT; without, raw character overlap
FEATURES = {True: ["chrf", *_SHARED_FEATURES], False: ["surface", *_SHARED_FEATURES]}


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    x = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x.shape[1])
    reg = l2 * np.eye(x.shape[1])
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + reg @ w
        hess = x.T @ (x * (p * (1 - p))[:, None]) + reg
        w -= np.linalg.solve(hess, grad)
    return w


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--gold", type=Path, default=ROOT / "tests/data/seed_gold.tsv")
    parser.add_argument(
        "--references", type=Path, default=ROOT / "tests/data/seed_reference_en.tsv"
    )
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args()
    corpus = ingest(args.corpus)
    gold = load_pair_gold(args.gold)
    refs = reference_translations(corpus, args.references)
    tgt = _items(corpus.by_language("en"), None)
    for with_mt in (True, False):
        rows, labels, scores = [], [], []
        for lang in ("th", "fr"):
            src = _items(corpus.by_language(lang), refs if with_mt else None)
            cand, scorer = prepare(src, tgt, MiningConfig())
            groups = [((int(i),), (int(j),)) for i, j in cand]
            for proposal in scorer.score_groups(groups):
                scores.append(proposal.score)
                rows.append([proposal.features.get(f, 0.0) for f in FEATURES[with_mt]])
                labels.append(1.0 if (proposal.src[0], proposal.tgt[0]) in gold.acceptable else 0.0)
        x, y = np.array(rows), np.array(labels)
        w = fit(x, y, args.l2)
        named = {"bias": round(float(w[0]), 2)} | {
            f: round(float(v), 2) for f, v in zip(FEATURES[with_mt], w[1:], strict=True)
        }
        print(
            f"{'with MT' if with_mt else 'without MT'}: {int(y.sum())} positives / {len(y)} candidates"
        )
        print(f"  {named}")
        print("  reliability of the current weights (score bucket: candidates, share acceptable):")
        score_array = np.array(scores)
        for lo, hi in ((0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
            inside = (score_array >= lo) & (score_array < hi)
            share = y[inside].mean() if inside.any() else 0.0
            print(f"    [{lo:.1f}, {min(hi, 1.0):.1f}): {int(inside.sum()):4d}, {share:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
