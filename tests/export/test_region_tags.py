"""A language tag with a region (fr-CA) through export (issue 11, item 16)."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import main
from workbench.store import Alignment, Link, Status, save_alignment

ROOT = Path(__file__).resolve().parents[2]


def _fr_ca(tmp_path: Path) -> Path:
    path = tmp_path / "fr-CA-en.align.jsonl"
    link = Link("L00001", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], Status.APPROVED, 0.5)
    save_alignment(
        Alignment("fr-CA", "en", ["fr-2022-cnw"], ["en-2022-chinadaily"], links=[link]), path
    )
    return path


def test_moses_export_of_fr_ca(tmp_path, capsys) -> None:
    path = _fr_ca(tmp_path)
    out = tmp_path / "out"
    argv = ["export", str(path), "-f", "moses", "--out", str(out), "--lang", "fr-CA-en"]
    assert main([*argv, "--corpus", str(ROOT / "corpus")]) == 0
    assert (tmp_path / "out.fr-CA-en.fr-CA").read_text(encoding="utf-8").count("\n") == 1
    assert (tmp_path / "out.fr-CA-en.en").exists()


def test_a_pair_without_a_dash_is_one_line(tmp_path, capsys) -> None:
    path = _fr_ca(tmp_path)
    argv = ["export", str(path), "-f", "tsv", "--out", str(tmp_path / "o.tsv"), "--lang", "fren"]
    assert main(argv) == 2
    assert "expected SRC-TGT" in capsys.readouterr().err
