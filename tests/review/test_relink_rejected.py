"""The `r` picker and standing rejections: a sentence rejected with this source is dimmed,
marked `⊘ rejected`, ranked last, and linked only after a confirmation that lifts the
rejection in the same undoable, journaled operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from workbench.review.app import make_app
from workbench.review.screens import ChoiceScreen, RelinkScreen
from workbench.review.widgets import DIM
from workbench.settings import ReviewSettings
from workbench.store import Status, load_alignment
from workbench.store.ops import OpError
from workbench.store.session import ReviewSession, load_current

SIZE = (120, 40)
SRC, OLD, NEW = "fr-2022-cnw:4", "en-2021-globaltimes:6", "en-2021-globaltimes:7"
PAIR = ((SRC,), (OLD,))


def app_for(path: Path, corpus, clock):
    # rescoring off: the test is about the picker, not the scorer
    settings = ReviewSettings(rescore=False)
    return make_app(path, corpus=corpus, reviewer="ana", clock=clock, mt={}, settings=settings)


async def reject_then_relink_away(pilot, app) -> None:
    """Row 5 (fr 5/13 -> globaltimes:6) rejected, then re-linked to globaltimes:7."""
    await pilot.press("g", "5", "enter", "x", "g", "5", "enter")
    await pilot.press("r", *"Suzhou", "enter")
    link = app.data.alignment.links[4]
    assert link.tgt == [NEW] and [r.pair for r in app.data.alignment.rejected] == [PAIR]


async def test_picker_dims_ranks_last_and_confirms_before_lifting(
    seed_alignments, seed_corpus, fixed_clock
):
    path = seed_alignments["fr"]
    app = app_for(path, seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await reject_then_relink_away(pilot, app)
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, RelinkScreen)
        assert screen.ranked[-1][1] == OLD and set(screen.rejected) == {OLD}
        await pilot.press(*"globaltimes:6 ")
        prompt = screen.query_one(OptionList).get_option(OLD).prompt
        assert "⊘ rejected by ana" in prompt.plain
        assert prompt.spans and all(span.style == DIM for span in prompt.spans)  # dimmed
        await pilot.press("enter")  # a rejected pair: asked first, "keep" highlighted
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")
        assert app.data.alignment.links[4].tgt == [NEW]
        assert [r.pair for r in app.data.alignment.rejected] == [PAIR]
        await pilot.press("r", *"globaltimes:6 ", "enter", "down", "enter")  # lift it
        link = app.data.alignment.links[4]
        assert link.tgt == [OLD] and link.status == Status.AUTO
        assert app.data.alignment.rejected == []
        await pilot.press("u")  # one step: the link and the rejection come back
        assert app.data.alignment.links[4].tgt == [NEW]
        (rejection,) = app.data.alignment.rejected
        assert rejection.pair == PAIR and rejection.reviewer == "ana"
        await pilot.press("ctrl+r")
        assert app.data.alignment.rejected == [] and app.data.alignment.links[4].tgt == [OLD]
        # a crash now: the journal holds it all
        assert load_current(path)[0].rejected == []
        await pilot.press("q")
    saved = load_alignment(path)
    assert saved.rejected == [] and saved.links[4].tgt == [OLD]


async def test_escape_in_the_confirmation_links_nothing(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await reject_then_relink_away(pilot, app)
        await pilot.press("r", *"globaltimes:6 ", "enter", "escape")
        assert app.data.alignment.links[4].tgt == [NEW]
        assert [r.pair for r in app.data.alignment.rejected] == [PAIR]
        await pilot.press("q")


def test_relink_to_a_rejected_pair_needs_lift_and_undo_restores_it(seed_alignments):
    session = ReviewSession.open(seed_alignments["fr"], "ana")
    session.reject(4)
    session.relink(4, [NEW])
    with pytest.raises(OpError, match="rejected pair"):
        session.relink(4, [OLD])
    assert session.links[4].tgt == [NEW]
    session.relink(4, [OLD], lift=True)
    assert session.alignment.rejected == [] and session.alignment.rejected_pairs() == set()
    session.undo()
    assert [r.pair for r in session.alignment.rejected] == [PAIR]
    session.close()


def test_lifting_a_rejected_row_of_an_old_file_keeps_no_rejection():
    # an old file: the rejection is only a rejected 0-1 row; re-linking another 0-1 row to its
    # English sentence empties and removes that row, and the lifted pair is not kept
    from workbench.store import Alignment, Link
    from workbench.store.ops import Stamp, relink

    rows = [Link("L00001", [], ["en:1"], Status.REJECTED), Link("L00002", [], ["en:2"])]
    alignment = Alignment("fr", "en", links=rows)
    stamp = Stamp("ana", "2026-01-02T03:04:05+00:00")
    with pytest.raises(OpError):
        relink(alignment, 1, ["en:1"], stamp)
    transaction = relink(alignment, 1, ["en:1"], stamp, lift=True)
    transaction.apply(alignment)
    assert [(x.id, x.tgt) for x in alignment.links] == [("L00002", ["en:1"])]
    assert alignment.rejected_pairs() == set()
    transaction.revert(alignment)
    assert alignment.rejected_pairs() == {((), ("en:1",))} and alignment.rejected == []
