"""Issue 11 item 10: every reader of an alignment file sees the decisions still in its review
journal (after a crash, or while a session runs), read-only; ``.conflict-*`` copies are not
alignments of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.evaluate import evaluate_mt
from workbench.export.stream import link_dicts, read_current_header
from workbench.store.files import alignment_files as list_alignment_files
from workbench.store.journal import journal_path
from workbench.store.lock import lock_path
from workbench.store.session import ReviewSession, load_current

from .helpers import export
from .test_evaluate import _system


def _review(path: Path, approve: tuple[int, ...]) -> ReviewSession:
    session = ReviewSession.open(path, "zoe")
    for index in approve:
        assert session.approve(index) is not None
    return session


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_load_current_is_read_only(alignment_files):
    path = alignment_files[1]  # th-en: L00003 is auto
    _review(path, (2,)).release()  # a crash: the decision is only in the journal
    before = _snapshot(path.parent)
    alignment, applied = load_current(path)
    assert applied == 1 and str(alignment.links[2].status) == "approved"
    assert _snapshot(path.parent) == before  # nothing written, truncated or set aside


@pytest.mark.parametrize("crashed", [True, False])
def test_export_includes_journal_decisions(alignment_files, text_source, tmp_path, crashed):
    path = alignment_files[1]
    session = _review(path, (2,))
    if crashed:
        session.release()
    before = _snapshot(path.parent)
    result = export(alignment_files, "jsonl", tmp_path / "out.jsonl", text_source, "approved")
    assert result.by_alignment["th-en"] == 3  # 2 approved in the file + 1 in the journal
    assert result.from_journal == {"th-en": 1}
    assert _snapshot(path.parent) == before
    if not crashed:
        session.close()


def test_tmx_two_passes_agree_with_the_journal(alignment_files, text_source, tmp_path):
    path = alignment_files[1]
    _review(path, (2,)).release()
    result = export(alignment_files, "tmx", tmp_path / "out.tmx", text_source, "approved")
    assert result.by_alignment["th-en"] == 3


def test_export_cli_says_it(tmp_path, monkeypatch, alignment_files, corpus_copy, capsys):
    monkeypatch.chdir(tmp_path)
    th = Path("alignments/th-en.align.jsonl")
    _review(th, (2,)).release()
    argv = ["export", "-f", "jsonl", "--out", "o.jsonl", "--corpus", "corpus", "--lang", "th-en"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "exported 3 links" in captured.out
    assert "includes 1 review decision(s) from its journal" in captured.err


def test_evaluate_mt_sees_journal_approvals(tmp_path, alignment_files, text_source):
    good = _system(tmp_path / "good", alignment_files, text_source, "tiny/good", True)
    _review(alignment_files[1], (2,)).release()
    report = evaluate_mt(alignment_files, Path("unused"), [good], source=text_source)
    assert report.segments["th-en"]["links"] == 3


def test_journal_of_another_version_is_not_applied(alignment_files):
    path = alignment_files[1]
    _review(path, (2,)).release()
    saved = journal_path(path).read_bytes()
    _review(path, ()).close()  # replays and snapshots: the decision is now in the file
    journal_path(path).write_bytes(saved)  # an old journal back beside the new file
    header = read_current_header(path)
    assert header.links is None and header.journal_decisions == 0
    assert sum(1 for _, d in link_dicts(header) if d["status"] == "approved") == 3


def test_conflict_copies_are_not_listed(alignment_files):
    folder = alignment_files[0].parent
    shutil.copy(alignment_files[0], folder / "fr-en.conflict-20260101T000000.align.jsonl")
    assert [p.name for p in list_alignment_files(folder)] == [
        "fr-en.align.jsonl",
        "th-en.align.jsonl",
    ]
    assert not lock_path(alignment_files[0]).exists()


def test_cluster_evidence_sees_journal_decisions(alignment_files):
    from workbench.align.cluster.evidence import reviewed_links

    folder = alignment_files[0].parent
    known = {s for p in alignment_files for k in load_current(p)[0].links for s in k.src + k.tgt}
    must_before, _, _ = reviewed_links(folder, known)
    _review(alignment_files[1], (2,)).release()  # th-en L00003 approved, only in the journal
    must_after, _, _ = reviewed_links(folder, known)
    assert len(must_after) == len(must_before) + 1
    assert ["th-2021-xinhua:3", "en-2021-globaltimes:3"] in must_after


def test_status_counts_journal_decisions(
    tmp_path, monkeypatch, alignment_files, corpus_copy, capsys
):
    monkeypatch.chdir(tmp_path)
    th = Path("alignments/th-en.align.jsonl")
    _review(th, (2,)).release()
    assert main(["status", str(th), "--corpus", "corpus"]) == 0
    assert "includes 1 review decision(s) still in the journal" in capsys.readouterr().out


def test_align_dry_run_refuses_with_a_pending_journal(
    tmp_path, monkeypatch, alignment_files, corpus_copy, capsys
):
    monkeypatch.chdir(tmp_path)
    th = Path("alignments/th-en.align.jsonl")
    _review(th, (2,)).release()
    before = _snapshot(th.parent)
    assert main(["align", "corpus", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "not yet saved into this file" in err and "workbench review" in err
    assert _snapshot(th.parent) == before
