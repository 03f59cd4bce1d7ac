"""`m` / `s` in review: a row they make that holds a standing rejected pair reads `rejected`
(the reviewer is told), and one `u` gives back the rows as they were."""

from __future__ import annotations

from pathlib import Path

from workbench.review.app import make_app
from workbench.settings import ReviewSettings
from workbench.store import Status, load_alignment
from workbench.store.model import pair_of
from workbench.store.session import load_current

SIZE = (120, 40)
PAIR = (("fr-2022-cnw:8", "fr-2022-cnw:9"), ("en-2022-chinadaily:11",))  # seed row 8, a 2-1


def app_for(path: Path, corpus, clock):
    settings = ReviewSettings(rescore=False)  # about statuses, not scores
    return make_app(path, corpus=corpus, reviewer="ana", clock=clock, mt={}, settings=settings)


async def test_split_then_merge_back_a_rejected_row(seed_alignments, seed_corpus, fixed_clock):
    path = seed_alignments["fr"]
    app = app_for(path, seed_corpus, fixed_clock)
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(str(message)), notify(message, **kw))[1]
    links = lambda: app.data.alignment.links  # noqa: E731
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "8", "enter", "x", "g", "8", "enter", "s")
        assert [link.status for link in links()[7:9]] == [Status.AUTO, Status.AUTO]
        await pilot.press("g", "8", "enter", "m")
        assert (pair_of(links()[7]), links()[7].status) == (PAIR, Status.REJECTED)
        assert any("a standing rejected pair, marked rejected" in m for m in told)
        assert [r.pair for r in app.data.alignment.rejected] == [PAIR]
        assert load_current(path)[0].links[7].status == Status.REJECTED  # journaled
        await pilot.press("u")  # the merge, status included
        assert [link.status for link in links()[7:9]] == [Status.AUTO, Status.AUTO]
        await pilot.press("ctrl+r", "q")
    assert load_alignment(path).links[7].status == Status.REJECTED
