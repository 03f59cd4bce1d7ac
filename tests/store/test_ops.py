"""Review operations on the data model: every op, undo/redo, and the invariants."""

from __future__ import annotations

import copy

import pytest

from workbench.store import Alignment, Flag, Link, Status, ops
from workbench.store.history import History, HistoryError, ReplaceLinks, Transaction

STAMP = ops.Stamp("ana", "2026-01-02T03:04:05+00:00")


def make_alignment() -> Alignment:
    links = [
        Link(
            "L00001",
            ["fr:0"],
            ["en:0"],
            Status.AUTO,
            0.9,
            {"chrf": 0.7},
            created="2026-01-01T00:00:00+00:00",
        ),
        Link(
            "L00002",
            ["fr:1"],
            ["en:1"],
            Status.AUTO,
            0.4,
            {},
            [Flag("number", "3", "4")],
            created="2026-01-01T00:00:00+00:00",
        ),
        Link(
            "L00003",
            ["fr:2", "fr:3"],
            ["en:2"],
            Status.APPROVED,
            0.8,
            reviewer="bo",
            created="2026-01-01T00:00:00+00:00",
        ),
        Link("L00004", ["fr:4"], [], Status.REJECTED, None, created="2026-01-01T00:00:00+00:00"),
        Link(
            "L00005",
            ["fr:5"],
            ["en:5", "en:6"],
            Status.AUTO,
            0.5,
            note="check",
            created="2026-01-01T00:00:00+00:00",
        ),
    ]
    return Alignment("fr", "en", ["fr"], ["en"], {}, {}, links)


def snapshot(alignment: Alignment) -> list[dict]:
    return [link.to_dict() for link in alignment.links] + [dict(alignment.edits)]


def check_unique(alignment: Alignment) -> None:
    assert ops.duplicate_sentences(alignment) == {}


def run(alignment: Alignment, transaction: Transaction | None, history: History) -> None:
    assert transaction is not None
    transaction.apply(alignment)
    history.record(transaction)


def test_approve_stamps_reviewer_and_time_and_undo_restores() -> None:
    alignment = make_alignment()
    before = snapshot(alignment)
    tx = ops.approve(alignment, 0, STAMP)
    tx.apply(alignment)
    link = alignment.links[0]
    assert (link.status, link.reviewer, link.modified) == (Status.APPROVED, "ana", STAMP.time)
    assert link.score == 0.9 and link.features == {"chrf": 0.7}
    tx.revert(alignment)
    assert snapshot(alignment) == before


def test_reject_and_flag_toggle() -> None:
    alignment = make_alignment()
    ops.reject(alignment, 1, STAMP).apply(alignment)
    assert alignment.links[1].status == Status.REJECTED
    ops.toggle_flag(alignment, 0, STAMP).apply(alignment)
    assert alignment.links[0].status == Status.FLAGGED
    ops.toggle_flag(alignment, 0, STAMP).apply(alignment)
    assert alignment.links[0].status == Status.AUTO


def test_same_status_is_no_op() -> None:
    alignment = make_alignment()
    assert ops.approve(alignment, 2, STAMP) is None
    with pytest.raises(ops.OpError):
        ops.approve(alignment, 99, STAMP)


def test_merge_next_and_previous() -> None:
    alignment = make_alignment()
    tx = ops.merge_next(alignment, 0, STAMP)
    tx.apply(alignment)
    merged = alignment.links[0]
    assert (merged.id, merged.src, merged.tgt, merged.kind) == (
        "L00001",
        ["fr:0", "fr:1"],
        ["en:0", "en:1"],
        "2-2",
    )
    assert merged.status == Status.AUTO and merged.score is None
    assert [f.kind for f in merged.flags] == ["number"]
    assert len(alignment.links) == 4
    check_unique(alignment)

    alignment = make_alignment()
    tx = ops.merge_previous(alignment, 2, STAMP)
    tx.apply(alignment)
    assert alignment.links[1].src == ["fr:1", "fr:2", "fr:3"]
    assert tx.cursor == "L00003"
    with pytest.raises(ops.OpError):
        ops.merge_previous(alignment, 0, STAMP)
    with pytest.raises(ops.OpError):
        ops.merge_next(alignment, len(alignment.links) - 1, STAMP)


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_merge_then_split_is_identity(index: int) -> None:
    alignment = make_alignment()
    before = [(link.id, link.src, link.tgt) for link in alignment.links]
    ops.merge_next(alignment, index, STAMP).apply(alignment)
    ops.split(alignment, index, STAMP).apply(alignment)
    assert [(link.id, link.src, link.tgt) for link in alignment.links] == before
    check_unique(alignment)


def test_split_pairwise_without_merge_history() -> None:
    alignment = make_alignment()
    ops.split(alignment, 4, STAMP).apply(alignment)  # 1-2 -> 1-1 + 0-1
    assert [(link.src, link.tgt) for link in alignment.links[4:]] == [
        (["fr:5"], ["en:5"]),
        ([], ["en:6"]),
    ]
    assert alignment.links[4].id == "L00005" and alignment.links[5].id == "L00006"
    assert alignment.links[4].note == "check"
    with pytest.raises(ops.OpError):
        ops.split(alignment, 0, STAMP)  # 1-1: nothing to split


def test_relink_takes_sentence_from_other_link_in_one_transaction() -> None:
    alignment = make_alignment()
    before = snapshot(alignment)
    tx = ops.relink(alignment, 0, ["en:1"], STAMP)
    assert tx is not None and len(tx.steps) == 2
    tx.apply(alignment)
    assert alignment.links[0].tgt == ["en:1"] and alignment.links[0].score is None
    other = alignment.links[1]
    assert other.tgt == [] and other.status == Status.FLAGGED and "L00001" in other.note
    check_unique(alignment)
    tx.revert(alignment)
    assert snapshot(alignment) == before


def test_relink_removes_emptied_link_and_undo_puts_it_back() -> None:
    alignment = make_alignment()
    alignment.links[3] = Link("L00004", [], ["en:9"], Status.AUTO)
    before = snapshot(alignment)
    tx = ops.relink(alignment, 4, ["en:5", "en:9"], STAMP)
    tx.apply(alignment)
    assert [link.id for link in alignment.links] == ["L00001", "L00002", "L00003", "L00005"]
    assert alignment.links[3].tgt == ["en:5", "en:9"]
    check_unique(alignment)
    tx.revert(alignment)
    assert snapshot(alignment) == before


def test_relink_source_side_and_no_op() -> None:
    alignment = make_alignment()
    assert ops.relink(alignment, 0, ["en:0"], STAMP) is None
    ops.relink(alignment, 0, ["en:0"], STAMP, src=["fr:0", "fr:1"]).apply(alignment)
    assert alignment.links[0].src == ["fr:0", "fr:1"] and alignment.links[1].src == []
    check_unique(alignment)
    with pytest.raises(ops.OpError):
        ops.relink(alignment, 0, [], STAMP, src=[])


def test_edit_text_source_and_target_and_back_to_original() -> None:
    alignment = make_alignment()
    tx = ops.edit_text(alignment, "fr:0", "Texte corrigé", "Texte", STAMP, index=0)
    tx.apply(alignment)
    assert alignment.edits == {"fr:0": "Texte corrigé"}
    assert alignment.links[0].modified == STAMP.time
    ops.edit_text(alignment, "en:0", "Fixed", "Fxed", STAMP).apply(alignment)
    assert alignment.edits["en:0"] == "Fixed"
    ops.edit_text(alignment, "fr:0", "Texte", "Texte", STAMP).apply(alignment)
    assert "fr:0" not in alignment.edits
    assert ops.edit_text(alignment, "en:0", "Fixed", "Fxed", STAMP) is None
    with pytest.raises(ops.OpError):
        ops.edit_text(alignment, "en:0", "  ", "Fxed", STAMP)


def test_undo_redo_sequence_restores_every_state_exactly() -> None:
    alignment = make_alignment()
    history = History()
    states = [snapshot(alignment)]
    actions = [
        lambda a: ops.approve(a, 0, STAMP),
        lambda a: ops.merge_next(a, 1, STAMP),
        lambda a: ops.relink(a, 0, ["en:5"], STAMP),
        lambda a: ops.edit_text(a, "fr:5", "nouveau", "ancien", STAMP, 2),
        lambda a: ops.split(a, 1, STAMP),
        lambda a: ops.reject(a, 0, STAMP),
    ]
    for action in actions:
        run(alignment, action(alignment), history)
        states.append(snapshot(alignment))
        check_unique(alignment)
    for expected in reversed(states[:-1]):
        history.pop_undo().revert(alignment)
        assert snapshot(alignment) == expected
    for expected in states[1:]:
        history.pop_redo().apply(alignment)
        assert snapshot(alignment) == expected


def test_steps_refuse_a_mismatched_alignment_and_leave_it_unchanged() -> None:
    alignment = make_alignment()
    before = copy.deepcopy(snapshot(alignment))
    good = ReplaceLinks(0, [alignment.links[0]], [])
    bad = ReplaceLinks(3, [alignment.links[0]], [])
    with pytest.raises(HistoryError):
        Transaction("x", [good, bad]).apply(alignment)
    assert snapshot(alignment) == before


def test_steps_keep_their_own_copies() -> None:
    alignment = make_alignment()
    tx = ops.approve(alignment, 0, STAMP)
    tx.apply(alignment)
    alignment.links[0].note = "changed in place"  # must not leak into the history
    assert tx.steps[0].new[0].note == ""


@pytest.mark.parametrize("seed", range(5))
def test_random_operation_sequences_keep_invariants_and_undo_to_start(seed: int) -> None:
    import random

    rng = random.Random(seed)
    alignment = make_alignment()
    start = snapshot(alignment)
    history = History()
    english = [f"en:{k}" for k in range(8)]
    actions = [
        lambda a, i: ops.approve(a, i, STAMP),
        lambda a, i: ops.reject(a, i, STAMP),
        lambda a, i: ops.toggle_flag(a, i, STAMP),
        lambda a, i: ops.merge_next(a, i, STAMP),
        lambda a, i: ops.merge_previous(a, i, STAMP),
        lambda a, i: ops.split(a, i, STAMP),
        lambda a, i: ops.relink(a, i, rng.sample(english, rng.randint(1, 2)), STAMP),
        lambda a, i: ops.edit_text(a, f"fr:{i}", f"texte {rng.random()}", "original", STAMP, i),
    ]
    states = [snapshot(alignment)]
    for _ in range(60):
        index = rng.randrange(len(alignment.links))
        try:
            transaction = rng.choice(actions)(alignment, index)
        except ops.OpError:
            continue
        if transaction is None:
            continue
        run(alignment, transaction, history)
        check_unique(alignment)
        assert all(link.src or link.tgt for link in alignment.links)
        states.append(snapshot(alignment))
    for expected in reversed(states[:-1]):
        history.pop_undo().revert(alignment)
        assert snapshot(alignment) == expected
    assert snapshot(alignment) == start
