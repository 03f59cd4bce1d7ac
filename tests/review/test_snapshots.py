"""SVG snapshots of the review UI (fixed reviewer, clock, MT and terminal size).

Update after inspecting the report: ``pytest tests/review/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from workbench.align.explain import aligner_weights
from workbench.review.app import make_app
from workbench.settings import ReviewSettings

from .conftest import FIXED_TIME

SIZE = (120, 40)
# a fixed stand-in for corpus/translations, so the snapshots do not depend on an MT model
MT = {
    "th-2021-xinhua:0": "Xinhua Silk Road: World IoT Expo 2021 opens in Wuxi",
    "th-2021-xinhua:1": "World IoT Expo 2021 opened last Saturday in Wuxi, Jiangsu Province, eastern China.",
    "th-2021-xinhua:3": "Leading figures of the global IoT industry gathered in Wuxi.",
}


def app_for(path, corpus):
    # no background aligner load (its timing would decide what the panel shows): the
    # weights are set here, as the load sets them
    settings = ReviewSettings(rescore=False)
    app = make_app(
        path, corpus=corpus, reviewer="ana", clock=lambda: FIXED_TIME, mt=MT, settings=settings
    )
    app.data.weights = aligner_weights()
    return app


def _no_blink(pilot) -> None:
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False


def test_main_screen(snap_compare, seed_alignments, seed_corpus) -> None:
    app = app_for(seed_alignments["th"], seed_corpus)
    assert snap_compare(app, press=["a", "j"], terminal_size=SIZE)


def test_relink_picker(snap_compare, seed_alignments, seed_corpus) -> None:
    app = app_for(seed_alignments["th"], seed_corpus)

    async def settle(pilot) -> None:
        await pilot.press("j", "r")
        await pilot.pause()
        _no_blink(pilot)

    assert snap_compare(app, run_before=settle, terminal_size=SIZE)


def test_help_screen(snap_compare, seed_alignments, seed_corpus) -> None:
    app = app_for(seed_alignments["fr"], seed_corpus)
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZE)
