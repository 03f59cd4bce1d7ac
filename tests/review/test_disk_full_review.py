"""A full disk during a review (issue 11, item 15): a clear notice, the decision not shown as
done, the screen still usable, the journal without a torn line, no stale lock."""

from __future__ import annotations

import errno
import os
import types

from workbench.review.app import make_app
from workbench.store import journal as journal_module
from workbench.store import load_alignment
from workbench.store.journal import journal_path, read_journal
from workbench.store.lock import lock_path

SIZE = (120, 40)


def _disk(full: dict[str, bool]) -> types.SimpleNamespace:
    """``os`` for the journal module, whose ``write`` fails with ENOSPC while ``full``."""

    def write(fd: int, data: bytes) -> int:
        if full["on"]:
            os.write(fd, data[: len(data) // 2])  # a torn half-record, as a real disk may leave
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, data)

    fake = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if name[0] != "_"})
    fake.write = write
    return fake


async def test_a_decision_the_disk_refuses_is_not_shown_as_done(
    seed_alignments, seed_corpus, fixed_clock, monkeypatch
) -> None:
    path = seed_alignments["fr"]
    full = {"on": False}
    monkeypatch.setattr(journal_module, "os", _disk(full))
    app = make_app(path, corpus=seed_corpus, reviewer="ana", clock=fixed_clock, mt={})
    notices: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notices.append(str(message)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # approved, journaled
        assert app.data.alignment.links[0].status == "approved"
        full["on"] = True
        await pilot.press("a")  # refused by the disk
        assert app.data.alignment.links[1].status == "auto"
        assert any("disk is full" in n and "not done" in n for n in notices), notices
        assert app.current_index() == 1  # the cursor did not move on as if it were done
        full["on"] = False
        await pilot.press("a")  # space freed: the same key works
        assert app.data.alignment.links[1].status == "approved"
        content = read_journal(journal_path(path))
        assert content is not None and not content.torn_tail
        await pilot.press("q")
    assert not lock_path(path).exists()
    assert [str(link.status) for link in load_alignment(path).links[:3]] == [
        "approved",
        "approved",
        "auto",
    ]
