"""Strict and lax precision, recall and F1 of sentence alignments (Vecalign's scorer definitions).

The definitions (our own code, following thompsonb/vecalign ``score.py``, which Bertalign's
``eval.py`` copies), for one document:

- A bead is a pair (source id set, target id set); ``[]:[j]`` and ``[i]:[]`` are
  insertions/deletions. Each side's beads are taken as a set: a bead listed twice counts
  once (as in Vecalign, which converts both lists to sets).
- **Precision** looks at every predicted bead (the empty bead ``[]:[]`` is ignored) and
  compares it with all gold beads:
  - *strict*: true positive when exactly the same bead (same source ids, same target ids) is
    in the gold; otherwise a false positive;
  - *lax*: true positive when it is in the gold exactly, or when some gold bead shares at
    least one source id **and** at least one target id with it. An insertion or deletion
    therefore counts as lax-correct only when the very same bead is in the gold.
- **Recall** is the same computation with gold and prediction swapped, after dropping every
  bead (gold and predicted) that is empty on either side: insertions and deletions count
  only towards precision.
- Counts are summed over all documents (micro-average), then P = tp / (tp + fp), and
  F1 = 2PR / (P + R); a ratio with a zero denominator is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.align.beads import Bead, read_beads
from workbench.errors import InputError


@dataclass
class Counts:
    tp_strict: int = 0
    fp_strict: int = 0
    tp_lax: int = 0
    fp_lax: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp_strict += other.tp_strict
        self.fp_strict += other.fp_strict
        self.tp_lax += other.tp_lax
        self.fp_lax += other.fp_lax
        return self


@dataclass
class Scores:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float
    documents: int = 1
    gold_beads: int = 0
    predicted_beads: int = 0

    def format(self) -> str:
        return (
            f"strict  P {self.precision_strict:.3f}  R {self.recall_strict:.3f}  "
            f"F1 {self.f1_strict:.3f}\n"
            f"lax     P {self.precision_lax:.3f}  R {self.recall_lax:.3f}  F1 {self.f1_lax:.3f}\n"
            f"({self.documents} document(s), {self.gold_beads} gold beads, "
            f"{self.predicted_beads} predicted beads)"
        )


def _key(bead: Bead) -> tuple[frozenset[int], frozenset[int]]:
    return frozenset(bead[0]), frozenset(bead[1])


def _unique(beads: Sequence[Bead]) -> list[Bead]:
    """Beads as a set (first occurrence kept), ids sorted within each side."""
    seen: dict[Bead, None] = {}
    for src, tgt in beads:
        seen.setdefault((tuple(sorted(src)), tuple(sorted(tgt))), None)
    return list(seen)


def _precision_counts(gold: Sequence[Bead], test: Sequence[Bead]) -> Counts:
    """Score ``test`` beads against ``gold`` beads (strict and lax); duplicates count once."""
    counts = Counts()
    gold, test = _unique(gold), _unique(test)
    gold_keys = {_key(b) for b in gold}
    src_to_gold: dict[int, set[int]] = {}
    tgt_to_gold: dict[int, set[int]] = {}
    for index, (src, tgt) in enumerate(gold):
        for i in src:
            src_to_gold.setdefault(i, set()).add(index)
        for j in tgt:
            tgt_to_gold.setdefault(j, set()).add(index)
    for bead in test:
        src, tgt = bead
        if not src and not tgt:
            continue
        if _key(bead) in gold_keys:
            counts.tp_strict += 1
            counts.tp_lax += 1
            continue
        counts.fp_strict += 1
        via_src = set().union(*(src_to_gold.get(i, set()) for i in src)) if src else set()
        via_tgt = set().union(*(tgt_to_gold.get(j, set()) for j in tgt)) if tgt else set()
        if via_src & via_tgt:
            counts.tp_lax += 1
        else:
            counts.fp_lax += 1
    return counts


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_documents(golds: Sequence[Sequence[Bead]], preds: Sequence[Sequence[Bead]]) -> Scores:
    """Micro-averaged strict/lax P/R/F1 over documents (gold[k] pairs with pred[k])."""
    if len(golds) != len(preds):
        raise ValueError(f"{len(golds)} gold documents but {len(preds)} predicted ones")
    prec, rec = Counts(), Counts()
    for gold, pred in zip(golds, preds, strict=True):
        prec += _precision_counts(gold, pred)
        gold_nonull = [b for b in gold if b[0] and b[1]]
        pred_nonull = [b for b in pred if b[0] and b[1]]
        rec += _precision_counts(pred_nonull, gold_nonull)
    ps = _ratio(prec.tp_strict, prec.tp_strict + prec.fp_strict)
    pl = _ratio(prec.tp_lax, prec.tp_lax + prec.fp_lax)
    rs = _ratio(rec.tp_strict, rec.tp_strict + rec.fp_strict)
    rl = _ratio(rec.tp_lax, rec.tp_lax + rec.fp_lax)
    return Scores(
        precision_strict=ps,
        recall_strict=rs,
        f1_strict=_f1(ps, rs),
        precision_lax=pl,
        recall_lax=rl,
        f1_lax=_f1(pl, rl),
        documents=len(golds),
        gold_beads=sum(len(g) for g in golds),
        predicted_beads=sum(len(p) for p in preds),
    )


def score_beads(gold: Sequence[Bead], pred: Sequence[Bead]) -> Scores:
    """Strict/lax P/R/F1 of one document."""
    return score_documents([gold], [pred])


def _bead_files(folder: Path) -> dict[str, Path]:
    return {
        p.name: p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
    }


def pair_files(gold: str | Path, pred: str | Path) -> list[tuple[Path, Path]]:
    """(gold file, predicted file) pairs: two files, or two folders matched by file name."""
    gold, pred = Path(gold), Path(pred)
    for path in (gold, pred):
        if not path.exists():
            raise InputError("does not exist", path)
    if gold.is_file() and pred.is_file():
        return [(gold, pred)]
    if gold.is_dir() and pred.is_dir():
        gold_files, pred_files = _bead_files(gold), _bead_files(pred)
        if not gold_files:
            raise InputError("folder has no gold files", gold)
        missing = sorted(set(gold_files) - set(pred_files))
        if missing:
            raise InputError(
                f"no prediction for {len(missing)} gold file(s): {', '.join(missing[:5])}", pred
            )
        return [(gold_files[name], pred_files[name]) for name in gold_files]
    raise InputError("GOLD and PRED must both be files or both be folders", pred)


def predictions_without_gold(gold: str | Path, pred: str | Path) -> list[str]:
    """Names of prediction files (two folders) that no gold file matches: they are not scored."""
    gold, pred = Path(gold), Path(pred)
    if not (gold.is_dir() and pred.is_dir()):
        return []
    return sorted(set(_bead_files(pred)) - set(_bead_files(gold)))


def evaluate_paths(gold: str | Path, pred: str | Path) -> Scores:
    """Read gold and predicted bead files (or folders of them) and score them."""
    pairs = pair_files(gold, pred)
    return score_documents([read_beads(g) for g, _ in pairs], [read_beads(p) for _, p in pairs])
