"""Issue 11 item 9: every TSV column is cleaned, so that an id holding a line break, tab or
U+2028 still gives a TSV with one row per link that ``import`` reads back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.export import Selection, export_alignments
from workbench.export.importer import read_export
from workbench.export.tsv import COLUMNS
from workbench.store import Alignment, Link, Status, save_alignment

NASTY = ["\n", "\r", "\t", "\u2028", "\x85", "\x0b", "\x1c", " ", "\xa0", "\x00", "a", "é", "ั"]
nasty_id = st.lists(st.sampled_from(NASTY), min_size=1, max_size=6).map("".join)


class AnyText:
    def text(self, sentence_id: str) -> str:
        return f"text of {sentence_id}"

    def mt(self, sentence_id: str) -> None:
        return None

    def mt_provenance(self, doc_ids):
        return []


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tsv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nasty_id, nasty_id, nasty_id)
def test_tsv_export_with_hostile_ids_imports_back(base, src_doc, tgt_doc, reviewer):
    folder = Path(tempfile.mkdtemp(dir=base))
    links = [
        Link(
            "L00001",
            [f"x{src_doc}:0", f"x{src_doc}:1"],
            [f"y{tgt_doc}:0"],
            Status.APPROVED,
            0.5,
            reviewer=f"r{reviewer}",
        ),
        Link("L00002", [f"x{src_doc}:2"], [f"y{tgt_doc}:1"], Status.APPROVED, 0.25),
    ]
    path = folder / "fr-en.align.jsonl"
    save_alignment(Alignment("fr", "en", [f"x{src_doc}"], [f"y{tgt_doc}"], {}, {}, links), path)
    out = folder / "pairs.tsv"
    export_alignments([path], "tsv", out, AnyText(), Selection.parse("all", None, None))
    rows = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(rows) == 3
    assert all(len(row.split("\t")) == len(COLUMNS) for row in rows)
    _, groups = read_export(out)
    back = groups["fr-en"].links
    assert [(len(k.src), len(k.tgt), k.id) for k in back] == [(2, 1, "L00001"), (1, 1, "L00002")]
