"""Property: any sequence of reject / approve / flag / relink (lifting or not) / undo / redo,
with snapshots and a crash anywhere, leaves ``rejected_pairs()`` equal in memory, in the
journal replayed after a crash (read-only and by a new session), in the saved file (fast and
strict loaders) and in the streaming reader; undoing everything gives the file back."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.review.conftest import write_seed_alignments
from workbench.export.stream import read_header
from workbench.store import Status, load_alignment
from workbench.store.model import pair_of
from workbench.store.ops import OpError
from workbench.store.session import ReviewSession, load_current

ENGLISH = ["en-2022-chinadaily:0", "en-2022-chinadaily:1", "en-2021-globaltimes:6"]
ENGLISH += ["en-2021-globaltimes:7", "en-2021-globaltimes:9"]
ROW = st.integers(0, 20)
OPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["reject", "approve", "flag"]), ROW),
        st.tuples(
            st.just("relink"), ROW, st.lists(st.sampled_from(ENGLISH), max_size=2), st.booleans()
        ),
        st.tuples(st.sampled_from(["undo", "redo", "save"])),
    ),
    max_size=25,
)


def run(session: ReviewSession, op: tuple) -> None:
    name, *args = op
    links = session.links
    try:
        if name in ("reject", "approve", "flag"):
            act = {"reject": session.reject, "approve": session.approve}
            act.get(name, session.toggle_flag)(args[0] % len(links))
        elif name == "relink":
            session.relink(args[0] % len(links), args[1], lift=args[2])
        elif name == "save":
            session.save()
        else:
            getattr(session, name)()
    except OpError:
        pass  # refused (a rejected pair without lift, a link with no sentence): nothing done


def state(alignment) -> tuple:
    return (
        alignment.rejected_pairs(),
        [r.to_dict() for r in alignment.rejected],
        [link.to_dict() for link in alignment.links],
    )


def check_invariants(alignment) -> None:
    listed = [r.pair for r in alignment.rejected]
    assert len(listed) == len(set(listed))  # no pair twice
    for link in alignment.links:  # a pair the reviewer approved is never a standing rejection
        assert link.status != Status.APPROVED or pair_of(link) not in set(listed)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, crash_at=st.integers(0, 25))
def test_rejected_pairs_survive_save_load_and_journal_replay(ops, crash_at) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_seed_alignments(Path(folder))["fr"]
        initial = state(load_alignment(path))
        clock = iter(f"2026-01-02T03:{n // 60:02d}:{n % 60:02d}+00:00" for n in range(3600))
        session = ReviewSession.open(path, "ana", clock=lambda: next(clock))
        for op in ops[:crash_at]:
            run(session, op)
        check_invariants(session.alignment)
        memory = state(session.alignment)
        session.release()  # a crash: what is not in the snapshot is in the journal
        assert state(load_current(path)[0]) == memory
        again = ReviewSession.open(path, "ana", clock=lambda: next(clock))
        assert state(again.alignment) == memory
        undone = 0
        while again.undo():  # the history replayed from the journal (since the last save)
            undone += 1
        if not any(op[0] == "save" for op in ops[:crash_at]):
            assert state(again.alignment) == initial  # rows, list and pairs as opened
        for _ in range(undone):
            again.redo()
        assert state(again.alignment) == memory
        for op in ops[crash_at:]:  # the rest of the sequence, on the recovered session
            run(again, op)
        memory = state(again.alignment)
        check_invariants(again.alignment)
        event(f"standing rejections at the end: {min(len(memory[1]), 3)}")
        again.close()
        for fast in (True, False):
            assert state(load_alignment(path, fast=fast)) == memory
        assert [r.to_dict() for r in read_header(path).rejected] == memory[1]  # export's reader


def test_a_crash_mid_rejection_keeps_row_and_list_together(tmp_path: Path) -> None:
    """A kill while the rejection's journal line is written: on reopening, the row and the
    standing rejection are both there (line complete) or both absent (line torn), never one."""
    from workbench.store.journal import journal_path

    path = write_seed_alignments(tmp_path)["fr"]
    session = ReviewSession.open(path, "ana")
    session.relink(4, ["en-2022-chinadaily:24"])
    journal = journal_path(path)
    before = journal.read_bytes()
    session.reject(4)
    session.release()
    full = journal.read_bytes()
    record = full[len(before) :]
    for cut in sorted({1, 2, len(record) // 3, len(record) // 2, len(record) - 2, len(record) - 1}):
        journal.write_bytes(full[: len(before) + cut])
        torn = ReviewSession.open(path, "ana")
        link = torn.links[4]
        assert link.tgt == ["en-2022-chinadaily:24"] and link.status == Status.AUTO
        assert torn.alignment.rejected_pairs() == set()
        assert any("cut off by a crash" in n for n in torn.notices)
        torn.release()
    journal.write_bytes(full)
    whole = ReviewSession.open(path, "ana")
    assert whole.links[4].status == Status.REJECTED
    assert [r.pair for r in whole.alignment.rejected] == [
        (("fr-2022-cnw:4",), ("en-2022-chinadaily:24",))
    ]
    whole.close()
