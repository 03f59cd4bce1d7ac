"""The one character n-gram core: exact integer ids of every character n-gram of many texts.

Every chrF in the aligner (:mod:`workbench.align.chrf`'s profiles, comparable mode's group
counts and its candidate 4-grams) is built on :func:`ngram_ids`: the texts' code points in one
numpy array (all of Unicode, astral characters included: a code point is < 2**21), and for each
order n the dense id of the n-gram starting at each position, computed from the (n-1)-gram's id
and the next code point (re-ranked at each order, so ids never overflow). No hashing: two
n-grams share an id only when they are equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

CODE_BITS = 21  # Unicode code points are < 2**21 (U+10FFFF)


@dataclass
class OrderIds:
    """The n-grams of one order that lie inside a text: their text row and dense id."""

    n: int
    rows: np.ndarray  # text index of each n-gram occurrence
    ids: np.ndarray  # dense n-gram id (0..width-1), equal ids = equal n-grams
    width: int  # number of distinct ids (over all positions, some maybe unused)


def code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All code points of ``texts`` concatenated (int64) and each text's length."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return codes, lengths


def dense_ids(key: np.ndarray) -> np.ndarray:
    """Dense ids (0..distinct-1) for the values of ``key``, in sorted order."""
    if len(key) == 0:
        return key.astype(np.int64)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.concatenate(([0], (ordered[1:] != ordered[:-1]).astype(np.int64)))
    ids = np.empty(len(key), dtype=np.int64)
    ids[order] = np.cumsum(starts)
    return ids


def ngram_ids(texts: Sequence[str], max_order: int, min_order: int = 1) -> Iterator[OrderIds]:
    """For n = min_order..max_order: every n-gram inside a text, with its text and dense id."""
    codes, lengths = code_points(texts)
    total = len(codes)
    ends = np.cumsum(lengths)
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    gram = dense_ids(codes)  # id of the n-gram starting at each position (order n)
    for n in range(1, max_order + 1):
        m = max(total - n + 1, 0)
        if n > 1:
            # extend the (n-1)-gram at p by the character at p+n-1 (ids re-ranked: small)
            gram = dense_ids((gram[:m] << CODE_BITS) | codes[n - 1 : n - 1 + m])
        if n < min_order:
            continue
        valid = np.arange(m) + n <= ends[row_of[:m]] if m else np.zeros(0, dtype=bool)
        width = int(gram.max()) + 1 if m else 1
        yield OrderIds(n, row_of[:m][valid], gram[valid], width)
