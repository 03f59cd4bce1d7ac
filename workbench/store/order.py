"""Article order: how links are listed (in files, in the review screen, after every edit).

Reviewers read an article top to bottom, so links are ordered by their first source
sentence: source document (in the alignment's ``src_docs`` order), then sentence position;
links with no source sentence (0-1) come after, by English document and position. The sort
is stable and depends only on the sentence ids, so re-aligning, merging or splitting never
moves a link whose sentences did not change.

Sentence ids are ``<document id>:<0-based position>`` (``fr-2022-cnw:5`` is the 6th sentence).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from workbench.store.model import Alignment, Link

_LAST = 10**9


def sentence_position(sid: str) -> tuple[str, int]:
    """``("fr-2022-cnw", 5)`` for ``"fr-2022-cnw:5"`` (position ``_LAST`` if not a number)."""
    doc, _, index = sid.rpartition(":")
    return (doc, int(index)) if index.isdigit() else (sid, _LAST)


def _ranks(docs: Iterable[str]) -> dict[str, int]:
    return {doc: n for n, doc in enumerate(docs)}


def _first(ids: Sequence[str], rank: dict[str, int]) -> tuple[int, str, int]:
    positions = [sentence_position(sid) for sid in ids]
    return min((rank.get(doc, len(rank)), doc, index) for doc, index in positions)


def order_key(link: Link, src_rank: dict[str, int], tgt_rank: dict[str, int]) -> tuple:
    """Sort key of ``link``: source side first (document, position), then English side."""
    tgt = _first(link.tgt, tgt_rank) if link.tgt else (_LAST, "", _LAST)
    if link.src:
        return (0, *_first(link.src, src_rank), *tgt)
    return (1, *tgt)


def article_order(
    links: Sequence[Link], src_docs: Sequence[str], tgt_docs: Sequence[str]
) -> list[Link]:
    """``links`` sorted in article order (stable)."""
    src_rank, tgt_rank = _ranks(src_docs), _ranks(tgt_docs)
    return sorted(links, key=lambda link: order_key(link, src_rank, tgt_rank))


def in_article_order(alignment: Alignment) -> bool:
    """Whether ``alignment.links`` are already in article order."""
    src_rank, tgt_rank = _ranks(alignment.src_docs), _ranks(alignment.tgt_docs)
    keys = [order_key(link, src_rank, tgt_rank) for link in alignment.links]
    return all(a <= b for a, b in zip(keys, keys[1:], strict=False))
