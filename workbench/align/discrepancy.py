"""Discrepancy flags: a linked pair whose numbers or dates disagree.

``350 milliards`` vs ``356.3 billion`` -> ``Flag("number", "350 milliards", "356.3 billion",
"3.5e+11 vs 3.563e+11 (1.8% apart)")``; ``26 novembre`` vs ``October 26`` -> a ``date`` flag.

Only values left unmatched on *both* sides are compared (a number the other side simply
omits is not a discrepancy), and numbers are paired only when they are of the same unit
and within a factor of two of each other (the same quantity, reported differently).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.store.model import Flag

if TYPE_CHECKING:
    from workbench.align.anchors import SentenceAnchors

MAX_NUMBER_RATIO = 2.0


def _number_flags(src: SentenceAnchors, tgt: SentenceAnchors) -> list[Flag]:
    from workbench.align.anchors import match_numbers

    left_src, left_tgt, _ = match_numbers(src.numbers, tgt.numbers)
    flags: list[Flag] = []
    pairs = []
    for a in left_src:
        for b in left_tgt:
            if a.unit != b.unit or a.value <= 0 or b.value <= 0:
                continue
            ratio = max(a.value, b.value) / min(a.value, b.value)
            if ratio <= MAX_NUMBER_RATIO:
                pairs.append((ratio, a, b))
    used_src: set[int] = set()
    used_tgt: set[int] = set()
    for ratio, a, b in sorted(pairs, key=lambda p: p[0]):
        if id(a) in used_src or id(b) in used_tgt:
            continue
        used_src.add(id(a))
        used_tgt.add(id(b))
        detail = f"{a.key} vs {b.key} ({(ratio - 1) * 100:.1f}% apart)"
        flags.append(Flag(kind="number", src=a.text, tgt=b.text, detail=detail))
    return flags


def _date_flags(src: SentenceAnchors, tgt: SentenceAnchors) -> list[Flag]:
    def unmatched(side, other):
        return [d for d in side if not any(d.overlaps(o) and d.compatible(o) for o in other)]

    left_src = unmatched(src.dates, tgt.dates)
    left_tgt = unmatched(tgt.dates, src.dates)
    flags: list[Flag] = []
    used: set[int] = set()
    for a in left_src:
        for b in left_tgt:
            if id(b) in used or not a.overlaps(b):
                continue
            used.add(id(b))
            flags.append(Flag(kind="date", src=a.text, tgt=b.text, detail=f"{a.key} vs {b.key}"))
            break
    return flags


def find_discrepancies(src: SentenceAnchors, tgt: SentenceAnchors) -> list[Flag]:
    """Number and date flags for a link whose sides have anchors ``src`` and ``tgt``."""
    return _number_flags(src, tgt) + _date_flags(src, tgt)
