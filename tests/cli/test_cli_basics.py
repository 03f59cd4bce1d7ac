"""The command line: help, exit codes, strict settings, light start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from workbench.cli import _command_modules, build_parser, main


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_command_has_help(capsys):
    names = subcommands()
    assert {"ingest", "run"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: workbench {name}" in capsys.readouterr().out


def test_command_modules_are_discovered():
    assert "ingest" in _command_modules() and "_common" not in _command_modules()


def test_ingest_prints_the_table(capsys):
    assert main(["ingest", str(ROOT / "corpus")]) == 0
    out = capsys.readouterr().out
    for column in ("document", "language", "date", "edition", "paragraphs", "sentences"):
        assert column in out
    assert "th-2021-xinhua" in out and "fr-2022-cnw" in out and "5 documents" in out


def test_unknown_settings_key_is_an_error(tmp_path, capsys):
    config = tmp_path / "workbench.toml"
    config.write_text("[corpus]\nlanguages = ['th', 'fr', 'en']\nmax_bytes = 3\n")
    assert main(["--config", str(config), "ingest", str(ROOT / "corpus")]) == 2
    err = capsys.readouterr().err
    assert "corpus.max_bytes: unknown key" in err and str(config) in err


def test_settings_values_are_validated(tmp_path, capsys):
    config = tmp_path / "workbench.toml"
    config.write_text("[corpus]\nmax_document_bytes = -1\n")
    assert main(["--config", str(config), "ingest", str(ROOT / "corpus")]) == 2
    assert "max_document_bytes" in capsys.readouterr().err


def test_settings_file_changes_behaviour(tmp_path, capsys):
    config = tmp_path / "workbench.toml"
    config.write_text("[corpus]\nmax_document_bytes = 1000\n")
    assert main(["--config", str(config), "ingest", str(ROOT / "corpus")]) == 2
    assert "over the 1.0 KB limit" in capsys.readouterr().err  # was "0.0 MB" (issue 11)


def test_ingest_does_not_import_heavy_libraries():
    code = (
        "import sys; from workbench.cli import main; main(['ingest', 'corpus']);"
        "heavy = [m for m in ('torch', 'transformers', 'textual', 'ctranslate2') if m in sys.modules];"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in out.stdout


def test_no_traceback_for_user_errors(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\xff\xfe bad")
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "ingest", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("workbench: error: ") and "x.txt" in result.stderr
