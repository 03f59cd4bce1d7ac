"""The command backend never hangs and never crashes on odd output (issue 11, items 12, 16, 19)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main

LINES = ["Une phrase.", "Une autre phrase.", "Encore une."]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def run(config: Path, source: Path, output: Path, command: str, *extra: str) -> int:
    argv = ["--config", str(config), "translate-file", str(source), str(output), "--src-lang", "fr"]
    return main([*argv, "--backend", "command", "--model", command, "--no-cache", *extra])


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "mt.py"
    path.write_text("import sys\n" + body, encoding="utf-8")
    return f"{sys.executable} {path}"


def test_a_command_that_hangs_is_stopped_and_named(tmp_path, config_file, source, capsys):
    start = time.monotonic()
    code = run(config_file, source, tmp_path / "out.txt", "sleep 60", "--command-timeout", "0.5")
    assert code == 2 and time.monotonic() - start < 20
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "`sleep 60`" in err and "0.5 s" in err and "command_timeout" in err
    assert not (tmp_path / "out.txt").exists()


def test_the_timeout_comes_from_the_settings_file(tmp_path, config_file, source, capsys):
    config_file.write_text(
        config_file.read_text().replace("[translate]\n", "[translate]\ncommand_timeout = 0.5\n")
    )
    assert run(config_file, source, tmp_path / "out.txt", "sleep 60") == 2
    assert "within 0.5 s" in capsys.readouterr().err


def test_output_that_is_not_utf8_is_one_line_naming_the_line(tmp_path, config_file, source, capsys):
    command = _script(
        tmp_path,
        "lines = sys.stdin.buffer.read().split(b'\\n')[:-1]\n"
        "out = [b'ok'] * len(lines)\nout[1] = b'caf\\xe9'\n"
        "sys.stdout.buffer.write(b'\\n'.join(out) + b'\\n')\n",
    )
    assert run(config_file, source, tmp_path / "out.txt", command) == 2
    err = capsys.readouterr().err
    assert "not UTF-8 on output line 2" in err and "Traceback" not in err


def test_a_lone_cr_inside_a_translation_is_not_a_line_break(tmp_path, config_file, source):
    command = _script(
        tmp_path,
        "for line in sys.stdin.read().split('\\n')[:-1]:\n"
        "    sys.stdout.write('EN\\r' + line + '\\r\\n')\n",
    )
    assert run(config_file, source, tmp_path / "out.txt", command) == 0
    out = (tmp_path / "out.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert out == [f"EN {line}" for line in LINES]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--beam-size", "0"),
        ("--batch-size", "-1"),
        ("--max-length", "0"),
        ("--command-timeout", "0"),
    ],
)
def test_option_values_out_of_range_name_the_option(
    tmp_path, config_file, source, capsys, option, value
):
    assert run(config_file, source, tmp_path / "out.txt", "cat", option, value) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"workbench: error: {option}: ")
