"""Parsers under mutation (issue 11, Contracts): settings, manifest, journal and the export
manifest either read the file or refuse it with one :class:`WorkbenchError` naming it —
never another exception. Mutations: cut, insert a hostile piece, duplicate or drop a line,
swap lines, deep nesting."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.corpus.manifest import load_manifest
from workbench.errors import WorkbenchError
from workbench.settings import Settings, load_settings
from workbench.store.journal import read_journal

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_TEXT = """\
[paths]
corpus = "corpus"

[corpus]
languages = ["th", "fr", "en"]
max_document_bytes = 10000000

[translate]
beam_size = 4
batch_size = 16
command_timeout = 600

[align]
comparable_threshold = 0.5
parallel_penalty = {"1-2" = 0.05, "2-1" = 0.05}

[review]
keymap = {approve = "enter,a", details = "i"}
score_low = 0.4
score_high = 0.7

[export]
format = "tsv"
"""
PIECES = st.sampled_from(
    ["=", "[", "]", '"', "'", "\n", "\r", "\x00", "\u2028", "\ud800", "-1", "0", "1e999"]
    + ["[[document]]", "{", "}", ",", "#", "languages = []", "score_low = 9", "nan", "\\"]
)
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def mutate(text: str, data) -> str:
    lines = text.split("\n")
    index = data.draw(st.integers(0, len(lines) - 1))
    kind = data.draw(st.sampled_from(["cut", "insert", "duplicate", "drop", "swap", "deep"]))
    line = lines[index]
    if kind == "cut":
        lines[index] = line[: data.draw(st.integers(0, len(line)))]
    elif kind == "insert":
        at = data.draw(st.integers(0, len(line)))
        lines[index] = line[:at] + data.draw(PIECES) + line[at:]
    elif kind == "duplicate":
        lines.insert(index, line)
    elif kind == "drop":
        del lines[index]
    elif kind == "swap":
        other = data.draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    else:
        depth = data.draw(st.sampled_from([50, 5000]))
        lines[index] = "x = " + "[" * depth + "]" * depth
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


def test_the_sample_settings_are_valid(tmp_path) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text(SETTINGS_TEXT)
    assert isinstance(load_settings(path), Settings)


@PROPERTY
@given(data=st.data())
def test_settings_mutations(tmp_path, data) -> None:
    path = tmp_path / "workbench.toml"
    _write(path, mutate(SETTINGS_TEXT, data))
    try:
        load_settings(path)
    except WorkbenchError as exc:
        assert exc.path == path and "\n" not in exc.message.strip()


@PROPERTY
@given(data=st.data())
def test_manifest_mutations(tmp_path, data) -> None:
    text = (ROOT / "corpus" / "manifest.toml").read_text(encoding="utf-8")
    _write(tmp_path / "manifest.toml", mutate(text, data))
    try:
        load_manifest(tmp_path)
    except WorkbenchError as exc:
        assert exc.path == tmp_path / "manifest.toml"


JOURNAL = [
    {"format": "workbench-journal", "schema": 1, "base_sha256": "0" * 64, "cursor": None},
    {"kind": "cursor", "cursor": "L00002"},
    {
        "kind": "do",
        "n": 1,
        "label": "approve",
        "steps": [{"kind": "links", "at": 0, "old": [], "new": []}],
    },
    {"kind": "undo", "n": 1, "label": "approve", "steps": []},
]


@PROPERTY
@given(data=st.data())
def test_journal_mutations(tmp_path, data) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in JOURNAL)
    path = tmp_path / "a.align.jsonl.journal"
    _write(path, mutate(text, data))
    try:
        content = read_journal(path)
    except WorkbenchError as exc:
        assert exc.path == path and exc.line is not None
    else:
        assert content is None or all(isinstance(r, dict) for _, r in content.records)
