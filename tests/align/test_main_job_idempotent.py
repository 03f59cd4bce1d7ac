"""Issue 12: the main job leaves the work tree clean (a re-run changes no byte) and never
rewrites a reviewed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store.files import load_alignment, save_alignment
from workbench.store.model import Status


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def workdir(corpus_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = corpus_copy.parent
    monkeypatch.chdir(root)  # alignments/, models/ and caches are relative to it
    return root


def test_two_runs_leave_every_file_byte_identical(workdir: Path, capsys) -> None:
    assert main(["run", "corpus"]) == 0
    first = tree(workdir)
    assert "alignments/fr-en.align.jsonl" in first and "alignments/th-en.align.jsonl" in first
    capsys.readouterr()
    assert main(["run", "corpus"]) == 0
    printed = capsys.readouterr().out
    assert tree(workdir) == first
    assert printed.count("unchanged (not rewritten)") == 2


def test_the_main_job_never_rewrites_a_reviewed_file(workdir: Path, capsys) -> None:
    assert main(["run", "corpus"]) == 0
    path = workdir / "alignments" / "fr-en.align.jsonl"
    alignment = load_alignment(path)
    alignment.links[0].status = Status.APPROVED
    save_alignment(alignment, path)
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["run", "corpus"]) == 0
    printed = capsys.readouterr().out
    assert path.read_bytes() == before
    assert "left as it is by the main job" in printed


def test_dry_run_says_nothing_was_written(workdir: Path, capsys) -> None:
    assert main(["align", "corpus", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "dry run: nothing written" in printed and "->" not in printed
    assert not (workdir / "alignments").exists()
