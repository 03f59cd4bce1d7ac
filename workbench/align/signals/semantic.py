"""The encoder signal: meaning similarity of sentence groups, with its margin over neighbours.

Each sentence is encoded once (through the embedding cache); a group of sentences (one side
of a 2-1 / 1-2 link) is encoded as its concatenation, only when asked. For a pair of groups:

- ``enc_cos``: cosine of the two embeddings;
- ``enc_margin``: the ratio margin of Artetxe & Schwenk (2019):
  ``cos(x, y) / ((knn(x) + knn(y)) / 2)``, ``knn`` the mean cosine of a sentence's k nearest
  neighbours on the other side (a group: its members' mean). "Same topic" lifts every
  neighbour of a sentence, "same statement" lifts one: the margin tells them apart.

Sentences the encoder cannot read (empty, or a language it was not trained on) have no
vector; a pair with one of them has ``usable`` = 0 and is scored on the other signals only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class TextEncoder(Protocol):
    """What the signal needs of an encoder (``Encoder`` or ``CachedEncoder``)."""

    id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def supports(self, language: str) -> bool: ...


def dense_top_k_both(
    left: np.ndarray, right: np.ndarray, k: int, chunk: int = 2048
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """k nearest rows by dot product, both ways (rows of ``left`` among ``right`` and back),
    from chunked products: at most (chunk x len(other)) floats are held at once."""
    from workbench.align.comparable import _best_rows

    def one_way(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kk = max(1, min(k, len(b)))
        idx = np.zeros((len(a), kk), dtype=np.int64)
        sims = np.zeros((len(a), kk), dtype=np.float32)
        if len(b) == 0:
            return idx, sims
        for start in range(0, len(a), chunk):
            block = a[start : start + chunk] @ b.T
            idx[start : start + len(block)], sims[start : start + len(block)] = _best_rows(
                block, kk
            )
        return idx, sims

    return one_way(left, right), one_way(right, left)


class EncoderSignal:
    """Sentence embeddings of both sides, their k nearest neighbours and group features."""

    name = "encoder"

    def __init__(
        self,
        encoder: TextEncoder,
        src_texts: Sequence[str],
        src_langs: Sequence[str],
        tgt_texts: Sequence[str],
        tgt_langs: Sequence[str],
        k: int,
    ):
        self.encoder = encoder
        self.texts = [*src_texts, *tgt_texts]
        self.n_src = len(src_texts)
        langs = [*src_langs, *tgt_langs]
        supported = {lang: encoder.supports(lang) for lang in set(langs)}
        self.usable = np.array(
            [
                supported[lang] and bool(text.strip())
                for text, lang in zip(self.texts, langs, strict=True)
            ],
            dtype=bool,
        )
        self.unsupported = sorted(lang for lang, ok in supported.items() if not ok)
        vectors = np.zeros((len(self.texts), encoder.dim), dtype=np.float32)
        rows = np.flatnonzero(self.usable)
        if len(rows):
            vectors[rows] = encoder.encode([self.texts[i] for i in rows])
        self.vectors = vectors
        src, tgt = vectors[: self.n_src], vectors[self.n_src :]
        (self.fwd_idx, fwd_sim), (self.bwd_idx, bwd_sim) = dense_top_k_both(src, tgt, k)
        self.knn = np.concatenate([fwd_sim.mean(axis=1), bwd_sim.mean(axis=1)])
        self._groups: dict[tuple[int, ...], np.ndarray] = {}

    def candidates(self) -> np.ndarray:
        """(source, English) index pairs: each usable sentence's k nearest on the other side."""
        n_src = self.n_src
        src_ok = self.usable[:n_src]
        tgt_ok = self.usable[n_src:]
        fwd = np.stack(
            [np.repeat(np.arange(n_src), self.fwd_idx.shape[1]), self.fwd_idx.ravel()], axis=1
        )
        fwd = fwd[src_ok[fwd[:, 0]] & tgt_ok[fwd[:, 1]]]
        n_tgt = len(tgt_ok)
        bwd = np.stack(
            [self.bwd_idx.ravel(), np.repeat(np.arange(n_tgt), self.bwd_idx.shape[1])], axis=1
        )
        bwd = bwd[src_ok[bwd[:, 0]] & tgt_ok[bwd[:, 1]]]
        return np.concatenate([fwd, bwd]).astype(np.int64)

    def _vector(self, members: tuple[int, ...]) -> np.ndarray:
        if len(members) == 1:
            return self.vectors[members[0]]
        return self._groups[members]

    def _encode_groups(self, groups: Sequence[tuple[int, ...]]) -> None:
        """Embed the concatenations of multi-sentence groups not yet embedded (one batch)."""
        todo = [g for g in dict.fromkeys(groups) if len(g) > 1 and g not in self._groups]
        if not todo:
            return
        texts = [" ".join(self.texts[i] for i in g) for g in todo]
        vectors = self.encoder.encode(texts)
        for g, v in zip(todo, vectors, strict=True):
            self._groups[g] = v

    def features(
        self, groups: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]
    ) -> dict[str, np.ndarray]:
        """``enc_cos``, ``enc_margin`` and ``usable`` (0/1) of (source, English) index groups."""
        n_src = self.n_src
        sides = [(s, tuple(n_src + j for j in t)) for s, t in groups]
        usable = np.array([all(self.usable[i] for i in (*a, *b)) for a, b in sides], dtype=bool)
        multi = [side for (a, b), ok in zip(sides, usable, strict=True) if ok for side in (a, b)]
        self._encode_groups(multi)
        cos = np.zeros(len(groups))
        knn = np.zeros(len(groups))
        rows = np.flatnonzero(usable)
        for start in range(0, len(rows), 8192):
            part = rows[start : start + 8192]
            a = np.stack([self._vector(sides[g][0]) for g in part])
            b = np.stack([self._vector(sides[g][1]) for g in part])
            cos[part] = np.einsum("ij,ij->i", a, b)
            knn[part] = [
                (self.knn[list(sides[g][0])].mean() + self.knn[list(sides[g][1])].mean()) / 2
                for g in part
            ]
        margin = np.where(knn > 0, cos / np.maximum(knn, 1e-6), 0.0)
        return {
            "enc_cos": cos,
            "enc_margin": np.clip(margin, 0.0, 3.0),
            "usable": usable.astype(float),
        }

    def provenance(self) -> dict[str, Any]:
        return self.encoder.provenance()  # type: ignore[attr-defined]
