"""A timeline of facts per cluster: the numbers and dates each member states, compared.

Values are normalised by the anchor extractors (:mod:`workbench.align.numbers`,
:mod:`workbench.align.dates`): ``3 แสนล้าน`` = ``300 billion`` = ``3e+11``; ``26 novembre`` =
``????-11-26``. Values of different members are one *fact* when they are equal, or (as the
discrepancy flags pair them) of one unit and within a factor of two for numbers, or both
day-and-month dates. Each fact is labelled:

- ``same``: every member states the same value (bounds and roundings allowed: "more than
  350 billion" and "356.3 billion" agree);
- ``changed across editions``: the values differ, but only between editions (news);
- ``disagrees within an edition``: two members of one edition state incompatible values
  (an error in one of the sources);
- ``single``: only one member states it.

A year-only mention equal to the member's own edition (``2022 IoT Expo``) names the edition,
not a fact, and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.align.anchors import SentenceAnchors, match_numbers, merge_anchors, sentence_anchors
from workbench.align.numbers import Quantity

SAME = "same"
CHANGED = "changed across editions"
DISAGREES = "disagrees within an edition"
SINGLE = "single"
MAX_RATIO = 2.0  # the discrepancy flags' pairing rule
_LOWER = re.compile(
    r"(more than|over|above|exceed\w*|at least|plus de|dépass\w*|au moins|supérieur\w* à|"
    r"มากกว่า|กว่า|เกิน)\s*$",
    re.IGNORECASE,
)
_ABOUT = re.compile(
    r"(nearly|almost|about|around|approximately|close to|some|près de|presque|environ|"
    r"quelque|เกือบ|ประมาณ|ราว)\s*$",
    re.IGNORECASE,
)


@dataclass
class MemberText:
    doc: str
    lang: str
    edition: int | None
    ids: list[str]
    text: str  # the member's sentences joined


@dataclass
class Statement:
    """One member's value of a fact."""

    doc: str
    edition: int | None
    text: str  # as written
    key: str  # normalised
    qualifier: str = ""  # ">" (more than), "~" (about) or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "edition": self.edition,
            "text": self.text,
            "value": self.qualifier + self.key,
        }


@dataclass
class Fact:
    kind: str  # "number" or "date"
    label: str
    values: list[Statement] = field(default_factory=list)
    _numbers: list[float] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "values": [v.to_dict() for v in self.values],
        }


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 30) : start]
    if _LOWER.search(before):
        return ">"
    if _ABOUT.search(before):
        return "~"
    return ""


def _interval(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier == ">":
        return value, float("inf")
    if qualifier == "~":
        return value * 0.9, value * 1.1
    return value * 0.995, value * 1.005


def _numbers_agree(a: tuple[float, str], b: tuple[float, str]) -> bool:
    lo_a, hi_a = _interval(*a)
    lo_b, hi_b = _interval(*b)
    return lo_a <= hi_b and lo_b <= hi_a


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)


def _pair_numbers(qa: Sequence[Quantity], qb: Sequence[Quantity]) -> list[tuple[int, int]]:
    """Index pairs of one fact: equal values first, then the nearest of one unit within 2x."""
    pairs: list[tuple[int, int]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for i, q in enumerate(qa):
        for j, r in enumerate(qb):
            if j not in used_b and q.same(r):
                pairs.append((i, j))
                used_a.add(i)
                used_b.add(j)
                break
    near = []
    for i, q in enumerate(qa):
        for j, r in enumerate(qb):
            if i in used_a or j in used_b or q.unit != r.unit or q.value <= 0 or r.value <= 0:
                continue
            ratio = max(q.value, r.value) / min(q.value, r.value)
            if ratio <= MAX_RATIO:
                near.append((ratio, i, j))
    _take_nearest(near, pairs, used_a, used_b)
    return pairs


def _pair_dates(da: Sequence, db: Sequence) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    used_b: set[int] = set()
    left: list[int] = []
    for i, d in enumerate(da):
        for j, e in enumerate(db):
            if j not in used_b and d.overlaps(e) and d.compatible(e):
                pairs.append((i, j))
                used_b.add(j)
                break
        else:
            left.append(i)
    options = []  # day-and-month dates that differ: the nearest pairs in the year first
    for i in left:
        d = da[i]
        if not (d.month and d.day):
            continue
        for j, e in enumerate(db):
            if j not in used_b and e.month and e.day:
                options.append((abs((d.month * 31 + d.day) - (e.month * 31 + e.day)), i, j))
    _take_nearest(options, pairs, set(), used_b)
    return pairs


def _take_nearest(
    options: list[tuple[float, int, int]],
    pairs: list[tuple[int, int]],
    used_a: set[int],
    used_b: set[int],
) -> None:
    """Add to ``pairs`` the ``(distance, i, j)`` options, nearest first, each index used once."""
    for _distance, i, j in sorted(options):
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)


def _values(member: MemberText, anchors: SentenceAnchors) -> tuple[list, list]:
    numbers = list(anchors.numbers)
    dates = [
        d
        for d in anchors.dates
        if not (d.year and d.month is None and d.day is None and d.year == member.edition)
    ]
    return numbers, dates


def _label(values: list[Statement], numbers: list[tuple[float, str]] | None) -> str:
    """Incompatible values within one edition: disagrees; else different values stated in
    different editions: changed; else same (bounds and roundings within an edition agree)."""
    if len({v.doc for v in values}) < 2:
        return SINGLE
    changed = False
    for i, a in enumerate(values):
        for j in range(i + 1, len(values)):
            b = values[j]
            if a.doc == b.doc:
                continue
            if a.edition != b.edition:
                changed = changed or a.key != b.key
                continue
            agree = (
                _numbers_agree(numbers[i], numbers[j]) if numbers is not None else a.key == b.key
            )
            if not agree:
                return DISAGREES
    return CHANGED if changed else SAME


def cluster_facts(members: Sequence[MemberText]) -> list[Fact]:
    """The facts of one cluster's members (numbers, then dates), in member order."""
    parsed = []
    for member in members:
        anchors = sentence_anchors(member.text, member.lang)
        parsed.append(_values(member, anchors))
    facts: list[Fact] = []
    for kind, slot in (("number", 0), ("date", 1)):
        union = _Union()
        nodes = [(m, i) for m, p in enumerate(parsed) for i in range(len(p[slot]))]
        for node in nodes:
            union.find(node)
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairing = _pair_numbers if kind == "number" else _pair_dates
                for i, j in pairing(parsed[a][slot], parsed[b][slot]):
                    union.union((a, i), (b, j))
        groups: dict[Any, list[tuple[int, int]]] = {}
        for node in nodes:
            groups.setdefault(union.find(node), []).append(node)
        for group in groups.values():
            facts.append(_fact(kind, sorted(group), members, parsed, slot))
    return facts


def _fact(kind: str, group, members, parsed, slot: int) -> Fact:
    values: list[Statement] = []
    numbers: list[tuple[float, str]] = []
    for m, i in group:
        member = members[m]
        item = parsed[m][slot][i]
        qualifier = _qualifier(member.text, item.start) if kind == "number" else ""
        values.append(Statement(member.doc, member.edition, item.text, item.key, qualifier))
        if kind == "number":
            numbers.append((item.value, qualifier))
    label = _label(values, numbers if kind == "number" else None)
    return Fact(kind, label, values)


def member_text(texts: Sequence[str]) -> str:
    return " ".join(texts)


__all__ = [
    "CHANGED",
    "DISAGREES",
    "SAME",
    "SINGLE",
    "Fact",
    "MemberText",
    "Statement",
    "cluster_facts",
    "match_numbers",
    "merge_anchors",
]
