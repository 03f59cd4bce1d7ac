"""The position signal: where a pair's sentences sit (edition, article lead)."""

from __future__ import annotations

import numpy as np

LEAD = 2  # "lead": both sides start within their article's first LEAD sentences


class PositionSignal:
    """``same_edition``: every sentence of the group from one edition (year) of the event;
    ``lead``: both sides start in their article's lead (news leads report the same event
    first, whatever the wording)."""

    name = "position"

    def __init__(self, src, tgt):
        self.src, self.tgt = src, tgt

    def features(self, groups) -> dict[str, np.ndarray]:
        same = [self._same_edition(s, t) for s, t in groups]
        lead = [self.src[min(s)].index < LEAD and self.tgt[min(t)].index < LEAD for s, t in groups]
        return {
            "same_edition": np.array(same, dtype=float),
            "lead": np.array(lead, dtype=float),
        }

    def _same_edition(self, s: tuple[int, ...], t: tuple[int, ...]) -> bool:
        editions = {self.src[i].edition for i in s} | {self.tgt[j].edition for j in t}
        return len(editions) == 1 and None not in editions


def crossings(
    rows: np.ndarray, cols: np.ndarray, backbone_rows: np.ndarray, backbone_cols: np.ndarray
) -> np.ndarray:
    """For each pair (``rows[n]``, ``cols[n]``): how many backbone pairs it crosses (one is
    before it in one document and after it in the other; pairs sharing a sentence do not)."""
    if not len(rows) or not len(backbone_rows):
        return np.zeros(len(rows), dtype=int)
    dx = backbone_rows[None, :] - np.asarray(rows)[:, None]
    dy = backbone_cols[None, :] - np.asarray(cols)[:, None]
    return (dx * dy < 0).sum(axis=1)
