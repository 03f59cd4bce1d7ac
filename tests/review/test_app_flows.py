"""Pilot tests of the review app's key flows, asserting on the data model."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from workbench.review.app import make_app
from workbench.settings import ReviewSettings
from workbench.store import Status, load_alignment

SIZE = (120, 40)


def app_for(path: Path, corpus, clock, **kw):
    return make_app(path, corpus=corpus, reviewer="ana", clock=clock, mt={}, **kw)


def statuses(app) -> list[str]:
    return [str(link.status) for link in app.data.alignment.links]


async def test_approve_reject_undo_redo_and_navigation(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a")  # approve L1, go to L2, approve, go to L3
        assert statuses(app)[:3] == ["approved", "approved", "auto"]
        assert app.current_index() == 2
        await pilot.press("x")
        assert statuses(app)[2] == "rejected"
        await pilot.press("u")
        assert statuses(app)[2] == "auto" and app.current_index() == 2
        await pilot.press("ctrl+r")
        assert statuses(app)[2] == "rejected"
        await pilot.press("j", "j", "down", "k")
        assert app.current_index() == 4
        await pilot.press("n")  # next pending from #5 is #6
        assert app.current_index() == 5
        await pilot.press("N")
        assert app.current_index() == 4
        link = app.data.alignment.links[0]
        assert link.reviewer == "ana" and link.modified == fixed_clock()
        await pilot.press("q")
    saved = load_alignment(seed_alignments["fr"])
    assert [str(link.status) for link in saved.links][:3] == ["approved", "approved", "rejected"]


async def test_merge_split_and_merge_previous_are_one_undo_step(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        before = [(link.id, link.src, link.tgt) for link in app.data.alignment.links]
        await pilot.press("m")
        assert app.data.alignment.links[0].kind == "2-2"
        await pilot.press("s")
        assert [(link.id, link.src, link.tgt) for link in app.data.alignment.links] == before
        await pilot.press("j", "M")
        assert app.data.alignment.links[0].src == ["fr-2022-cnw:0", "fr-2022-cnw:1"]
        await pilot.press("u")
        assert [(link.id, link.src, link.tgt) for link in app.data.alignment.links] == before


async def test_relink_picker_ranks_and_searches(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.press(*"5", "enter")
        assert app.current_index() == 4
        await pilot.press("r")
        screen = app.screen
        scores = [score for score, _ in screen.ranked]
        assert scores == sorted(scores, reverse=True) and len(scores) == 92
        await pilot.press(*"Suzhou")  # search narrows to globaltimes:7
        await pilot.press("enter")
        link = app.data.alignment.links[4]
        assert link.tgt == ["en-2021-globaltimes:7"] and link.status == Status.AUTO
        await pilot.press("u")
        assert app.data.alignment.links[4].tgt == ["en-2021-globaltimes:6"]


async def test_relink_taking_a_used_sentence_is_one_undo_step(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", *"chinadaily:1 ", "enter")
        links = app.data.alignment.links
        assert links[0].tgt == ["en-2022-chinadaily:1"]
        assert links[1].tgt == [] and links[1].status == Status.FLAGGED
        await pilot.press("u")
        assert links[0].tgt == ["en-2022-chinadaily:0"]
        assert app.data.alignment.links[1].tgt == ["en-2022-chinadaily:1"]


async def test_edit_source_and_target_text(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "enter")
        area = app.screen.query_one(TextArea)
        area.clear()
        await pilot.press(*"Texte corrige.", "ctrl+s")
        assert app.data.alignment.edits == {"fr-2022-cnw:0": "Texte corrige."}
        await pilot.press("e", "down", "enter")
        area = app.screen.query_one(TextArea)
        area.move_cursor(area.document.end)
        await pilot.press(*" Extra.", "ctrl+s")
        assert app.data.alignment.edits["en-2022-chinadaily:0"].endswith(" Extra.")
        await pilot.press("e", "escape")  # discard: nothing changes
        assert len(app.data.alignment.edits) == 2
        await pilot.press("u", "u")
        assert app.data.alignment.edits == {}


async def test_search_filter_goto_and_help(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"milliards", "enter")
        assert app.current_index() == 5
        await pilot.press("slash", "enter")  # empty repeats the last search from the cursor
        second = app.current_index()
        assert second > 5 and "milliards" in app.data.side_text(
            app.data.alignment.links[second].src
        )
        await pilot.press("slash", *"en:Governor|Xu Xiaolan", "enter")
        assert app.current_index() == 7
        await pilot.press("f")
        options = app.screen.query_one("#filter-options")
        options.highlighted = list(
            __import__("workbench.review.data", fromlist=["FILTERS"]).FILTERS
        ).index("discrepancy")
        await pilot.press("enter")
        assert app.filter_name == "discrepancy" and app.links.rows == 1 and app.current_index() == 5
        await pilot.press("a")
        assert app.data.alignment.links[5].status == Status.APPROVED
        await pilot.press("g", *"1", "enter")  # outside the filter: the filter is lifted
        assert app.current_index() == 0 and app.filter_name == "all"
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "Screen"


async def test_keymap_remaps_by_binding_id(seed_alignments, seed_corpus, fixed_clock):
    settings = ReviewSettings(keymap={"approve": "enter", "details": "i", "reject": "z"})
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert statuses(app)[0] == "auto"
        await pilot.press("enter", "z")
        assert statuses(app)[:2] == ["approved", "rejected"]


async def test_reopen_returns_to_cursor_and_keeps_decisions(
    seed_alignments, seed_corpus, fixed_clock
):
    path = seed_alignments["th"]
    app = app_for(path, seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "j", "j")
        assert app.current_index() == 3
        await pilot.press("q")
    again = app_for(path, seed_corpus, fixed_clock)
    async with again.run_test(size=SIZE):
        assert again.current_index() == 3
        assert statuses(again)[0] == "approved"


async def test_realign_key_is_one_undo_step(seed_alignments, seed_corpus, fixed_clock):
    pytest.importorskip("workbench.align.corpus_align")
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # L00001 approved: an anchor
        before = [link.to_dict() for link in app.data.alignment.links]
        await pilot.press("R")
        links = app.data.alignment.links
        assert [link.to_dict() for link in links] != before
        assert links[app.session.index("L00001")].to_dict() == before[0]
        await pilot.press("u")
        assert [link.to_dict() for link in app.data.alignment.links] == before


async def test_filter_stays_while_deciding_and_never_hides_edits(
    seed_alignments, seed_corpus, fixed_clock
):
    from workbench.review.data import FILTERS

    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")  # #1 rejected
        await pilot.press("f")
        app.screen.query_one("#filter-options").highlighted = list(FILTERS).index("pending")
        await pilot.press("enter")
        assert app.filter_name == "pending" and app.links.rows == 8
        await pilot.press("a", "a")  # approve #2, #3: both stay visible, the filter stays
        assert app.filter_name == "pending" and app.links.rows == 8
        assert statuses(app)[1:3] == ["approved", "approved"] and app.current_index() == 3
        await pilot.press("j", "j", "m")  # #6 + #7 (fr 6/13 + 7/13): filtered again, kept
        assert app.filter_name == "pending" and app.current_index() == 5
        assert app.data.alignment.links[5].kind == "2-1"
