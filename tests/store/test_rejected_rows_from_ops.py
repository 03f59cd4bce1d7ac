"""A row that merge, split or a re-link's leftover makes, holding a standing rejected pair, is
``rejected`` in the same transaction: undo/redo restore both, journal replay after a crash too."""

from __future__ import annotations

from pathlib import Path

from workbench.store import Alignment, Link, Status, load_alignment, ops, save_alignment
from workbench.store.model import Rejection, pair_of
from workbench.store.session import ReviewSession, load_current

T0 = "2026-01-01T00:00:00+00:00"
MERGED = (("fr:1", "fr:2"), ("en:1",))  # a 2-1 rejected before (e.g. then split by hand)


def clock() -> str:
    return "2026-01-02T03:04:05+00:00"


def write(path: Path, rows: list[tuple[list[str], list[str]]], rejected: list) -> Path:
    links = [Link(f"L{i:05d}", s, t, created=T0) for i, (s, t) in enumerate(rows, start=1)]
    save_alignment(Alignment("fr", "en", ["fr"], ["en"], links=links, rejected=rejected), path)
    return path


def open_session(path: Path) -> ReviewSession:
    return ReviewSession.open(path, "ana", clock=clock)


def rows(alignment: Alignment) -> list[tuple[str, tuple, str]]:
    return [(link.id, pair_of(link), str(link.status)) for link in alignment.links]


def test_merge_into_a_rejected_pair_rejects_the_row_undo_redo_and_replay(tmp_path):
    rejection = Rejection(*MERGED, "bob", T0)
    path = write(
        tmp_path / "fr-en.align.jsonl",
        [(["fr:1"], ["en:1"]), (["fr:2"], []), (["fr:3"], ["en:3"])],
        [rejection],
    )
    session = open_session(path)
    before = rows(session.alignment)
    transaction = session.merge_next(0)
    assert transaction is not None
    assert "L00001 (fr:1, fr:2 / en:1, rejected by bob)" in transaction.notice
    assert rows(session.alignment)[0] == ("L00001", MERGED, "rejected")
    assert session.alignment.rejected == [rejection]  # the list entry stays as it was
    assert session.counts()[Status.REJECTED] == 1
    session.undo()
    assert rows(session.alignment) == before and session.alignment.rejected == [rejection]
    session.redo()
    assert rows(session.alignment)[0] == ("L00001", MERGED, "rejected")
    session.release()  # a crash: the merge is only in the journal
    assert load_alignment(path).links[0].status == Status.AUTO  # the snapshot is older
    assert rows(load_current(path)[0])[0] == ("L00001", MERGED, "rejected")
    again = open_session(path)
    assert rows(again.alignment)[0] == ("L00001", MERGED, "rejected")
    again.undo()  # the replayed history undoes the whole merge
    assert rows(again.alignment) == before
    again.redo()
    again.approve(0)  # the reviewer changed their mind: approving lifts the rejection
    assert again.alignment.rejected == [] and again.links[0].status == Status.APPROVED
    again.close()
    assert rows(load_alignment(path))[0] == ("L00001", MERGED, "approved")


def test_merge_then_split_gives_back_the_rejected_row(tmp_path):
    path = write(tmp_path / "fr-en.align.jsonl", [(["fr:1"], ["en:1"]), (["fr:2"], ["en:2"])], [])
    session = open_session(path)
    session.reject(0)
    before = rows(session.alignment)
    merged = session.merge_next(0)
    assert merged is not None and not merged.notice  # the merged pair is not rejected
    assert session.links[0].status == Status.AUTO
    split = session.split(0)
    assert split is not None and "L00001 (fr:1 / en:1, rejected by ana)" in split.notice
    assert rows(session.alignment) == before  # ids, sides and statuses
    session.undo()
    assert [link.status for link in session.links] == [Status.AUTO]
    session.redo()
    session.release()
    again = open_session(path)  # replay: reject, merge, split, undo, redo
    assert rows(again.alignment) == before
    again.undo()
    again.undo()
    assert [link.status for link in again.links] == [Status.REJECTED, Status.AUTO]
    again.close()


def test_split_of_an_auto_row_rejects_only_the_rejected_part(tmp_path):
    pair = (("fr:1",), ("en:1",))
    path = write(
        tmp_path / "fr-en.align.jsonl", [(["fr:1", "fr:2"], ["en:1", "en:2"])], [Rejection(*pair)]
    )
    session = open_session(path)
    transaction = session.split(0)
    assert transaction is not None and "rejected by" not in transaction.notice
    assert [(pair_of(link), link.status) for link in session.links] == [
        (pair, Status.REJECTED),
        ((("fr:2",), ("en:2",)), Status.AUTO),
    ]
    session.undo()
    assert [link.status for link in session.links] == [Status.AUTO]
    session.close()


def test_what_a_relink_leaves_of_another_row_is_rejected_when_its_pair_is(tmp_path):
    pair = (("fr:1",), ("en:1",))
    path = write(
        tmp_path / "fr-en.align.jsonl",
        [(["fr:1"], ["en:1", "en:2"]), (["fr:2"], [])],
        [Rejection(*pair, "bob")],
    )
    session = open_session(path)
    transaction = session.relink(1, ["en:2"])
    assert transaction is not None and "L00001 (fr:1 / en:1, rejected by bob)" in transaction.notice
    assert session.links[0].status == Status.REJECTED  # not flagged: the pair was rejected
    assert session.links[1].tgt == ["en:2"] and session.links[1].status == Status.AUTO
    session.undo()
    assert session.links[0].tgt == ["en:1", "en:2"] and session.links[0].status == Status.AUTO
    session.close()


def test_rescoring_keeps_the_status_and_the_notice():
    alignment = Alignment(
        "fr",
        "en",
        links=[Link("L00001", ["fr:1"], ["en:1"]), Link("L00002", ["fr:2"], [])],
        rejected=[Rejection(*MERGED)],
    )
    stamp = ops.Stamp("ana", T0)
    transaction = ops.rescored(
        alignment,
        ops.merge(alignment, 0, stamp),
        lambda link, _a: Link(**{**link.__dict__, "score": 0.9}),
    )
    assert transaction is not None and transaction.notice
    (step,) = transaction.steps
    assert [(link.status, link.score) for link in step.new] == [(Status.REJECTED, 0.9)]
