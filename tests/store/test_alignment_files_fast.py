"""The fast path of load_alignment gives exactly what the line-by-line path gives: the same
alignment or the same error."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.store import Alignment, Flag, Link, Status, load_alignment, save_alignment


def sample(path: Path) -> Path:
    links = [
        Link(
            "L00001",
            ["fr:0"],
            ["en:0"],
            Status.APPROVED,
            0.8,
            {"chrf": 0.5},
            [Flag("number", "3", "4", "x")],
            "ana",
            "n",
        ),
        Link("L00002", ["fr:1", "fr:2"], [], Status.REJECTED, None),
        Link(
            "L00003",
            [],
            ["en:5"],
            Status.FLAGGED,
            0.1,
            created="2026-01-01T00:00:00+00:00",
            modified="x",
        ),
    ]
    save_alignment(
        Alignment("fr", "en", ["fr"], ["en"], {"p": 1}, {"en:0": "édité ✓"}, links), path
    )
    return path


def test_same_alignment_as_the_strict_loader(tmp_path: Path) -> None:
    path = sample(tmp_path / "a.align.jsonl")
    fast = load_alignment(path, fast=True)
    assert fast == load_alignment(path, fast=False)
    assert isinstance(fast.links[0].flags[0], Flag) and fast.links[2].status is Status.FLAGGED
    fast.links[0].note = "changed"  # real, independent Link objects
    assert fast.links[0].note == "changed"


def test_record_with_missing_optional_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.align.jsonl"
    sample(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append('{"id": "L00009", "src": ["fr:9"], "tgt": []}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_alignment(path, fast=True) == load_alignment(path, fast=False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda lines: (
            lines[:2] + ['{"id": "L00002", "src": [], "tgt": []}'] + lines[2:]
        ),  # duplicate id
        lambda lines: lines[:2] + ["{not json"] + lines[2:],
        lambda lines: lines[:2] + ['{"id": "L7", "src": [], "tgt": [], "status": "maybe"}'],
        lambda lines: lines[:2] + ['{"id": "L7", "src": [], "tgt": [], "colour": "red"}'],
        lambda lines: (
            lines[:2] + ['{"id": "L7", "src": [], "tgt": []}, {"id": "L8", "src": [], "tgt": []}']
        ),
        lambda lines: [lines[0].replace("workbench-alignment", "other")] + lines[1:],
    ],
)
def test_same_error_as_the_strict_loader(tmp_path: Path, damage) -> None:
    path = sample(tmp_path / "a.align.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as strict:
        load_alignment(path, fast=False)
    with pytest.raises(InputError) as fast:
        load_alignment(path, fast=True)
    assert str(fast.value) == str(strict.value)


def test_blank_lines_and_truncation_behave_like_the_strict_loader(tmp_path: Path) -> None:
    path = sample(tmp_path / "a.align.jsonl")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n", "\n\n", 1), encoding="utf-8")
    assert load_alignment(path, fast=True) == load_alignment(path, fast=False)
    path.write_text(text[:-1], encoding="utf-8")
    with pytest.raises(InputError, match="truncated"):
        load_alignment(path, fast=True)
