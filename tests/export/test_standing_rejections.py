"""Exports (and evaluate-mt, which reads through the same records) follow the standing
rejections: a row holding a listed pair counts as rejected, whatever its row says."""

from __future__ import annotations

import json
from pathlib import Path

from tests.review.conftest import write_seed_alignments
from workbench.cli import main
from workbench.store import Status, load_alignment, save_alignment
from workbench.store.model import Rejection


def test_a_listed_pair_is_never_exported_as_approved_or_auto(
    tmp_path, monkeypatch, corpus_copy, capsys
):
    monkeypatch.chdir(tmp_path)
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    alignment = load_alignment(path)
    alignment.links[0].status = alignment.links[1].status = Status.APPROVED
    # a hand-edited file: an approved row and an auto row whose pairs are listed as rejected
    alignment.rejected = [
        Rejection.of_link(alignment.links[1]),
        Rejection.of_link(alignment.links[2]),
    ]
    save_alignment(alignment, path)
    base = ["export", "--corpus", "corpus", "--lang", "fr-en"]
    assert main([*base, "-f", "jsonl", "--out", "approved.jsonl"]) == 0
    rows = [json.loads(x) for x in Path("approved.jsonl").read_text("utf-8").splitlines()]
    assert [r["link_id"] for r in rows] == ["L00001"]
    assert main([*base, "-f", "tmx", "--out", "approved.tmx"]) == 0  # TMX counts first
    assert Path("approved.tmx").read_text("utf-8").count("<tu ") == 1
    assert main([*base, "-f", "jsonl", "--out", "all.jsonl", "--status", "all"]) == 0
    rows = [json.loads(x) for x in Path("all.jsonl").read_text("utf-8").splitlines()]
    status = {r["link_id"]: r["status"] for r in rows}
    assert status["L00002"] == status["L00003"] == "rejected" and status["L00001"] == "approved"
    capsys.readouterr()
