"""Alignment files: round trip, strict loading, atomic saves that survive SIGKILL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.errors import InputError, WorkbenchError
from workbench.store import Alignment, Flag, Link, Status, load_alignment, save_alignment


def sample_alignment(n_links: int = 3) -> Alignment:
    links = [
        Link(
            "L00001",
            ["fr-2022-cnw:4"],
            ["en-2021-globaltimes:9"],
            Status.AUTO,
            0.81,
            {"chrf": 0.55},
        ),
        Link(
            "L00002",
            ["fr-2022-cnw:5"],
            ["en-2022-chinadaily:20", "en-2022-chinadaily:21"],
            Status.APPROVED,
            0.64,
            {"chrf": 0.41, "numbers": 1.0},
            [Flag("number", "350000000000", "356300000000", "350 milliards vs 356.3 billion")],
            reviewer="ana",
            note="numbers differ",
        ),
        Link("L00003", ["fr-2022-cnw:12"], [], Status.REJECTED, None),
    ]
    for i in range(4, n_links + 1):
        links.append(
            Link(f"L{i:05d}", [f"fr-2022-cnw:{i}"], [f"en-2022-chinadaily:{i}"], score=0.5)
        )
    return Alignment(
        "fr",
        "en",
        ["fr-2022-cnw"],
        ["en-2022-chinadaily", "en-2021-globaltimes"],
        {"aligner": {"mode": "comparable"}},
        {"en-2022-chinadaily:20": "Corrected « text » ✓"},
        links[:n_links],
    )


def test_round_trip_keeps_every_field(tmp_path):
    path = tmp_path / "fr-en.align.jsonl"
    original = sample_alignment()
    save_alignment(original, path)
    loaded = load_alignment(path)
    assert loaded == original
    save_alignment(loaded, tmp_path / "again.align.jsonl")
    assert (tmp_path / "again.align.jsonl").read_bytes() == path.read_bytes()


def test_file_is_one_header_and_one_line_per_link(tmp_path):
    path = tmp_path / "a.align.jsonl"
    save_alignment(sample_alignment(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "workbench-alignment" and header["schema"] == 1
    assert [json.loads(line)["id"] for line in lines[1:]] == ["L00001", "L00002", "L00003"]
    assert "Corrected « text » ✓" in lines[0]  # readable, not \u-escaped


def test_link_kind_and_counts():
    alignment = sample_alignment()
    assert [link.kind for link in alignment.links] == ["1-1", "1-2", "1-0"]
    counts = alignment.counts()
    assert (
        counts[Status.AUTO] == 1 and counts[Status.APPROVED] == 1 and counts[Status.REJECTED] == 1
    )
    assert alignment.next_link_id() == "L00004"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"format": "workbench-alignment", "schema": 99, "src_lang": "fr", "tgt_lang": "en"}\n',
            "newer",
        ),
        ('{"format": "something-else", "schema": 1}\n', "not a workbench alignment file"),
        (
            '{"format": "workbench-alignment", "schema": 1, "src_lang": "fr", "tgt_lang": "en"}\n{"id": "L1", "src": [\n',
            "not valid JSON",
        ),
        (
            '{"format": "workbench-alignment", "schema": 1, "src_lang": "fr", "tgt_lang": "en"}\n{"id": "L1", "src": [], "tgt": [], "status": "maybe"}\n',
            "invalid link",
        ),
        (
            '{"format": "workbench-alignment", "schema": 1, "src_lang": "fr", "tgt_lang": "en"}\n{"id": "L1", "src": []',
            "truncated",
        ),
        ("", "empty"),
    ],
)
def test_damaged_or_newer_files_are_refused_and_left_alone(tmp_path, content, message):
    path = tmp_path / "bad.align.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_alignment(path)
    assert message in str(error.value) and str(path) in str(error.value)
    assert path.read_text(encoding="utf-8") == content


def test_failed_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "a.align.jsonl"
    save_alignment(sample_alignment(), path)
    before = path.read_bytes()

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Link, "to_dict", explode)
    with pytest.raises(RuntimeError):
        save_alignment(sample_alignment(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.align.jsonl"]


def test_save_to_read_only_file_is_a_clear_error(tmp_path):
    path = tmp_path / "a.align.jsonl"
    save_alignment(sample_alignment(), path)
    path.chmod(0o444)
    before = path.read_bytes()
    try:
        with pytest.raises(WorkbenchError, match="read-only"):
            save_alignment(sample_alignment(2), path)
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == before


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(WorkbenchError, match="does not exist"):
        save_alignment(sample_alignment(), tmp_path / "missing" / "a.align.jsonl")


KILLED_WRITER = """
import sys
from tests.store.test_alignment_files import sample_alignment
from workbench.store import save_alignment
path = sys.argv[1]
alignment = sample_alignment(60_000)
print("ready", flush=True)
while True:
    alignment.links[0].note = str(int(alignment.links[0].note or 0) + 1)
    save_alignment(alignment, path)
"""


def test_save_killed_half_way_leaves_a_complete_file(tmp_path):
    """SIGKILL a process that saves a large file over and over: every time, the file on
    disk is a complete alignment (the previous save or the new one), never a torn one."""
    path = tmp_path / "big.align.jsonl"
    save_alignment(sample_alignment(60_000), path)
    root = Path(__file__).resolve().parents[2]
    for delay in (0.35, 0.6, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, str(path)],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = load_alignment(path)
        assert len(loaded.links) == 60_000
        assert loaded.links[-1].id == "L60000"


def test_line_separators_and_lone_surrogates_in_text_round_trip(tmp_path):
    """Text pasted from the web may hold U+2028, U+0085 or a lone surrogate."""
    path = tmp_path / "odd.align.jsonl"
    alignment = sample_alignment()
    alignment.edits["fr-2022-cnw:4"] = "line\u2028separator\u0085next\u2029para"
    alignment.links[0].note = "broken \ud83d emoji half"
    save_alignment(alignment, path)
    # a lone surrogate is not text (UTF-8 cannot store it, export and the screen cannot
    # show it): written as U+FFFD, so nothing downstream ever meets one
    alignment.links[0].note = "broken \ufffd emoji half"
    assert load_alignment(path) == alignment
    path.read_bytes().decode("utf-8")  # the file stays valid UTF-8


def test_lone_surrogate_escapes_in_an_old_file_are_repaired_on_every_loader(tmp_path):
    from workbench.export.stream import iter_links, read_header

    path = tmp_path / "old.align.jsonl"
    alignment = sample_alignment()
    save_alignment(alignment, path)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace('"note": ""', '"note": "a\\ud800b"')
    lines[0] = lines[0].replace('"edits": {', '"edits": {"x\\udfff": "\\udc00", ')
    path.write_text("\n".join(lines), encoding="utf-8")
    for fast in (True, False):
        loaded = load_alignment(path, fast=fast)
        assert loaded.links[0].note == "a\ufffdb"
        assert loaded.edits["x\ufffd"] == "\ufffd"
    assert next(iter_links(path)).note == "a\ufffdb"
    assert read_header(path).edits["x\ufffd"] == "\ufffd"
