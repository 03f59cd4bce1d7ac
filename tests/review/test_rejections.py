"""A rejected pair is a standing constraint of the file (``rejected``), not only a link row:
it survives ``r`` (re-link) and ``R`` (re-align the rest) and is never proposed again."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.review.app import make_app
from workbench.settings import AlignSettings
from workbench.store import Status, load_alignment

SIZE = (120, 40)
SRC, REJECTED = "fr-2022-cnw:5", "en-2022-chinadaily:24"  # the seed pair of the report
PAIR = ((SRC,), (REJECTED,))


def app_for(path: Path, corpus, clock):
    settings = AlignSettings(encoder="none")  # fast; nothing written outside tmp_path
    return make_app(
        path, corpus=corpus, reviewer="ana", clock=clock, mt={}, align_settings=settings
    )


def row_of(app, sid: str) -> int:
    (row,) = [i for i, link in enumerate(app.data.alignment.links) if sid in link.src]
    return row


def pairs(app) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    return {(tuple(link.src), tuple(link.tgt)) for link in app.data.alignment.links}


async def go_to(pilot, app, sid: str) -> None:
    await pilot.press("g", *str(row_of(app, sid) + 1), "enter")


@pytest.fixture(autouse=True)
def _needs_aligner():
    pytest.importorskip("workbench.align.corpus_align")


async def test_relink_then_realign_never_proposes_the_rejected_pair_again(
    seed_alignments, seed_corpus, fixed_clock
):
    # before: `r` on the rejected row made it auto and dropped the rejection; `R` then
    # proposed fr-2022-cnw:5 / en-2022-chinadaily:24 again as auto
    path = seed_alignments["fr"]
    app = app_for(path, seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")  # the aligner proposes the seed pair
        assert PAIR in pairs(app)
        await go_to(pilot, app, SRC)
        await pilot.press("x")
        assert app.data.alignment.links[row_of(app, SRC)].status == Status.REJECTED
        await go_to(pilot, app, SRC)
        await pilot.press("r", *"chinadaily:23 ", "enter")  # re-link: auto again
        link = app.data.alignment.links[row_of(app, SRC)]
        assert link.tgt == ["en-2022-chinadaily:23"] and link.status == Status.AUTO
        await pilot.press("R")
        assert PAIR not in pairs(app)
        assert PAIR in {r.pair for r in app.data.alignment.rejected}  # still standing
        row_of(app, SRC)  # one row for the source: its fresh proposal
        await pilot.press("q")
    saved = load_alignment(path)
    assert [r.pair for r in saved.rejected] == [PAIR]
    assert [r.reviewer for r in saved.rejected] == ["ana"]


async def test_a_rejected_source_gets_a_fresh_proposal_and_undo_lifts_it(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await go_to(pilot, app, SRC)
        await pilot.press("x", "R")
        link = app.data.alignment.links[row_of(app, SRC)]
        assert link.status == Status.AUTO and link.tgt != [REJECTED]  # another, or 1-0
        assert [r.pair for r in app.data.alignment.rejected] == [PAIR]
        await go_to(pilot, app, SRC)  # the fresh row names the rejected pair, dimmed
        detail = app.query_one("#detail").content.plain
        assert "⊘ rejected: en-2022-chinadaily:24 (25/51) · ana" in detail
        row = app.query_one("#links").line_segments(row_of(app, SRC), link, 120)
        assert "⊘ " in "".join(segment.text for segment in row)
        await pilot.press("u")  # the re-alignment: the rejected row is back
        assert app.data.alignment.links[row_of(app, SRC)].status == Status.REJECTED
        await pilot.press("u")  # the rejection: no constraint left
        assert app.data.alignment.rejected == []
        assert app.data.alignment.links[row_of(app, SRC)].status == Status.AUTO
        await pilot.press("ctrl+r")  # redo: standing again
        assert [r.pair for r in app.data.alignment.rejected] == [PAIR]


async def test_a_on_a_no_counterpart_row_never_offers_a_rejected_pair(
    seed_alignments, seed_corpus, fixed_clock
):
    app = app_for(seed_alignments["fr"], seed_corpus, fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "7", "enter")  # fr 7/13, 1-0
        (_, best), *_ = app.data.best_candidates(app.data.alignment.links[6])
        session = app.session
        session.relink(6, [best])
        session.reject(6)
        session.relink(6, [])  # back to 1-0; the pair stays rejected
        link = app.data.alignment.links[6]
        assert link.tgt == [] and link.src == ["fr-2022-cnw:6"]
        offered = [sid for _, sid in app.data.best_candidates(link)]
        assert offered and best not in offered
