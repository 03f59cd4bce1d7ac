"""Pair-counting precision and recall of same-cluster decisions against a cluster gold.

Every sentence of the corpus is in exactly one gold cluster (sentences the gold does not
list are singletons). A *decision* is an unordered pair of sentences put in one cluster;
precision = correct predicted pairs / predicted pairs, recall = correct / gold pairs.
Pairs inside one merged member (``a+b``) count like any other pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from workbench.errors import InputError


@dataclass
class GoldCluster:
    id: str
    members: list[list[str]]  # per document: its sentence ids
    note: str = ""

    def sentence_ids(self) -> list[str]:
        return [s for m in self.members for s in m]


def _run(text: str) -> list[str]:
    """``doc:10+11`` (or ``doc:10+doc:11``) -> ``["doc:10", "doc:11"]``."""
    first, *rest = text.split("+")
    doc = first.rpartition(":")[0]
    return [first] + [r if ":" in r else f"{doc}:{r}" for r in rest]


def read_gold(path: Path, optional: bool = False) -> list[GoldCluster]:
    """``id <TAB> members <TAB> note`` lines; members are ids or ``a+b`` runs. Lines whose
    id is ``optional`` are groups of acceptable-but-not-required pairs: returned (alone)
    with ``optional=True``, skipped otherwise."""
    gold: list[GoldCluster] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise InputError("expected: id <TAB> members <TAB> note", path, number)
        if (parts[0] == "optional") != optional:
            continue
        members = [_run(m) for m in parts[1].split()]
        gold.append(GoldCluster(parts[0], members, parts[2] if len(parts) > 2 else ""))
    return gold


def _pairs(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for g in groups for a, b in combinations(g, 2)}


@dataclass
class PairScores:
    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int
    correct: int


def pair_scores(
    predicted: Iterable[Sequence[str]],
    gold: Iterable[Sequence[str]],
    optional: Iterable[Sequence[str]] = (),
) -> PairScores:
    """Pair-counting scores; predicted pairs inside an ``optional`` group that the gold does
    not require are left out of precision (neither right nor wrong)."""
    gold_pairs = _pairs(gold)
    pred_pairs = _pairs(predicted) - (_pairs(optional) - gold_pairs)
    correct = len(pred_pairs & gold_pairs)
    p = correct / len(pred_pairs) if pred_pairs else 1.0
    r = correct / len(gold_pairs) if gold_pairs else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PairScores(p, r, f, len(pred_pairs), len(gold_pairs), correct)
