"""Hand-edited alignment headers: a field this workbench would drop on the next save, or a
``rejected`` list an older workbench (schema 1) would drop, is refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store.refusals import assert_header_refused
from workbench.store.files import load_alignment

PAIR = {"src": ["fr-2022-cnw:0"], "tgt": ["en-2022-chinadaily:0"], "reviewer": "ana", "time": None}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"schema": 2, "rejected": [PAIR], "rejectd": []}, "unknown header field(s) ['rejectd']"),
        ({"schema": 1, "notes": "x"}, "unknown header field(s) ['notes']"),
        ({"schema": 1, "rejected": [PAIR]}, "'rejected' needs schema 2"),
    ],
)
def test_a_header_field_that_a_save_would_drop_is_refused(
    tmp_path: Path, capsys, header: dict, message: str
) -> None:
    path = tmp_path / "fr-en.align.jsonl"
    base = {"format": "workbench-alignment", "src_lang": "fr", "tgt_lang": "en"}
    path.write_text(json.dumps({**base, **header}) + "\n", encoding="utf-8")
    assert_header_refused(path, message, capsys)


def test_a_schema_2_header_with_an_empty_rejected_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "fr-en.align.jsonl"
    header = {"format": "workbench-alignment", "schema": 2, "src_lang": "fr", "tgt_lang": "en"}
    path.write_text(json.dumps({**header, "rejected": []}) + "\n", encoding="utf-8")
    assert load_alignment(path).rejected == []
