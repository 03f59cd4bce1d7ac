"""Statement-pair gold for comparable corpora, and precision/recall of links against it.

A gold file is TSV (``#`` comments): ``source id, English id ('-' for none), kind, source
text, English text`` with kind ``required`` (the counterpart), ``optional`` (acceptable, such
as a repeated statement or a caption: never counted wrong, never required) or ``none`` (no
counterpart in any English article).

Scores, over the sentence pairs that links expand to (a 1-2 link = two pairs):
- precision: predicted pairs that are required or optional / predicted pairs;
- recall: required pairs predicted / required pairs;
- no-counterpart accuracy: ``none`` statements left without any pair / ``none`` statements.
Rejected links do not count as predictions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import InputError
from workbench.store.model import Alignment, Status

KINDS = ("required", "optional", "none")


@dataclass
class GoldRow:
    src: str
    tgt: str | None
    kind: str
    src_text: str
    tgt_text: str | None
    line: int


@dataclass
class PairGold:
    rows: list[GoldRow]
    path: Path | None = None

    @property
    def required(self) -> set[tuple[str, str]]:
        return {(r.src, r.tgt) for r in self.rows if r.kind == "required" and r.tgt}

    @property
    def acceptable(self) -> set[tuple[str, str]]:
        return {(r.src, r.tgt) for r in self.rows if r.kind in ("required", "optional") and r.tgt}

    @property
    def none(self) -> set[str]:
        return {r.src for r in self.rows if r.kind == "none"}

    @property
    def sources(self) -> set[str]:
        return {r.src for r in self.rows}


@dataclass
class PairScores:
    predicted: int
    correct: int
    required: int
    found: int
    none_total: int
    none_kept: int
    wrong: list[tuple[str, str]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def none_accuracy(self) -> float:
        return self.none_kept / self.none_total if self.none_total else 1.0

    def line(self) -> str:
        return (
            f"P {self.precision:.3f} ({self.correct}/{self.predicted})  R {self.recall:.3f} "
            f"({self.found}/{self.required})  F1 {self.f1:.3f}  no-counterpart "
            f"{self.none_kept}/{self.none_total}"
        )


def load_pair_gold(path: str | Path) -> PairGold:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read gold file: {exc}", path) from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 5:
            raise InputError(f"expected 5 tab-separated fields, found {len(fields)}", path, number)
        src, tgt, kind, src_text, tgt_text = fields
        if kind not in KINDS:
            raise InputError(f"kind {kind!r} is not one of {', '.join(KINDS)}", path, number)
        if (tgt == "-") != (kind == "none"):
            raise InputError(
                "an English id of '-' goes with kind 'none' and only with it", path, number
            )
        rows.append(
            GoldRow(
                src,
                None if tgt == "-" else tgt,
                kind,
                src_text,
                None if tgt == "-" else tgt_text,
                number,
            )
        )
    if not rows:
        raise InputError("gold file holds no rows", path)
    return PairGold(rows, path)


def predicted_pairs(alignments: Iterable[Alignment]) -> set[tuple[str, str]]:
    return {
        (s, t)
        for alignment in alignments
        for link in alignment.links
        if link.status != Status.REJECTED
        for s in link.src
        for t in link.tgt
    }


def score_pairs(alignments: Iterable[Alignment], gold: PairGold) -> PairScores:
    """Precision/recall of the links' sentence pairs on the sources the gold covers."""
    pairs = {p for p in predicted_pairs(alignments) if p[0] in gold.sources}
    acceptable, required = gold.acceptable, gold.required
    linked = {s for s, _ in pairs}
    return PairScores(
        predicted=len(pairs),
        correct=len(pairs & acceptable),
        required=len(required),
        found=len(pairs & required),
        none_total=len(gold.none),
        none_kept=len(gold.none - linked),
        wrong=sorted(pairs - acceptable),
        missed=sorted(required - pairs),
    )
