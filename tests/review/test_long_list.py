"""A long file (6,000 links, past the rounding threshold): scrolling, end, merge, filter."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.review.app import make_app
from workbench.store import save_alignment

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from review_speed import synthetic_alignment, synthetic_corpus  # noqa: E402

N = 6000


async def test_long_list_scrolls_only_to_real_rows(tmp_path: Path) -> None:
    corpus = synthetic_corpus(N, per_doc=500)
    path = tmp_path / "long.align.jsonl"
    save_alignment(synthetic_alignment(corpus, N), path)
    app = make_app(path, corpus=corpus, reviewer="ana", mt={})
    async with app.run_test(size=(100, 30)) as pilot:
        links = app.links
        assert links.virtual_size.height == 6144  # rounded up: merges need no layout pass
        await pilot.press("end")
        height = links.scrollable_content_region.height
        assert app.current_index() == N - 1 and links.scroll_offset.y == N - height
        links.scroll_to(y=10**6, animate=False, immediate=True)
        await pilot.pause()
        assert links.scroll_offset.y == links.max_scroll_y == N - height  # not into blank rows
        await pilot.press("M")  # merge the last two
        assert len(app.data.alignment.links) == N - 1 and links.virtual_size.height == 6144
        assert app.current_index() == N - 2
        await pilot.press("u", "home", "a")
        assert str(app.data.alignment.links[0].status) == "approved"
        assert app.current_index() == 1
        await pilot.press("g", *"4000", "enter")
        assert app.current_index() == 3999
        await pilot.press("q")
    again = make_app(path, corpus=corpus, reviewer="ana", mt={})
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        links = again.links
        assert again.current_index() == 3999  # back where the reviewer was, and on screen
        top = links.scroll_offset.y
        assert top <= 3999 < top + links.scrollable_content_region.height
