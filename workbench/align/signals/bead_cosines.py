"""The encoder signal of parallel mode: the cosine of every candidate bead in the DP band.

A bead (a, b) pairs ``a`` consecutive source sentences with ``b`` consecutive target
sentences. Each side is one vector (:class:`SpanEmbeddings`):

- one sentence: its embedding;
- ``s`` sentences, ``1 < s <= concat_max``: the embedding of their concatenated text, as
  Vecalign and Bertalign embed "overlaps" (one encoder pass per span, through the cache);
- longer spans (or no encoder to embed them with): the normalised sum of the members'
  embeddings, which costs no encoder pass at all.

``concat_max = 1`` is the cheap approximation (sums only); docs/benchmarks.md ("Parallel mode
with the sentence encoder") measures it against concatenations on the dev sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.align.signals.blas import one_blas_thread

if TYPE_CHECKING:
    from workbench.align.parallel import Band

_CELLS_PER_CHUNK = 1 << 21  # span_cosines: rows x columns per matrix product (memory bound)
_ROWS = 256  # sum_units: rows per block (its temporaries stay in cache)

Encode = Callable[[Sequence[str]], np.ndarray]


def prefix_sums(emb: np.ndarray) -> np.ndarray:
    """(len + 1, D) float64: row k the sum of rows 0..k-1."""
    prefix = np.empty((len(emb) + 1, emb.shape[1]), dtype=np.float64)
    prefix[0] = 0.0
    prefix[1:] = emb  # widened first, then summed in place: the same sums, ~2x faster
    np.cumsum(prefix[1:], axis=0, out=prefix[1:])
    return prefix


def sum_units(emb: np.ndarray, size: int, prefix: np.ndarray | None = None) -> np.ndarray:
    """Row k (DP coordinate, k >= size): the normalised sum of rows k-size..k-1; zeros before.
    ``prefix``: :func:`prefix_sums` of ``emb`` when already computed.

    float32 rows, the same values as ``sums / np.linalg.norm(sums, axis=1)`` on the float64
    sums, computed a block of rows at a time (no (N, D) float64 temporaries)."""
    prefix = prefix_sums(emb) if prefix is None else prefix
    out = np.zeros(prefix.shape, dtype=np.float32)
    sums = np.empty((_ROWS, prefix.shape[1]), dtype=np.float64)
    squares = np.empty_like(sums)
    for r0 in range(size, len(prefix), _ROWS):
        r1 = min(len(prefix), r0 + _ROWS)
        block, sq = sums[: r1 - r0], squares[: r1 - r0]
        np.subtract(prefix[r0:r1], prefix[r0 - size : r1 - size], out=block)
        np.multiply(block, block, out=sq)
        norms = np.sqrt(np.add.reduce(sq, axis=1, keepdims=True))
        np.divide(block, np.where(norms > 0, norms, 1.0), out=block)
        out[r0:r1] = block
    return out


def join_span(lines: Sequence[str]) -> str:
    """The text of a span: its non-empty members, stripped, joined by one space."""
    return " ".join(s for s in (line.strip() for line in lines) if s)


class SpanEmbeddings:
    """Vectors of the spans of one side: ``units(size)`` is (len + 1, D), row k the span of
    lines k-size..k-1 (DP coordinates; rows before ``size`` are zero).

    ``lazy``: spans start as sums of their members and only those passed to
    :meth:`embed_spans` get their concatenation embedded (parallel mode asks for the sides
    of the many-sided beads of its first path); otherwise every span of a size up to
    ``concat_max`` is embedded up front (:meth:`prepare`).
    """

    def __init__(
        self,
        sentences: np.ndarray,
        lines: Sequence[str] | None = None,
        encode: Encode | None = None,
        concat_max: int = 1,
        lazy: bool = False,
    ):
        sentences = np.asarray(sentences, dtype=np.float32)
        if sentences.ndim != 2:
            raise ValueError("sentence embeddings must be an (N, D) array")
        if lines is not None and len(lines) != len(sentences):
            raise ValueError("one line per sentence embedding")
        self.sentences = sentences
        self.lines = list(lines) if lines is not None else None
        self.encode = encode
        self.concat_max = concat_max if encode is not None and lines is not None else 1
        self.lazy = lazy
        self.embedded: set[tuple[int, int]] = set()  # (start, end) spans embedded lazily
        self._units: dict[int, np.ndarray] = {}
        self._prefix: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def dim(self) -> int:
        return int(self.sentences.shape[1])

    def units(self, size: int) -> np.ndarray:
        if size not in self._units:
            if size == 1 or size > self.concat_max or size > len(self) or self.lazy:
                if self._prefix is None:
                    self._prefix = prefix_sums(self.sentences)
                self._units[size] = sum_units(self.sentences, size, self._prefix)
            else:
                self.prepare([size])
        return self._units[size]

    def prepare(self, sizes: Sequence[int]) -> None:
        """Embed the concatenations of all ``sizes`` in one encoder call (better batches)."""
        if self.lazy:
            return
        todo = [s for s in sorted(set(sizes)) if 1 < s <= min(self.concat_max, len(self))]
        todo = [s for s in todo if s not in self._units]
        if not todo:
            return
        assert self.lines is not None and self.encode is not None
        texts = [join_span(self.lines[k - s : k]) for s in todo for k in range(s, len(self) + 1)]
        vectors = self.encode(texts)
        start = 0
        for s in todo:
            count = len(self) + 1 - s
            out = np.zeros((len(self) + 1, self.dim), dtype=np.float32)
            out[s:] = vectors[start : start + count]
            self._units[s] = out
            start += count

    def embed_spans(self, spans: Iterable[tuple[int, int]]) -> int:
        """Embed the concatenation of each (start, end) span of 2..concat_max lines not
        embedded yet (lazy mode; one encoder call); returns how many were."""
        if not self.lazy or self.lines is None or self.encode is None:
            return 0
        todo = sorted(
            {(a, b) for a, b in spans if a >= 0 and b <= len(self) and 1 < b - a <= self.concat_max}
            - self.embedded
        )
        if not todo:
            return 0
        vectors = self.encode([join_span(self.lines[a:b]) for a, b in todo])
        for (a, b), vector in zip(todo, vectors, strict=True):
            self.units(b - a)[b] = vector
        self.embedded.update(todo)
        return len(todo)


def encode_sides(
    encoder: Any, src: Sequence[str], tgt: Sequence[str], concat_max: int, lazy_above: int
) -> tuple[SpanEmbeddings, SpanEmbeddings]:
    """Both sides' span embeddings through ``encoder`` (``encode(texts)``; a CachedEncoder):
    concatenations up to ``concat_max`` sentences, lazily when the document has more than
    ``lazy_above`` sentences on both sides together."""
    lazy = len(src) + len(tgt) > lazy_above
    src_spans, tgt_spans = (
        SpanEmbeddings(encoder.encode(lines), lines, encoder.encode, concat_max, lazy)
        for lines in (src, tgt)
    )
    return src_spans, tgt_spans


def as_span_embeddings(
    embeddings: tuple[np.ndarray | SpanEmbeddings, np.ndarray | SpanEmbeddings],
) -> tuple[SpanEmbeddings, SpanEmbeddings]:
    """(source, target) as :class:`SpanEmbeddings` (plain arrays: sums of members only)."""
    src, tgt = (e if isinstance(e, SpanEmbeddings) else SpanEmbeddings(e) for e in embeddings)
    if src.dim != tgt.dim:
        raise ValueError("embeddings must be (n, D) and (m, D) arrays with the same D")
    return src, tgt


def span_cosines(
    src: SpanEmbeddings | np.ndarray,
    tgt: SpanEmbeddings | np.ndarray,
    band: Band,
    bead_types: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Cosine of bead (a, b) at each band cell: (T, n+1, W) float32, nan where it does not fit.

    Bead (a, b) ending at DP cell (i, j) covers source sentences i-a..i-1 and target sentences
    j-b..j-1 (as :func:`workbench.align.parallel.bead_similarities`). Rows are processed in
    blocks (one matrix product over the columns they use), so memory stays bounded for long
    documents.
    """
    src, tgt = as_span_embeddings((src, tgt))
    n, m = len(src), len(tgt)
    if len(band.lo) != n + 1 or int(band.hi.max()) > m + 1:
        raise ValueError("band must have n + 1 rows and columns up to m")
    src.prepare([a for a, _ in bead_types])
    tgt.prepare([b for _, b in bead_types])
    width = band.width
    out = np.full((len(bead_types), n + 1, width), np.nan, dtype=np.float32)
    k = np.arange(width)
    # about `width` rows per block: a monotone band then spans a few times `width` columns,
    # so one product per block costs a small multiple of the band's own cells
    rows_per_chunk = max(32, min(_CELLS_PER_CHUNK // max(width, 1), width))
    with one_blas_thread():
        for r0 in range(0, n + 1, rows_per_chunk):
            r1 = min(n + 1, r0 + rows_per_chunk)
            rows = np.arange(r0, r1)
            lo, hi = band.lo[r0:r1], band.hi[r0:r1]
            cols = lo[:, None] + k[None, :]  # (R, W)
            c0 = int(lo.min())
            c1 = max(int(hi.max()), c0 + 1)
            gather = np.clip(cols - c0, 0, c1 - c0 - 1)
            for t, (a, b) in enumerate(bead_types):
                prod = src.units(a)[r0:r1] @ tgt.units(b)[c0:c1].T  # (R, C)
                vals = np.take_along_axis(prod, gather, axis=1)
                fits = (rows[:, None] >= a) & (cols >= b) & (cols < hi[:, None])
                out[t, r0:r1] = np.where(fits, vals, np.nan)
    return out


def chunk_sums(emb: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Sums of the rows between consecutive ``cuts`` (an empty chunk sums to 0: cosine 0)."""
    prefix = prefix_sums(emb)
    return prefix[cuts[1:]] - prefix[cuts[:-1]]
