"""A corrected text patches the rescoring context instead of building it again (issue 12)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from workbench.align.corpus_align import realign
from workbench.jobs.rescoring import LinkRescorer
from workbench.settings import AlignSettings
from workbench.store.model import Alignment, Link

SID = "en-2022-chinadaily:0"


def _scored(rescorer, alignment, links):
    return [rescorer(link, alignment) for link in links]


@pytest.mark.parametrize("encoder", ["none", "use-multilingual-v3"])
def test_a_corrected_text_is_patched_in_not_rebuilt(seed_corpus, tmp_path, encoder) -> None:
    settings = AlignSettings(encoder=encoder, embedding_cache=tmp_path / "e.sqlite")
    aligned = realign(Alignment("fr", "en"), seed_corpus, {}, settings)
    links = [link for link in aligned.links if link.src and link.tgt][:6]
    links.append(Link("X", ["fr-2022-cnw:0"], [SID]))  # 26 novembre / October 26
    rescorer = LinkRescorer(seed_corpus, {}, settings)
    before = _scored(rescorer, aligned, links)
    assert rescorer.builds == 1

    text = "On November 26, 2022, 300 delegates met in the capital."
    edited = replace(aligned, edits={SID: text})
    patched = _scored(rescorer, edited, links)
    assert (rescorer.builds, rescorer.patches) == (1, 1)  # was: a second build (~1 s / 2,000)
    fresh = _scored(LinkRescorer(seed_corpus, {}, settings), edited, links)
    for mine, full in zip(patched, fresh, strict=True):
        assert [f.to_dict() for f in mine.flags] == [f.to_dict() for f in full.flags]
        assert mine.score == pytest.approx(full.score, abs=0.05), mine.id
        for key in ("chrf", "surface", "length", "dates", "numbers", "date_conflict"):
            assert mine.features.get(key) == full.features.get(key), key
    assert patched[-1].features["date_conflict"] == 0.0  # the date now agrees
    assert rescorer.problem is None  # the encoder (when on) was patched too, not dropped
    assert before[-1].features["date_conflict"] == 1.0

    undone = _scored(rescorer, aligned, links)  # undo: patched back to the build's rows
    assert (rescorer.builds, rescorer.patches) == (1, 2)
    assert [link.score for link in undone] == [link.score for link in before]
    assert [link.features for link in undone] == [link.features for link in before]


def test_the_vector_space_rebuilds_every_row_of_the_build(seed_corpus) -> None:
    rescorer = LinkRescorer(seed_corpus, {}, AlignSettings(encoder="none"))
    context, _ = rescorer.context(Alignment("fr", "en"), Link("L", ["fr-2022-cnw:0"], [SID]))
    scorer, space = context.scorer, context.space
    assert space is not None
    for row, text in enumerate(scorer.surface.texts):
        mine = space.row(text, scorer.anchors[row]).toarray()
        assert np.allclose(mine, scorer.vectors[row].toarray(), atol=1e-6), row
