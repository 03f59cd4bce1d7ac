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


def test_the_summary_names_the_stored_mt_and_its_date(workdir: Path, capsys) -> None:
    from workbench.corpus.ingest import ingest
    from workbench.corpus.translations import save_document_translations

    doc = ingest(workdir / "corpus").document("fr-2022-cnw")
    records = [(s.id, s.text, f"English {s.index}.") for s in doc.sentences]
    provenance = {"model": "toy/fr-en", "revision": "abc123", "created": "2026-01-02T03:04:05"}
    save_document_translations(workdir / "corpus", doc.id, "en", records, provenance)
    assert main(["align", "corpus", "--dry-run", "--encoder", "none"]) == 0
    printed = capsys.readouterr().out
    assert "MT toy/fr-en@abc123 of 2026-01-02 for fr-2022-cnw" in printed
    assert main(["align", "corpus", "--dry-run", "--encoder", "none", "--no-mt"]) == 0
    printed = capsys.readouterr().out
    assert "MT not used (use_mt off, --no-mt)" in printed and "toy/fr-en" not in printed


def test_the_main_job_says_it_goes_on_with_stored_translations(workdir: Path, capsys) -> None:
    from workbench.corpus.ingest import ingest
    from workbench.corpus.translations import save_document_translations

    doc = ingest(workdir / "corpus").document("fr-2022-cnw")
    records = [(s.id, s.text, f"English {s.index}.") for s in doc.sentences]
    provenance = {"model": "toy/fr-en", "revision": "abc123", "created": "2026-01-02T03:04:05"}
    save_document_translations(workdir / "corpus", doc.id, "en", records, provenance)
    assert main(["run", "corpus"]) == 0
    printed = capsys.readouterr().out
    assert "continuing with the translations stored earlier for fr-2022-cnw" in printed
    assert "MT toy/fr-en@abc123 of 2026-01-02 for fr-2022-cnw" in printed
