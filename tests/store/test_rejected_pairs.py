"""Standing rejections (the header field ``rejected``, schema 2): written and read by the one
store module, replayed from the journal, carried by undo/redo, never exported as links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review.conftest import write_seed_alignments
from tests.store.refusals import assert_header_refused
from workbench.cli import main
from workbench.export.stream import read_header
from workbench.store import Alignment, Link, Status, load_alignment, save_alignment
from workbench.store.cluster_review import apply_links
from workbench.store.model import Rejection
from workbench.store.session import ReviewSession, load_current

PAIR = (("fr-2022-cnw:5",), ("en-2022-chinadaily:24",))
IDS = st.builds(
    lambda doc, n: f"{doc}:{n}",
    st.sampled_from(["fr-2022-cnw", "en-2022-chinadaily", "x", "é\u2028ü"]),
    st.integers(0, 60),
)
TEXT = st.none() | st.text(max_size=12)
REJECTIONS = st.builds(
    Rejection,
    st.lists(IDS, max_size=3, unique=True).map(tuple),
    st.lists(IDS, min_size=1, max_size=3, unique=True).map(tuple),
    TEXT,
    TEXT,
)


def header_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])


def seed_session(tmp_path: Path) -> ReviewSession:
    path = write_seed_alignments(tmp_path)["fr"]
    return ReviewSession.open(path, "ana", clock=lambda: "2026-01-02T03:04:05+00:00")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rejected=st.lists(REJECTIONS, max_size=6, unique_by=lambda r: r.pair))
def test_rejected_round_trips_through_the_writer_and_every_reader(tmp_path, rejected):
    path = tmp_path / "fr-en.align.jsonl"
    link = Link("L00001", ["fr-2022-cnw:1"], ["en-2022-chinadaily:1"], Status.REJECTED)
    save_alignment(Alignment("fr", "en", links=[link], rejected=rejected), path)
    header = header_of(path)
    assert header["schema"] == (2 if rejected else 1) and ("rejected" in header) == bool(rejected)
    for fast in (True, False):
        back = load_alignment(path, fast=fast)
        assert {r.pair: r for r in back.rejected} == {r.pair: r for r in rejected}
        assert back.rejected_pairs() == {r.pair for r in rejected} | {
            (("fr-2022-cnw:1",), ("en-2022-chinadaily:1",))
        }
    assert load_current(path)[0].rejected == load_alignment(path).rejected
    read_header(path)  # the streaming reader (export) accepts it
    save_alignment(load_alignment(path), path.with_name("again.align.jsonl"))
    assert path.with_name("again.align.jsonl").read_bytes() == path.read_bytes()


def test_an_old_file_loads_and_its_rejected_rows_are_rejections(tmp_path):
    session = seed_session(tmp_path)
    session.reject(5)
    session.close()
    path = session.path
    # a schema 1 file as earlier versions wrote it: the rejection is only its row
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["schema"] = 1
    del header["rejected"]
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    old = load_alignment(path)
    assert old.rejected == [] and (("fr-2022-cnw:5",), ("en-2021-globaltimes:9",)) in (
        old.rejected_pairs()
    )
    # re-linking that row keeps the rejection as a standing one (undo takes it back)
    session = ReviewSession.open(path, "ana")
    session.relink(5, ["en-2022-chinadaily:23"])
    assert [r.pair for r in session.alignment.rejected] == [
        (("fr-2022-cnw:5",), ("en-2021-globaltimes:9",))
    ]
    session.undo()
    assert session.alignment.rejected == []
    session.close()


def test_a_file_without_rejections_is_written_as_before(tmp_path):
    path = write_seed_alignments(tmp_path)["fr"]
    header = header_of(path)
    assert header["schema"] == 1 and "rejected" not in header


@pytest.mark.parametrize(
    ("rejected", "message"),
    [
        ({"src": []}, "'rejected' must be a list"),
        ([{"src": ["a:1"], "tgt": 3}], "lists of sentence ids"),
        ([{"src": [], "tgt": []}], "at least one sentence id"),
        ([{"src": ["a:1"], "tgt": ["b:1"], "why": "x"}], "unknown rejected-pair field"),
        ([{"src": ["a:1"], "tgt": ["b:1"]}, {"src": ["a:1"], "tgt": ["b:1"]}], "twice"),
    ],
)
def test_a_damaged_rejected_field_is_refused_with_one_line(tmp_path, capsys, rejected, message):
    path = tmp_path / "fr-en.align.jsonl"
    header = {"format": "workbench-alignment", "schema": 2, "src_lang": "fr", "tgt_lang": "en"}
    path.write_text(json.dumps({**header, "rejected": rejected}) + "\n", encoding="utf-8")
    assert_header_refused(path, message, capsys)


def test_a_newer_schema_is_refused_with_one_line(tmp_path, capsys):
    path = tmp_path / "fr-en.align.jsonl"
    header = {"format": "workbench-alignment", "schema": 3, "src_lang": "fr", "tgt_lang": "en"}
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    assert main(["status", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "schema version 3 is newer than this workbench reads (2)" in err
    assert len(err.splitlines()) == 1


def test_undo_of_a_rejection_lifts_the_constraint_and_replay_restores_it(tmp_path):
    session = seed_session(tmp_path)
    session.relink(5, ["en-2022-chinadaily:24"])
    session.reject(5)
    (rejection,) = session.alignment.rejected
    assert rejection == Rejection(*PAIR, "ana", "2026-01-02T03:04:05+00:00")
    session.undo()
    assert session.alignment.rejected == [] and session.links[5].status == Status.AUTO
    session.redo()
    assert [r.pair for r in session.alignment.rejected] == [PAIR]
    session.relink(5, ["en-2022-chinadaily:23"])  # `r`: the constraint stays
    session.release()  # a crash: the decisions are only in the journal
    assert [r.pair for r in load_current(session.path)[0].rejected] == [PAIR]
    assert load_alignment(session.path).rejected == []  # the snapshot is older
    again = ReviewSession.open(session.path, "ana")
    assert [r.pair for r in again.alignment.rejected] == [PAIR]
    again.undo()  # the re-link (history replayed from the journal): still rejected
    assert [r.pair for r in again.alignment.rejected] == [PAIR]
    again.undo()  # the rejection
    assert again.alignment.rejected == []
    again.close()
    assert "rejected" not in header_of(session.path)


def test_approving_or_flagging_the_rejected_pair_lifts_it(tmp_path):
    session = seed_session(tmp_path)
    session.reject(0)
    session.approve(0)
    assert session.alignment.rejected == []
    session.reject(2)
    session.toggle_flag(2)
    assert session.alignment.rejected == []
    session.reject(1)
    session.merge_next(1)  # the merged link is pending; the rejected pair stands
    assert [r.pair for r in session.alignment.rejected] == [
        (("fr-2022-cnw:1",), ("en-2022-chinadaily:1",))
    ]
    session.close()


def test_cluster_decisions_follow_the_rejections():
    link = Link("L00001", list(PAIR[0]), list(PAIR[1]))
    alignment = Alignment("fr", "en", links=[link])
    apply_links(alignment, [Link("", list(PAIR[0]), list(PAIR[1]), Status.REJECTED)])
    assert [r.pair for r in alignment.rejected] == [PAIR]
    apply_links(alignment, [Link("", list(PAIR[0]), list(PAIR[1]), Status.APPROVED)])
    assert alignment.rejected == []


def test_exports_and_status(tmp_path, monkeypatch, corpus_copy, capsys):
    monkeypatch.chdir(tmp_path)
    session = seed_session(tmp_path / "alignments")
    session.relink(5, ["en-2022-chinadaily:24"])
    session.reject(5)
    session.relink(5, ["en-2022-chinadaily:23"])  # the pair is only in `rejected` now
    links = len(session.links)
    session.close()
    args = ["export", "-f", "jsonl", "--out", "all.jsonl", "--status", "all", "--corpus", "corpus"]
    assert main([*args, "--lang", "fr-en"]) == 0  # never as links
    capsys.readouterr()
    rows = [json.loads(line) for line in Path("all.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == links
    assert all((tuple(r["src_ids"]), tuple(r["tgt_ids"])) != PAIR for r in rows)
    # `workbench status` counts it (a pending journal applied, as the reviewer sees it)
    assert main(["status", "alignments/fr-en.align.jsonl", "--corpus", "corpus"]) == 0
    assert "; 1 rejected pair(s), never proposed again" in capsys.readouterr().out


def test_cluster_cannot_links_include_the_standing_rejections(tmp_path):
    from workbench.align.cluster.evidence import reviewed_links

    path = tmp_path / "fr-en.align.jsonl"
    rejection = Rejection(*PAIR, "ana")
    save_alignment(Alignment("fr", "en", rejected=[rejection]), path)
    _must, cannot, _skipped = reviewed_links(tmp_path, {*PAIR[0], *PAIR[1]})
    assert (PAIR[0][0], PAIR[1][0]) in cannot


def test_cluster_evidence_lets_the_rejected_list_win_over_the_row(tmp_path):
    """A row that is approved (or auto) while its pair is listed as rejected (a hand-edited
    file, an auto row after merge/split) is neither a must-link nor automatic evidence: it is
    a cannot-link, as exports and status count it."""
    from workbench.align.cluster.evidence import auto_links, reviewed_links

    rejection = Rejection(*PAIR, "ana")
    approved = Link("L00001", list(PAIR[0]), list(PAIR[1]), Status.APPROVED, reviewer="bo")
    auto = Link("L00002", list(PAIR[0]), list(PAIR[1]), score=0.9)
    for link in (approved, auto):
        save_alignment(
            Alignment("fr", "en", links=[link], rejected=[rejection]),
            tmp_path / "fr-en.align.jsonl",
        )
        must, cannot, _skipped = reviewed_links(tmp_path, {*PAIR[0], *PAIR[1]})
        assert must == [] and (PAIR[0][0], PAIR[1][0]) in cannot
        assert auto_links(tmp_path) == {}
