"""Bad settings and option values: one line, exit 2, no traceback (issue 11, items 16, 19)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.cli import main


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_align_threshold_out_of_range(tmp_path, corpus_copy, capsys) -> None:
    code = main(["align", str(corpus_copy), "--out", str(tmp_path), "--threshold", "5"])
    assert code == 2
    assert "comparable_threshold" in _one_line_error(capsys)
    assert list(tmp_path.glob("*.align.jsonl")) == []


def test_config_that_is_a_folder(tmp_path, capsys) -> None:
    assert main(["--config", str(tmp_path), "align", "--dry-run"]) == 2
    assert "is a folder" in _one_line_error(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_config_that_cannot_be_read(tmp_path, capsys) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text("")
    path.chmod(0)
    assert main(["--config", str(path), "align", "--dry-run"]) == 2
    assert "cannot read" in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[corpus]\nlanguages = []\n", "corpus.languages"),
        ("[review]\nscore_low = 0.9\nscore_high = 0.2\n", "score_low (0.9) must not be above"),
    ],
)
def test_settings_the_program_cannot_use(tmp_path: Path, capsys, toml, message) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text(toml)
    assert main(["--config", str(path), "align", "--dry-run"]) == 2
    assert message in _one_line_error(capsys)
