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
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from workbench.align.signals.neighbours import top_k_both

# the margin's denominator is at least this: with few sentences on the other side, or only
# unrelated ones, the neighbours' mean cosine is near 0 and a bare ratio would blow up
KNN_FLOOR = 0.3


class TextEncoder(Protocol):
    """What the signal needs of an encoder (``Encoder`` or ``CachedEncoder``)."""

    id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def supports(self, language: str) -> bool: ...


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
        docs: Sequence[str] | None = None,
        src_mt: Sequence[str | None] | None = None,
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
        (self.fwd_idx, fwd_sim), (self.bwd_idx, bwd_sim) = top_k_both(src, tgt, k, chunk=2048)
        self.knn = np.concatenate([fwd_sim.mean(axis=1), bwd_sim.mean(axis=1)])
        self.top_sims = (fwd_sim, bwd_sim)  # each row's k best, for context patches
        self._groups: dict[tuple[int, ...], np.ndarray] = {}
        # document of every sentence (source, then English), for the diagonal support
        names = list(docs) if docs is not None else ["?"] * len(self.texts)
        codes = {name: n for n, name in enumerate(dict.fromkeys(names))}
        self.doc = np.array([codes[name] for name in names], dtype=np.int64)
        # the English MT of source sentences, embedded too: English against English
        self.mt = list(src_mt) if src_mt is not None else [None] * self.n_src
        self.has_mt = np.array([bool(m and m.strip()) for m in self.mt], dtype=bool)
        self.mt_vectors = np.zeros((self.n_src, encoder.dim), dtype=np.float32)
        rows = np.flatnonzero(self.has_mt)
        if len(rows) and encoder.supports("en"):
            self.mt_vectors[rows] = encoder.encode([self.mt[i] for i in rows])

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
        single = np.array([len(a) == 1 and len(b) == 1 for a, b in sides], dtype=bool)
        first_a = np.array([a[0] for a, _ in sides], dtype=np.int64)
        first_b = np.array([b[0] for _, b in sides], dtype=np.int64)
        usable = self.usable[first_a] & self.usable[first_b]
        for g in np.flatnonzero(~single):
            usable[g] = all(self.usable[i] for i in (*sides[g][0], *sides[g][1]))
        multi = [side for g in np.flatnonzero(~single & usable) for side in sides[g]]
        self._encode_groups(multi)
        cos = np.zeros(len(groups))
        knn = np.zeros(len(groups))
        rows = np.flatnonzero(usable & single)  # 1-1: gathered rows, no Python loop
        for start in range(0, len(rows), 8192):
            part = rows[start : start + 8192]
            i, j = first_a[part], first_b[part]
            cos[part] = np.einsum("ij,ij->i", self.vectors[i], self.vectors[j])
            knn[part] = (self.knn[i] + self.knn[j]) / 2
        for g in np.flatnonzero(usable & ~single):
            a, b = sides[g]
            cos[g] = float(self._vector(a) @ self._vector(b))
            knn[g] = (self.knn[list(a)].mean() + self.knn[list(b)].mean()) / 2
        margin = cos / np.maximum(knn, KNN_FLOOR)
        return {
            "enc_cos": cos,
            "enc_margin": np.clip(margin, 0.0, 3.0),
            "enc_support": self.support(sides, usable),
            "enc_mt_cos": self.mt_cosine(sides, usable),
            "usable": usable.astype(float),
        }

    def mt_cosine(self, sides, usable: np.ndarray) -> np.ndarray:
        """``enc_mt_cos``: cosine of the source side's English MT with the English side (0
        without MT); a group's MT is embedded as its concatenation."""
        out = np.zeros(len(sides))
        if not self.has_mt.any():
            return out
        single = np.array([len(a) == 1 and len(b) == 1 for a, b in sides], dtype=bool)
        first_a = np.array([a[0] for a, _ in sides], dtype=np.int64)
        first_b = np.array([b[0] for _, b in sides], dtype=np.int64)
        rows = np.flatnonzero(usable & single & self.has_mt[first_a])
        for start in range(0, len(rows), 8192):
            part = rows[start : start + 8192]
            out[part] = np.einsum(
                "ij,ij->i", self.mt_vectors[first_a[part]], self.vectors[first_b[part]]
            )
        for g in np.flatnonzero(usable & ~single):
            a, b = sides[g]
            if not all(self.has_mt[i] for i in a):
                continue
            key = ("mt", *a)
            if key not in self._groups:
                self._groups[key] = self.encoder.encode([" ".join(self.mt[i] or "" for i in a)])[0]
            out[g] = float(self._groups[key] @ self._vector(b))
        return out

    def _pair_margin(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Encoder margin of single sentences i (source) and j (English), global indices."""
        cos = np.empty(len(i), dtype=np.float32)
        for start in range(0, len(i), 8192):  # small gathers: cache-friendly, little memory
            part = slice(start, start + 8192)
            cos[part] = np.einsum("ij,ij->i", self.vectors[i[part]], self.vectors[j[part]])
        knn = (self.knn[i] + self.knn[j]) / 2
        return np.clip(cos / np.maximum(knn, KNN_FLOOR), 0.0, 3.0)

    def support(self, sides, usable: np.ndarray) -> np.ndarray:
        """``enc_support``: the best encoder margin of a diagonal neighbour pair (the
        sentences just before both sides, or just after, one skipped sentence allowed on
        either side; same documents). Comparable articles that report one statement tend to
        report its neighbours in the same order: a pair in a run of pairs is more likely
        the same statement than an isolated same-topic match."""
        n_all = len(self.texts)
        first_a = np.array([min(a) for a, _ in sides], dtype=np.int64)
        first_b = np.array([min(b) for _, b in sides], dtype=np.int64)
        last_a = np.array([max(a) for a, _ in sides], dtype=np.int64)
        last_b = np.array([max(b) for _, b in sides], dtype=np.int64)
        best = np.zeros(len(sides))
        steps = ((1, 1), (1, 2), (2, 1))
        for sign, (base_a, base_b) in ((-1, (first_a, first_b)), (1, (last_a, last_b))):
            for da, db in steps:
                i, j = base_a + sign * da, base_b + sign * db
                ok = usable & (i >= 0) & (i < self.n_src) & (j >= self.n_src) & (j < n_all)
                i_c, j_c = np.clip(i, 0, n_all - 1), np.clip(j, 0, n_all - 1)
                ok &= (self.doc[i_c] == self.doc[base_a]) & (self.doc[j_c] == self.doc[base_b])
                ok &= self.usable[i_c] & self.usable[j_c]
                rows = np.flatnonzero(ok)
                if len(rows):
                    best[rows] = np.maximum(best[rows], self._pair_margin(i_c[rows], j_c[rows]))
        return best

    def provenance(self) -> dict[str, Any]:
        return self.encoder.provenance()  # type: ignore[attr-defined]


_OPEN: dict[tuple[str, str, str], Any] = {}


def open_encoder(name: str | None, cache: Path | None, models_dir: Path = Path("models")) -> Any:
    """The encoder ``name`` behind the embedding cache at ``cache`` (``CachedEncoder``), or
    None for ``none``. One per process and (name, cache): its in-run memory is shared by every
    language of a run and every re-alignment of a review session, so an unchanged text is
    never encoded twice. An unknown name is an ``EncoderError`` (exit 2)."""
    from workbench.align.signals.embed_cache import CachedEncoder
    from workbench.align.signals.encoder import get_encoder

    key = (str(name), str(cache), str(models_dir))
    if key not in _OPEN:
        encoder = get_encoder(name, models_dir)
        _OPEN[key] = None if encoder is None else CachedEncoder(encoder, cache)
    return _OPEN[key]
