"""The one small interface every pair signal has (``workbench/align/signals/``).

A signal is built once per mining run over the source and English items and then gives,
for many groups of sentences at once, named feature arrays; the scorer's logistic weighs
them (``comparable.WEIGHTS``). Signals: :mod:`.surface` (chrF of the MT or surface overlap,
candidate-vector margin, length), :mod:`.semantic` (sentence-encoder cosine, margin and
diagonal support), :mod:`.position` (edition, lead). The anchors (numbers, dates, names:
:mod:`workbench.align.anchors`) are the per-link signal, computed only for groups that can
still reach the threshold, and also give the discrepancy flags. A new signal is one file
with this interface, one entry in the scorer's list and its weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

Group = tuple[tuple[int, ...], tuple[int, ...]]  # (source indices, English indices)


class PairSignal(Protocol):
    name: str

    def features(self, groups: Sequence[Group]) -> dict[str, np.ndarray]:
        """Named feature arrays, one value per group."""
        ...
