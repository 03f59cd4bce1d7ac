"""How well sentence chrF and sentence BLEU (sacrebleu) tell true pairs from near misses.

Usage: .venv/bin/python bench/similarity_auc.py [DATA_DIR]   (default ../shared/benchmarks)

For every gold 1-1 bead of the Text+Berg and MAC dev sets (the shipped Google MT of the source
against the target), the true pair is compared with the pairs it could be confused with: the
same MT line against the 4 target lines before and after its partner. Prints the ROC AUC of
each measure (chance that a true pair outscores a near miss; ties count half) and the share of
true pairs that score 0, beside each other and as a ratio. This is why the aligners score with
chrF and report BLEU only as a feature.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from align_benchmarks import documents  # noqa: E402

from workbench.align.chrf import bleu_pairs, chrf_pairs  # noqa: E402


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(pos > neg) + 0.5 P(pos == neg), by ranks (Mann-Whitney)."""
    values = np.concatenate([pos, neg])
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    mean_rank = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(mean_rank, counts)
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def pairs(data: Path, name: str) -> tuple[list[str], list[str], np.ndarray]:
    hyps, refs, is_gold = [], [], []
    for mt, tgt, gold in documents(data, name):
        for src, trg in gold:
            if len(src) != 1 or len(trg) != 1:
                continue
            i, j = src[0], trg[0]
            for k in range(max(0, j - 4), min(len(tgt), j + 5)):
                hyps.append(mt[i])
                refs.append(tgt[k])
                is_gold.append(k == j)
    return hyps, refs, np.array(is_gold)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared/benchmarks")
    args = parser.parse_args()
    print(f"{'set':8} {'pairs':>6} {'chrF AUC':>9} {'BLEU AUC':>9} {'ratio':>6}"
          f" {'true pairs at 0: chrF':>22} {'BLEU':>6}")  # fmt: skip
    for name in ("tb-dev", "mac-dev"):
        hyps, refs, gold = pairs(args.data, name)
        chrf = chrf_pairs(hyps, refs)
        bleu = bleu_pairs(hyps, refs)
        a_chrf = auc(chrf[gold], chrf[~gold])
        a_bleu = auc(bleu[gold], bleu[~gold])
        print(
            f"{name:8} {int(gold.sum()):6d} {a_chrf:9.3f} {a_bleu:9.3f} {a_chrf / a_bleu:6.3f}"
            f" {np.mean(chrf[gold] == 0):22.3f} {np.mean(bleu[gold] == 0):6.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
