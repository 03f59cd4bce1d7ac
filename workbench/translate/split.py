"""Split sentences longer than a model's input into clause-sized pieces (never truncate).

Boundaries, most preferred first: after clause punctuation (``, ; : — –`` and their CJK/Arabic
forms) followed by a space; before a coordinating word (and, mais, และ, ...); any space (Thai
writes a space between clauses); finally a hard cut between characters. Neighbouring clauses
are packed greedily, so each piece is as long as the model allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CountTokens = Callable[[list[str]], list[int]]

_PATTERNS = (
    re.compile(r"(?<=[,;:—–،、，；：])\s+"),
    re.compile(
        r"\s+(?=(?:and|but|or|while|whereas|which|et|mais|ou|tandis|alors|dont|และ|แต่|หรือ|ซึ่ง|โดย|ตลอดจน|รวมทั้ง)\s)",
        re.IGNORECASE,
    ),
    re.compile(r"\s+"),
)


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.start() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _pack(clauses: list[str], count: CountTokens, limit: int) -> list[str]:
    """Join neighbouring clauses while the joined text fits."""
    pieces: list[str] = []
    for clause in clauses:
        if pieces and count([pieces[-1] + clause])[0] <= limit:
            pieces[-1] += clause
        else:
            pieces.append(clause)
    return pieces


def split_to_fit(text: str, count: CountTokens, limit: int, level: int = 0) -> list[str]:
    """``text`` as pieces of at most ``limit`` tokens each, cut at the best boundaries found."""
    if count([text])[0] <= limit:
        return [text.strip()]
    for depth in range(level, len(_PATTERNS)):
        clauses = _cut(text, _PATTERNS[depth])
        if len(clauses) > 1:
            result: list[str] = []
            for piece in _pack(clauses, count, limit):
                result.extend(split_to_fit(piece, count, limit, depth))
            return result
    # one unbroken run of characters: cut it in halves until each fits
    middle = len(text) // 2
    if middle == 0:
        return [text]
    return split_to_fit(text[:middle], count, limit, len(_PATTERNS)) + split_to_fit(
        text[middle:], count, limit, len(_PATTERNS)
    )


def join_pieces(pieces: list[str]) -> str:
    return " ".join(p.strip() for p in pieces if p.strip())
