"""Rescoring one link after a reviewer's edit, with the comparable aligner's own scorer.

A re-linked, merged, split or corrected link must show a score, features and discrepancy
flags that are true of its current sentences. :func:`rescore_link` computes them exactly as
the aligner does (:class:`workbench.align.comparable.Scorer`: chrF of the MT against the
English, margin, cosine, anchors, length, edition; number/date flags), given a
:class:`RescoreContext` that holds what the score of one pair depends on besides the pair:
the other sentences (for the TF-IDF weights and the margin's k nearest neighbours).

Build the context once (:func:`build_context`, about what the aligner's ``prepare`` costs on
the same sentences) and rescore many links against it (a few milliseconds each).

Usage::

    context = build_context(src_items, tgt_items)
    score, features, flags = rescore_link(["fr-2022-cnw:0"], None, ["en-2022-chinadaily:3"], context)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.align.comparable import Item, MiningConfig, Scorer, prepare
from workbench.store.model import Flag


@dataclass
class RescoreContext:
    """The scorer over every sentence it may be asked about, and where each sentence is."""

    scorer: Scorer
    src_index: dict[str, int]
    tgt_index: dict[str, int]
    config: MiningConfig | None = None
    space: Any = None  # the candidate vectors' columns and IDF, for patches (context_patch)

    def patch(self, changes: dict[str, str]) -> bool:
        """Give each sentence id its new text, in place (``context_patch``); False when the
        context cannot be patched and must be built again."""
        from workbench.align.context_patch import patch_sentence

        config = self.config or MiningConfig()
        return all(patch_sentence(self, sid, text, config) for sid, text in changes.items())


def build_context(
    src_items: Sequence[Item],
    tgt_items: Sequence[Item],
    config: MiningConfig | None = None,
    encoder: Any = None,
) -> RescoreContext:
    """A context over source items (with their MT, if any) and English items (the aligner's
    candidate vectors, neighbours, chrF profiles and, with ``encoder``, sentence embeddings,
    built as in :func:`comparable.prepare`)."""
    from workbench.align.context_patch import VectorSpace

    config = config or MiningConfig()
    _, scorer = prepare(list(src_items), list(tgt_items), config, encoder=encoder)
    space = VectorSpace(
        list(scorer.surface.texts), list(scorer.anchors), config, scorer.vectors.shape[1]
    )
    return RescoreContext(
        scorer,
        {item.id: n for n, item in enumerate(src_items)},
        {item.id: n for n, item in enumerate(tgt_items)},
        config,
        space if space.ok else None,
    )


def rescore_link(
    src_sentences: Sequence[str],
    src_mt: Sequence[str | None] | None,
    tgt_sentences: Sequence[str],
    context: RescoreContext,
) -> tuple[float | None, dict[str, float], list[Flag]]:
    """Score, features and flags of the link (source ids, English ids), as the aligner gives them.

    ``src_mt`` is accepted for symmetry with callers that hold the MT; the context already
    carries the MT each source item was built with (``None`` everywhere: anchors only).
    A link with an empty side, or a sentence the context lacks, gets ``(None, {}, [])``:
    there is nothing to compare, so no score is claimed.
    """
    del src_mt  # the context's items carry their MT
    if not src_sentences or not tgt_sentences:
        return None, {}, []
    try:
        src = tuple(context.src_index[sid] for sid in src_sentences)
        tgt = tuple(context.tgt_index[sid] for sid in tgt_sentences)
    except KeyError:
        return None, {}, []
    (proposal,) = context.scorer.score_groups([(src, tgt)])
    features = {key: round(float(value), 4) for key, value in proposal.features.items()}
    return round(float(proposal.score), 4), features, list(proposal.flags)


def best_candidates(
    src_sentences: Sequence[str], context: RescoreContext, limit: int = 5
) -> list[tuple[float, str]]:
    """The English sentences the aligner would consider for these source sentences (their
    nearest neighbours by candidate cosine), scored by the aligner: ``[(score, id)]``, best first."""
    if not src_sentences:
        return []
    try:
        src = tuple(context.src_index[sid] for sid in src_sentences)
    except KeyError:
        return []
    import numpy as np

    scorer = context.scorer
    n_src = len(scorer.src)
    row = scorer.vectors[list(src)].sum(axis=0)
    sims = np.asarray(scorer.vectors[n_src:] @ np.asarray(row).ravel()).ravel()
    k = min(len(sims), max(limit, 4))
    near = np.argsort(-sims, kind="stable")[:k]
    proposals = scorer.score_groups([(src, (int(j),)) for j in near])
    ranked = sorted(
        ((round(float(p.score), 4), p.tgt[0]) for p in proposals), key=lambda x: (-x[0], x[1])
    )
    return ranked[:limit]
