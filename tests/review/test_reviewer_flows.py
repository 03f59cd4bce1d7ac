"""Issue 12: review as a reviewer lives it (pilot flows asserting on the data model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from workbench.review.app import make_app
from workbench.settings import AlignSettings
from workbench.store import Status, load_alignment, save_alignment
from workbench.store.order import in_article_order, sentence_position

from .conftest import FR_LINKS, build_alignment

SIZE = (120, 40)


def app_for(path: Path, corpus, clock, **kw):
    # no sentence encoder: fast, and nothing written outside tmp_path (its embedding cache)
    settings = AlignSettings(encoder="none")
    return make_app(
        path, corpus=corpus, reviewer="ana", clock=clock, mt={}, align_settings=settings, **kw
    )


def shape(app) -> list[tuple[str, list[str], list[str]]]:
    return [(link.id, link.src, link.tgt) for link in app.data.alignment.links]


def rows_of(app, sid: str) -> list[int]:
    return [i for i, link in enumerate(app.data.alignment.links) if sid in link.src]


async def test_merge_joins_only_neighbouring_sentences(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        before = shape(app)
        await pilot.press("g", "4", "enter", "m")  # en globaltimes:8 + :6: not neighbours
        assert shape(app) == before
        assert any("not merged" in n.message for n in app._notifications)
        await pilot.press("g", "6", "enter", "m")  # fr 5/13 + 6/13, one English side: fine
        merged = app.data.alignment.links[5]
        assert merged.src == ["fr-2022-cnw:5", "fr-2022-cnw:6"] and merged.kind == "2-1"


async def test_every_edit_of_a_link_rescores_it(seed_alignments, seed_corpus, fixed_clock):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "6", "enter", "m")  # merge: the 2-1 gets the aligner's evidence
        merged = app.data.alignment.links[5]
        assert merged.score is not None and "margin" in merged.features
        assert merged.features["merge.src_cut"] == 1.0  # split still knows the cut
        await pilot.press("u")
        assert app.data.alignment.links[5].score == 0.55  # undo restores the old evidence
        # re-link fr:0 ("lancé le 26 novembre") to "On October 26, ...": scored, date flagged
        await pilot.press("g", "2", "enter", "r", *"chinadaily:0 ", "enter")
        link = app.data.alignment.links[1]
        assert link.tgt == ["en-2022-chinadaily:0"] and link.src == ["fr-2022-cnw:1"]
        await pilot.press("g", "1", "enter", "r", *"chinadaily:0 ", "enter")
        link = app.data.alignment.links[0]
        assert link.tgt == ["en-2022-chinadaily:0"] and link.score is not None
        assert [flag.kind for flag in link.flags] == ["date"]
        assert 0 in (app.data.view("discrepancy") or [])
        score = link.score
        await pilot.press("e", "down", "enter")  # correct the English text: rescored again
        area = app.screen.query_one(TextArea)
        area.text = "On November 26, the summit on the Internet of Things opened in Wuxi."
        await pilot.press("ctrl+s")
        link = app.data.alignment.links[0]
        assert link.score != score and not link.flags


async def test_an_old_file_opens_in_article_order_as_one_undoable_step(
    tmp_path, seed_corpus, fixed_clock
):
    path = tmp_path / "fr-en.align.jsonl"
    save_alignment(build_alignment("fr", list(reversed(FR_LINKS))), path)
    app = app_for(path, seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        assert in_article_order(app.data.alignment)
        assert app.data.alignment.links[0].src == ["fr-2022-cnw:0"]
        assert any("article order" in notice for notice in app.session.notices)
        await pilot.press("u")
        assert app.data.alignment.links[0].src == ["fr-2022-cnw:12"]  # as the file had it
        await pilot.press("ctrl+r", "q")
    assert in_article_order(load_alignment(path))


async def test_realign_keeps_article_order_and_the_cursor(
    seed_alignments, seed_corpus, fixed_clock
):
    pytest.importorskip("workbench.align.corpus_align")
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "9", "enter", "a")  # approve fr 13/13 (the last row)
        kept = app.data.alignment.links[8].id
        await pilot.press("g", "9", "enter")
        await pilot.press("R")
        links = app.data.alignment.links
        assert in_article_order(app.data.alignment)
        firsts = [sentence_position(link.src[0]) for link in links if link.src]
        assert firsts == sorted(firsts) and firsts[0] == ("fr-2022-cnw", 0)
        assert links[app.current_index()].id == kept  # the cursor stayed on its link
        order = shape(app)
        await pilot.press("R")  # nothing changed since: same rows, same order
        assert shape(app) == order


async def test_reject_then_realign_keeps_one_row_per_source_sentence(
    seed_alignments, seed_corpus, fixed_clock
):
    pytest.importorskip("workbench.align.corpus_align")
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        rejected = app.data.alignment.links[0]
        assert rejected.status == Status.REJECTED
        await pilot.press("R")
        rows = rows_of(app, "fr-2022-cnw:0")
        assert len(rows) == 1  # a fresh proposal in place of the rejected row
        fresh = app.data.alignment.links[rows[0]]
        assert fresh.status == Status.AUTO and fresh.tgt != rejected.tgt
        assert [r.pair for r in app.data.alignment.rejected] == [
            (tuple(rejected.src), tuple(rejected.tgt))
        ]
        for sentence in seed_corpus.document("fr-2022-cnw").sentences:
            assert len(rows_of(app, sentence.id)) <= 1


async def test_decision_keys_all_move_to_the_next_pending_link(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert app.current_index() == 1
        await pilot.press("x")
        assert app.current_index() == 2
        await pilot.press("b")
        assert app.current_index() == 3
        assert [str(link.status) for link in app.data.alignment.links[:3]] == [
            "approved",
            "rejected",
            "flagged",
        ]


async def test_a_on_a_no_counterpart_row_offers_the_best_candidate(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "7", "enter")  # fr 7/13, 1-0
        link = app.data.alignment.links[6]
        (score, best), *_ = app.data.best_candidates(link)
        assert best.startswith("en-") and 0 <= score <= 1
        app.refresh_panels()  # (the panel shows it once the scorer's context is built)
        assert best in app.query_one("#detail").content.plain  # shown, with its score
        await pilot.press("a")
        assert type(app.screen).__name__ == "ChoiceScreen"
        await pilot.press("enter")  # the first answer: link it
        link = app.data.alignment.links[6]
        assert link.tgt == [best] and link.status == Status.AUTO and link.score == score
        await pilot.press("u", "a", "down", "enter")  # the second answer: approve as 1-0
        link = app.data.alignment.links[6]
        assert link.tgt == [] and link.status == Status.APPROVED


async def test_edit_dialog_with_one_sentence_saves_on_enter(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "7", "enter", "e")
        area = app.screen.query_one(TextArea)
        area.move_cursor(area.document.end)
        await pilot.press(*" Fin.", "enter")
        edited = app.data.alignment.edits["fr-2022-cnw:6"]
        assert edited.endswith(" Fin.") and "\n" not in edited
        assert type(app.screen).__name__ == "Screen"


def test_positions_show_the_file_id_and_the_place_in_the_article(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    try:
        assert app.data.position("fr-2022-cnw:5") == "fr-2022-cnw:5 (6/13)"
    finally:
        app.session.release()
    saved = load_alignment(seed_alignments["fr"])
    assert saved.links[5].src == ["fr-2022-cnw:5"]  # the same id as in the file


async def test_unlinked_english_sentences_are_one_key_away(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        unlinked = app.data.unlinked_targets()
        used = {t for link in app.data.alignment.links for t in link.tgt}
        assert unlinked and not used & set(unlinked)
        assert "en-2022-chinadaily:3" in unlinked and "en-2022-chinadaily:0" not in unlinked
        await pilot.press("U")
        assert type(app.screen).__name__ == "DetailScreen"
        shown = app.screen.content.plain
        assert f"{len(unlinked)} EN sentence(s) linked to nothing" in shown
        assert "en-2022-chinadaily:3 (4/51)" in shown
