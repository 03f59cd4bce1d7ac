"""JSON nested 100,000 deep is one line naming the file in every reader (issue 11, item 14):
json.loads raises RecursionError, which no reader caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import InputError
from workbench.store import Alignment, Link, save_alignment
from workbench.store.journal import read_journal
from workbench.store.lock import read_lock

DEEP = "[" * 100_000 + "]" * 100_000


def test_journal(tmp_path) -> None:
    path = tmp_path / "a.align.jsonl.journal"
    header = {"format": "workbench-journal", "schema": 1, "base_sha256": "0" * 64}
    path.write_text(json.dumps(header) + "\n" + DEEP + "\n" + '{"kind": "cursor"}\n')
    with pytest.raises(InputError, match="damaged") as info:
        read_journal(path)
    assert info.value.line == 2
    path.write_text(DEEP + "\n")
    assert read_journal(path) is None  # no usable header: set aside, as a foreign file


def test_lock(tmp_path) -> None:
    path = tmp_path / "a.lock"
    path.write_text(DEEP)
    assert read_lock(path) is None


def test_translate_records(tmp_path) -> None:
    from workbench.translate.records import read_jsonl

    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n' + DEEP + "\n")
    with pytest.raises(InputError, match="nested too deeply") as info:
        read_jsonl(path)
    assert info.value.line == 2


@pytest.mark.parametrize("command", ["export", "realign", "import"])
def test_commands_answer_in_one_line(tmp_path: Path, capsys, command) -> None:
    path = tmp_path / "fr-en.align.jsonl"
    save_alignment(Alignment("fr", "en", links=[Link("L00001", ["fr:0"], ["en:0"])]), path)
    path.write_text(path.read_text() + DEEP + "\n")
    if command == "import":
        path = tmp_path / "x.jsonl"
        path.write_text(DEEP + "\n")
        argv = ["import", str(path), "--out", str(tmp_path / "back") + "/"]
    elif command == "export":
        argv = ["export", str(path), "-f", "jsonl", "--out", str(tmp_path / "o.jsonl")]
    else:
        argv = ["realign", str(path)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err, err
