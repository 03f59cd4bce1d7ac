"""A lone surrogate typed or pasted in review never reaches a file or the screen (item 14)."""

from __future__ import annotations

from workbench.store import Alignment, Link
from workbench.store.ops import Stamp, edit_text


def test_an_edit_with_a_lone_surrogate_is_stored_repaired() -> None:
    alignment = Alignment("fr", "en", links=[Link("L00001", ["fr:0"], ["en:0"])])
    transaction = edit_text(alignment, "fr:0", "caf\udce9 ok", "café ok", Stamp("ana", "t"))
    assert transaction is not None
    step = transaction.steps[0]
    assert step.new == "caf\ufffd ok"
    step.new.encode("utf-8")
