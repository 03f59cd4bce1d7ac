"""Issue 11 item 4 in the review screen: a decision the session can no longer keep (its lock
removed under it) is not shown as done, and the screen says why."""

from __future__ import annotations

from workbench.review.app import make_app
from workbench.store.lock import lock_path

SIZE = (120, 40)


async def test_removed_lock_is_said_and_the_decision_not_shown(
    seed_alignments, seed_corpus, fixed_clock
):
    path = seed_alignments["fr"]
    app = make_app(path, corpus=seed_corpus, reviewer="ana", clock=fixed_clock, mt={})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert str(app.data.alignment.links[0].status) == "approved"
        lock_path(path).unlink()
        await pilot.press("a")  # on L2
        assert str(app.data.alignment.links[1].status) == "auto"
        messages = [str(n.message) for n in app._notifications]
        assert any("no longer owns the file" in m for m in messages)
        await pilot.press("q")
    assert app.close_error is not None and "no longer owns" in str(app.close_error)
