"""A hand-edited ``rejected`` entry whose ids hold control characters or line breaks: status
lists it on one line, escaped, never writing the raw characters to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.cli import main
from workbench.store.files import load_alignment


def test_status_escapes_control_characters_of_a_listed_pair(tmp_path: Path, capsys) -> None:
    path = tmp_path / "fr-en.align.jsonl"
    header = {"format": "workbench-alignment", "schema": 2, "src_lang": "fr", "tgt_lang": "en"}
    bad = {"src": ["fr-2022-cnw:1\n\x1b[2J"], "tgt": ["a/../b\u2028:0"], "reviewer": None}
    path.write_text(json.dumps({**header, "rejected": [bad]}) + "\n", encoding="utf-8")
    assert load_alignment(path).rejected  # loads: an id is any string
    assert main(["status", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u2028" not in out
    (line,) = [x for x in out.splitlines() if "fr-2022-cnw:1" in x]
    assert "\\x1b[2J" in line and "a/../b\\u2028:0" in line
