"""`workbench status` and standing rejections: a row holding a listed pair counts as rejected
(the rule exports use, ``records.as_decided``), and listed pairs no row holds are shown."""

from __future__ import annotations

import json
from pathlib import Path

from tests.review.conftest import write_seed_alignments
from workbench.cli import main
from workbench.store import Status, load_alignment, save_alignment
from workbench.store.model import Rejection
from workbench.store.session import ReviewSession

T0 = "2026-01-02T03:04:05+00:00"
ROW_8 = (("fr-2022-cnw:8", "fr-2022-cnw:9"), ("en-2022-chinadaily:11",))  # an auto row
NO_ROW = (("fr-2022-cnw:5",), ("en-2022-chinadaily:24",))


def status_lines(path: Path, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["status", str(path), "--corpus", "corpus"]) == 0
    return capsys.readouterr().out.splitlines()


def test_status_counts_listed_pairs_as_rejected_and_shows_those_without_row(
    tmp_path, monkeypatch, corpus_copy, capsys
):
    monkeypatch.chdir(tmp_path)
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    alignment = load_alignment(path)
    # a hand-edited file (or one written before m/s followed the list): row 8 stays auto
    alignment.rejected = [Rejection(*ROW_8, "ana", T0), Rejection(*NO_ROW, "bob", T0)]
    save_alignment(alignment, path)
    before = status_lines(path, capsys)
    assert "links auto 9, approved 0, rejected 0, flagged 0" not in before[0]
    assert "links auto 8, approved 0, rejected 1, flagged 0" in before[0]
    assert "1 row(s) not marked rejected hold one: counted rejected" in before[0]
    doc = next(line for line in before if line.startswith("  fr-2022-cnw:"))
    assert "2 reviewed" in doc and "7 paired" in doc  # 8 and 9: rejected, not paired
    chinadaily = next(line for line in before if line.startswith("  en-2022-chinadaily (en)"))
    unlinked = int(chinadaily.split(" linked to nothing")[0].rsplit(", ", 1)[1])
    assert before[-2:] == [
        "  1 rejected pair(s) held by no row:",
        f"    fr-2022-cnw:5 / en-2022-chinadaily:24 (by bob on {T0})",
    ]
    # the same rule as exports: `--status rejected` exports exactly the rows status counts
    args = ["export", "-f", "jsonl", "--out", "r.jsonl", "--status", "rejected"]
    assert main([*args, "--corpus", "corpus", "--lang", "fr-en"]) == 0
    rows = [json.loads(line) for line in Path("r.jsonl").read_text("utf-8").splitlines()]
    assert [(tuple(r["src_ids"]), tuple(r["tgt_ids"])) for r in rows] == [ROW_8]
    # a review session (journal only, no snapshot): reject row 1, re-link row 5 onto NO_ROW
    session = ReviewSession.open(path, "ana", clock=lambda: T0)
    session.reject(0)
    session.relink(5, list(NO_ROW[1]), lift=True)
    session.release()
    after = status_lines(path, capsys)
    assert "links auto 7, approved 0, rejected 2, flagged 0" in after[0]
    assert "2 rejected pair(s), never proposed again" in after[0]
    assert "held by no row" not in "\n".join(after)
    assert "  (includes 2 review decision(s) still in the journal)" in after
    chinadaily = next(line for line in after if line.startswith("  en-2022-chinadaily (en)"))
    # chinadaily:0 (row 1, rejected) unlinked now, chinadaily:24 linked: the same count
    assert int(chinadaily.split(" linked to nothing")[0].rsplit(", ", 1)[1]) == unlinked
    assert load_alignment(path).links[0].status == Status.AUTO  # nothing was written
