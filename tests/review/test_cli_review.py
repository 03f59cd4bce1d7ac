"""``workbench review`` / ``workbench realign`` on bad input: one clear line, exit 2, nothing changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store import load_alignment
from workbench.store.journal import journal_path
from workbench.store.lock import lock_path

from .conftest import write_seed_alignments

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def files_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def test_missing_file(capsys, tmp_path: Path) -> None:
    code, err = run_cli(
        capsys, "review", str(tmp_path / "nope.align.jsonl"), "--corpus", str(CORPUS)
    )
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_damaged_file_names_the_line_and_changes_nothing(capsys, tmp_path: Path) -> None:
    paths = write_seed_alignments(tmp_path)
    path = paths["fr"]
    lines = path.read_text().splitlines()
    lines[3] = lines[3][:40]
    path.write_text("\n".join(lines) + "\n")
    before = files_state(tmp_path)
    code, err = run_cli(capsys, "review", str(path), "--corpus", str(CORPUS))
    assert code == 2 and f"{path}:4:" in err and "damaged" in err
    assert files_state(tmp_path) == before


def test_sentence_ids_missing_from_corpus(capsys, tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path)["fr"]
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["tgt"] = ["en-2022-chinadaily:999"]
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    before = files_state(tmp_path)
    code, err = run_cli(capsys, "review", str(path), "--corpus", str(CORPUS))
    assert code == 2 and "no longer exist in the corpus" in err and "en-2022-chinadaily:999" in err
    assert files_state(tmp_path) == before
    assert not lock_path(path).exists()


def test_read_only_file(capsys, tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path)["fr"]
    path.chmod(0o444)
    try:
        code, err = run_cli(capsys, "review", str(path), "--corpus", str(CORPUS))
    finally:
        path.chmod(0o644)
    assert code == 2 and "read-only" in err
    assert not journal_path(path).exists() and not lock_path(path).exists()


def test_no_terminal_is_refused_without_writing(capsys, tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path)["th"]
    before = files_state(tmp_path)
    code, err = run_cli(capsys, "review", str(path), "--corpus", str(CORPUS))
    assert code == 2 and "terminal" in err
    assert files_state(tmp_path) == before


def test_no_argument_without_alignments(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(capsys, "review")
    assert code == 2 and "no alignment files" in err and "workbench align" in err


def test_no_argument_with_several_files_and_no_terminal(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    write_seed_alignments(tmp_path / "alignments")
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(capsys, "review")
    assert code == 2 and "fr-en.align.jsonl" in err and "th-en.align.jsonl" in err


def test_bad_keymap_id(capsys, tmp_path: Path) -> None:
    path = write_seed_alignments(tmp_path)["fr"]
    config = tmp_path / "workbench.toml"
    config.write_text('[review]\nkeymap = {aprove = "enter"}\n')
    code, err = run_cli(
        capsys, "--config", str(config), "review", str(path), "--corpus", str(CORPUS)
    )
    assert code == 2 and "aprove" in err


def test_realign_keeps_decisions_as_anchors(capsys, tmp_path: Path) -> None:
    pytest.importorskip("workbench.align.corpus_align")
    path = write_seed_alignments(tmp_path)["fr"]
    from workbench.store.session import ReviewSession

    session = ReviewSession.open(path, "ana")
    session.approve(0)
    session.reject(2)
    session.close()
    decided = {
        link.id: (link.src, link.tgt, str(link.status)) for link in load_alignment(path).links[:3:2]
    }
    code = main(["realign", str(path), "--corpus", str(CORPUS)])
    out = capsys.readouterr().out
    assert code == 0 and "kept 1 reviewed link(s)" in out
    assert "1 rejected pair(s) not proposed again" in out
    after = load_alignment(path)
    kept = {
        link.id: (link.src, link.tgt, str(link.status))
        for link in after.links
        if link.id in decided
    }
    approved, rejected = decided.values()
    assert list(kept.values()) == [approved]  # the rejected row gave way to a new proposal
    assert [r.pair for r in after.rejected] == [(tuple(rejected[0]), tuple(rejected[1]))]
    assert after.provenance.get("kept_reviewer_links") == 1
    # the re-alignment is one undoable step in the journal
    again = ReviewSession.open(path, "ana")
    assert again.replayed == 0
    again.close()
    assert not os.path.exists(lock_path(path))


def test_realign_is_one_undo_step(seed_corpus, tmp_path: Path) -> None:
    pytest.importorskip("workbench.align.corpus_align")
    from workbench.jobs.realign import realign_session
    from workbench.settings import AlignSettings
    from workbench.store.session import ReviewSession

    path = write_seed_alignments(tmp_path)["fr"]
    session = ReviewSession.open(path, "ana")
    session.approve(1)
    before = [link.to_dict() for link in session.links], dict(session.alignment.provenance)
    transaction, summary = realign_session(session, seed_corpus, None, AlignSettings())
    assert transaction is not None and summary.kept == 1
    assert session.links[session.index("L00002")].status == "approved"
    session.undo()
    assert ([link.to_dict() for link in session.links], session.alignment.provenance) == before
    session.close()
