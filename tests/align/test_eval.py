"""Bead format and the strict/lax scorer (Vecalign definitions), on hand-made slices."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.align.beads import format_beads, parse_bead, parse_beads, read_beads
from workbench.align.eval import evaluate_paths, score_beads, score_documents
from workbench.cli import main
from workbench.errors import InputError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"

GOLD = [((0,), (0, 1)), ((1,), (2,)), ((2, 3), (3,)), ((4,), ()), ((), (4,)), ((5,), (5,))]


def test_parse_and_format_round_trip():
    text = "[0]:[0, 1]\n[1]:[2]\n\n[2, 3]:[3]:0.51\n[4]:[]\n[]:[4]\n"
    beads = parse_beads(text)
    assert beads == [((0,), (0, 1)), ((1,), (2,)), ((2, 3), (3,)), ((4,), ()), ((), (4,))]
    assert format_beads(beads) == "[0]:[0, 1]\n[1]:[2]\n[2, 3]:[3]\n[4]:[]\n[]:[4]\n"
    assert parse_bead("[ 8,9 ]:[10]") == ((8, 9), (10,))


@pytest.mark.parametrize("bad", ["[0]:[1", "0:1", "[a]:[1]", "[]:[]", "[0]:[1]:x", "[0];[1]"])
def test_bad_lines_name_file_and_line(tmp_path: Path, bad: str):
    path = tmp_path / "gold.align"
    path.write_text(f"[0]:[0]\n{bad}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_beads(path)
    assert info.value.line == 2
    assert str(path) in str(info.value)


def test_perfect_prediction():
    scores = score_beads(GOLD, GOLD)
    assert (scores.precision_strict, scores.recall_strict, scores.f1_lax) == (1.0, 1.0, 1.0)


def test_strict_and_lax_counts():
    pred = [
        ((0,), (0,)),  # partial: lax yes, strict no
        ((), (1,)),  # insertion not in gold: lax no
        ((1,), (2,)),  # exact
        ((2,), (3,)),  # partial
        ((3,), ()),  # deletion not in gold
        ((4,), ()),  # deletion in gold: exact
        ((), (4,)),  # exact
        ((5,), (5,)),  # exact
    ]
    s = score_beads(GOLD, pred)
    # precision over 8 predicted beads: strict 4 exact; lax 4 exact + 2 overlapping
    assert s.precision_strict == pytest.approx(4 / 8)
    assert s.precision_lax == pytest.approx(6 / 8)
    # recall over gold beads with both sides (4): strict (1)-(2) and (5)-(5); lax all 4
    assert s.recall_strict == pytest.approx(2 / 4)
    assert s.recall_lax == pytest.approx(1.0)
    assert s.f1_strict == pytest.approx(0.5)


def test_micro_average_over_documents():
    doc_a = [((0,), (0,)), ((1,), (1,))]
    doc_b = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]
    wrong_b = [((0, 1), (0, 1)), ((2,), (2,)), ((3,), (3,))]
    s = score_documents([doc_a, doc_b], [doc_a, wrong_b])
    assert s.precision_strict == pytest.approx(4 / 5)  # summed counts, not mean of ratios
    assert s.recall_strict == pytest.approx(4 / 6)


def test_folders_and_cli(tmp_path: Path, capsys):
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    (gold / "001.align").write_text(format_beads(GOLD), encoding="utf-8")
    (pred / "001.align").write_text("[0]:[0, 1]\n[1]:[2]\n[2]:[3]\n", encoding="utf-8")
    scores = evaluate_paths(gold, pred)
    assert scores.precision_strict == pytest.approx(2 / 3)
    assert main(["eval-align", str(gold), str(pred)]) == 0
    out = capsys.readouterr().out
    assert "strict  P 0.667" in out and "lax" in out
    (gold / "002.align").write_text("[0]:[0]\n", encoding="utf-8")
    assert main(["eval-align", str(gold), str(pred)]) == 2
    assert "002.align" in capsys.readouterr().err


def test_cli_unparsable_gold(tmp_path: Path, capsys):
    gold, pred = tmp_path / "g.align", tmp_path / "p.align"
    gold.write_text("[0]:[0]\nnot a bead\n", encoding="utf-8")
    pred.write_text("[0]:[0]\n", encoding="utf-8")
    assert main(["eval-align", str(gold), str(pred)]) == 2
    assert f"{gold}:2" in capsys.readouterr().err


@pytest.mark.skipif(not (SHARED / "mac-zh-en").is_dir(), reason="shared benchmark data absent")
def test_reproduces_published_bertalign_figures():
    mac = SHARED / "mac-zh-en" / "dev"
    s = evaluate_paths(mac / "gold", mac / "reference-outputs" / "bertalign")
    # Bertalign README @ba3bf71: strict 0.909/0.914/0.911, lax 0.996/1.000/0.998
    assert [round(x, 3) for x in (s.precision_strict, s.recall_strict, s.f1_strict)] == [
        0.909,
        0.914,
        0.911,
    ]
    assert [round(x, 3) for x in (s.precision_lax, s.recall_lax, s.f1_lax)] == [0.996, 1.0, 0.998]
    tb = SHARED / "textberg-de-fr"
    golds = [read_beads(tb / "gold" / f"test{i}.defr") for i in range(7)]
    preds = [
        read_beads(tb / "reference-outputs" / "bertalign-ba3bf71" / f"test{i}.defr")
        for i in range(7)
    ]
    s = score_documents(golds, preds)
    # published 0.940 / 0.992; we count one strict true positive fewer (0.939), see README
    assert abs(s.f1_strict - 0.940) < 0.0015
    assert round(s.f1_lax, 3) == 0.992
