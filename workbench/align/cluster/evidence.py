"""What the clusterer reads besides the text: vectors, anchors, stored MT, reviewed links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workbench.align.anchors import sentence_anchors
from workbench.align.cluster.build import DocView
from workbench.align.signals.semantic import TextEncoder
from workbench.corpus.model import Corpus
from workbench.corpus.translations import DocumentTranslations
from workbench.store.files import alignment_files
from workbench.store.model import Alignment, Status, pair_of
from workbench.store.session import load_current


def doc_views(
    corpus: Corpus,
    encoder: TextEncoder,  # a CachedEncoder, or anything with encode(texts) -> unit rows
    translations: dict[str, DocumentTranslations] | None = None,
    target_lang: str = "en",
) -> list[DocView]:
    """One :class:`DocView` per document; every sentence encoded in one call (cached)."""
    texts = [s.text for s in corpus.sentences()]
    vectors = encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    views: list[DocView] = []
    start = 0
    for doc in corpus.documents:
        n = len(doc.sentences)
        ids = [s.id for s in doc.sentences]
        mt = translations.get(doc.id) if translations else None
        if doc.language == target_lang:
            english: list[str | None] = [s.text for s in doc.sentences]
        elif mt is not None:
            english = [mt.by_sentence.get(sid) for sid in ids]
        else:
            english = []
        views.append(
            DocView(
                id=doc.id,
                lang=doc.language,
                edition=doc.edition,
                ids=ids,
                vectors=np.ascontiguousarray(vectors[start : start + n]),
                anchors=[sentence_anchors(s.text, doc.language) for s in doc.sentences],
                english=english,
                is_mt=mt is not None and doc.language != target_lang,
                texts=[s.text for s in doc.sentences],
                english_vectors=_mt_vectors(encoder, english) if mt is not None else None,
            )
        )
        start += n
    return views


def _mt_vectors(encoder: TextEncoder, english: list[str | None]) -> np.ndarray:
    """Unit rows of a document's MT (zeros where a sentence has none)."""
    rows = [n for n, e in enumerate(english) if e]
    out = np.zeros((len(english), encoder.dim), dtype=np.float32)
    if rows:
        out[rows] = encoder.encode([english[n] or "" for n in rows])
    return out


def pairwise_files(folder: Path) -> list[Alignment]:
    """Every alignment file in ``folder`` as its reviewer sees it (a pending review journal
    applied): read once, for both :func:`reviewed_links` and :func:`auto_links`."""
    return [load_current(path)[0] for path in alignment_files(folder)]


def _files(source: Path | Sequence[Alignment]) -> Sequence[Alignment]:
    return pairwise_files(source) if isinstance(source, Path) else source


def reviewed_links(
    source: Path | Sequence[Alignment], known: Sequence[str] | set[str]
) -> tuple[list[list[str]], list[tuple[str, str]], int]:
    """Approved links as must-link groups, rejected pairs (the file's standing rejections,
    whether or not a rejected link row is left) as cannot-link pairs, from every alignment
    file of ``source`` (a folder, or :func:`pairwise_files`); links and pairs naming
    sentences no longer in the corpus are skipped (and counted)."""
    known = set(known)
    must: list[list[str]] = []
    cannot: list[tuple[str, str]] = []
    skipped = 0
    for alignment in _files(source):
        listed = alignment.rejected_pairs()  # the header's list and any rejected row
        for link in alignment.links:
            if link.status is not Status.APPROVED or not (link.src and link.tgt):
                continue
            if pair_of(link) in listed:  # the list wins over the row, as in exports
                continue
            if not set(link.src + link.tgt) <= known:
                skipped += 1
                continue
            must.append(link.src + link.tgt)
        for src, tgt in sorted(listed):
            if not (src and tgt):
                continue
            if not set(src + tgt) <= known:
                skipped += 1
                continue
            cannot.extend((s, t) for s in src for t in tgt)
    return must, cannot, skipped


def auto_links(source: Path | Sequence[Alignment]) -> dict[tuple[str, str], float]:
    """Every automatic (or flagged) pairwise link with a score, as sentence pairs -> score:
    the pairwise aligner's evidence, used as one more signal for an edge (``source``: a
    folder, or :func:`pairwise_files`)."""
    pairs: dict[tuple[str, str], float] = {}
    for alignment in _files(source):
        listed = alignment.rejected_pairs()
        for link in alignment.links:
            if link.status.pending and link.score is not None and pair_of(link) not in listed:
                for s in link.src:
                    for t in link.tgt:
                        pairs[(s, t)] = max(pairs.get((s, t), 0.0), float(link.score))
    return pairs
