"""``workbench align-pair`` end to end, and its bad-input errors (exit 2, file and line named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.align.beads import parse_beads
from workbench.align.modes import ALIGNERS, MODES
from workbench.cli import main

SRC = ["Der Berg ist hoch .", "Wir stiegen am Morgen auf .", "Das Wetter war schlecht ."]
MT = ["La montagne est haute .", "Nous sommes montés le matin .", "Le temps était mauvais ."]
TGT = [
    "La montagne est très haute .",
    "Nous sommes montés au matin , à l' aube .",
    "Le temps était mauvais .",
]


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    return (
        _write(tmp_path, "a.de", SRC),
        _write(tmp_path, "a.fr", TGT),
        _write(tmp_path, "a.mt", MT),
    )


def test_prints_vecalign_beads(tmp_path: Path, capsys):
    src, tgt, mt = _files(tmp_path)
    code = main(
        [
            "align-pair",
            str(src),
            str(tgt),
            "--src-translation",
            str(mt),
            "--mode",
            "parallel",
            "--format",
            "vecalign",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "[0]:[0]"
    assert parse_beads(out) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_scores_format_and_output_file(tmp_path: Path):
    src, tgt, mt = _files(tmp_path)
    out = tmp_path / "out.align"
    assert (
        main(
            [
                "align-pair",
                str(src),
                str(tgt),
                "--mt",
                str(mt),
                "--format",
                "scores",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    score = float(lines[0].rsplit(":", 1)[1])
    assert 0.5 < score <= 1.0
    assert parse_beads("\n".join(lines))[0] == ((0,), (0,))


def test_wrong_line_count_names_the_translation(tmp_path: Path, capsys):
    src, tgt, _ = _files(tmp_path)
    mt = _write(tmp_path, "short.mt", MT[:2])
    assert main(["align-pair", str(src), str(tgt), "--src-translation", str(mt)]) == 2
    err = capsys.readouterr().err
    assert "short.mt" in err and "2 lines" in err and "3" in err


@pytest.mark.parametrize("which", ["src", "tgt", "mt"])
def test_empty_file_is_an_error(tmp_path: Path, capsys, which: str):
    src, tgt, mt = _files(tmp_path)
    paths = {"src": src, "tgt": tgt, "mt": mt}
    paths[which].write_text("\n\n", encoding="utf-8")
    assert main(["align-pair", str(src), str(tgt), "--src-translation", str(mt)]) == 2
    err = capsys.readouterr().err
    assert str(paths[which]) in err and "empty" in err


def test_missing_translation_unknown_mode_and_not_utf8(tmp_path: Path, capsys):
    src, tgt, mt = _files(tmp_path)
    assert main(["align-pair", str(src), str(tgt), "--encoder", "none"]) == 2
    err = capsys.readouterr().err
    assert "--src-translation" in err and "--encoder" in err and len(err.splitlines()) == 1
    assert main(["align-pair", str(src), str(tgt), "--mt", str(mt), "--mode", "nope"]) == 2
    assert "unknown alignment mode" in capsys.readouterr().err
    bad = tmp_path / "bad.fr"
    bad.write_bytes(b"ok\n\xff\xfe broken\n")
    assert main(["align-pair", str(src), str(bad), "--mt", str(mt)]) == 2
    err = capsys.readouterr().err
    assert "bad.fr:2" in err and "UTF-8" in err


def test_ten_thousand_character_sentences(tmp_path: Path, capsys):
    long_src = "Lange " * 1700
    long_mt = "Longue " * 1430
    src = _write(tmp_path, "l.de", [SRC[0], long_src, SRC[2]])
    mt = _write(tmp_path, "l.mt", [MT[0], long_mt, MT[2]])
    tgt = _write(tmp_path, "l.fr", [TGT[0], long_mt, TGT[2]])
    assert len(long_mt) >= 10_000
    assert main(["align-pair", str(src), str(tgt), "--mt", str(mt)]) == 0
    beads = parse_beads(capsys.readouterr().out)
    assert beads == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_modes_registry_has_parallel():
    assert "parallel" in ALIGNERS
    assert MODES["parallel"].uses_tgt_mt and not MODES["comparable"].uses_tgt_mt


def test_encoder_alone_aligns_without_a_translation(tmp_path: Path, capsys):
    """The default encoder (use-multilingual-v3) needs no MT: --format vecalign works with
    SRC and TGT only; --embeddings is a deprecated alias of --encoder."""
    src, tgt, _ = _files(tmp_path)
    args = ["align-pair", str(src), str(tgt), "--mode", "parallel", "--format", "vecalign"]
    assert main(args) == 0
    assert parse_beads(capsys.readouterr().out) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert main([*args, "--embeddings", "use-multilingual-v3", "--format", "scores"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 3 and all(0.0 <= float(r.rsplit(":", 1)[1]) <= 1.0 for r in rows)


def test_encoder_with_mt_uses_both_signals(tmp_path: Path, monkeypatch, capsys):
    """With --src-translation and an encoder the bead similarity mixes chrF and the cosine:
    the encoder is called, and --encoder none leaves it out."""
    from workbench.align.signals import semantic

    calls = []
    original = semantic.open_encoder

    def spy(name, cache, models_dir=Path("models")):
        encoder = original(name, cache, models_dir)
        if encoder is not None:
            calls.append(name)
        return encoder

    monkeypatch.setattr(semantic, "open_encoder", spy)
    src, tgt, mt = _files(tmp_path)
    args = ["align-pair", str(src), str(tgt), "--src-translation", str(mt), "--format", "scores"]
    assert main(args) == 0
    with_encoder = capsys.readouterr().out
    assert calls == ["use-multilingual-v3"]
    assert main([*args, "--encoder", "none"]) == 0
    without = capsys.readouterr().out
    assert calls == ["use-multilingual-v3"]
    assert parse_beads(with_encoder) == parse_beads(without)
    assert with_encoder != without  # the scores come from different signals


def test_unknown_encoder_is_one_line_exit_2(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    src, tgt, mt = _files(tmp_path)
    for name in ("no-such-encoder", str(tmp_path / "missing-folder")):
        assert main(["align-pair", str(src), str(tgt), "--encoder", name]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "encoder" in err and name in err
    assert main(["align-pair", str(src), str(tgt), "--encoder-weight", "1.5"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_empty_and_overlong_lines_are_warned_about(tmp_path: Path, capsys):
    """An empty line matches nothing; a 10,000-character line is cut for the encoder (said
    once, with the line); the run still succeeds."""
    long_src = "Lange Zeile " * 900
    long_tgt = "Longue ligne " * 800
    src = _write(tmp_path, "e.de", [SRC[0], "", long_src, SRC[2]])
    tgt = _write(tmp_path, "e.fr", [TGT[0], long_tgt, TGT[2]])
    assert main(["align-pair", str(src), str(tgt)]) == 0
    captured = capsys.readouterr()
    beads = parse_beads(captured.out)
    assert ((3,), (2,)) in beads and ((2,), (1,)) in beads
    assert beads[0] in (((0,), (0,)), ((0, 1), (0,)))  # the empty line matches nothing
    assert "e.de: 1 empty source line(s) (first: line 2)" in captured.err
    assert "e.de: 1 source line(s) longer than 2000 characters (first: line 3)" in captured.err
    assert "e.fr: 1 target line(s) longer than 2000" in captured.err


SINHALA = [
    "මම අද උදේ ගෙදර සිට පාසලට ගියෙමි, මාර්ගයේ බොහෝ වාහන තිබුණි.",
    "ගුරුවරයා අපට ඉතිහාසය ගැන දිගු කතාවක් කීවේය, එය ඉතා රසවත් විය.",
    "සවස් වරුවේ අපි මිතුරන් සමඟ පිට්ටනියේ ක්‍රිකට් ක්‍රීඩා කළෙමු.",
    "රාත්‍රියේ වැස්ස වැටුණු නිසා අපි කලින්ම නිවසට ආපසු පැමිණියෙමු.",
]
ENGLISH = [
    "This morning I went from home to school, and there were many vehicles on the road.",
    "The teacher told us a long story about history, and it was very interesting.",
    "In the evening we played cricket with friends on the playground.",
    "Because it rained at night we came back home early.",
]


def test_a_language_the_encoder_was_not_trained_on_is_named_once(tmp_path: Path, capsys):
    """Sinhala is not among USE-multilingual-v3's 16 languages: with MT the encoder is left
    out (one warning) and the MT aligns; without MT it is used, with a warning."""
    src = _write(tmp_path, "si.txt", SINHALA)
    tgt = _write(tmp_path, "en.txt", ENGLISH)
    mt = _write(tmp_path, "si.mt", ENGLISH)
    assert main(["align-pair", str(src), str(tgt), "--src-translation", str(mt)]) == 0
    captured = capsys.readouterr()
    assert parse_beads(captured.out) == [((i,), (i,)) for i in range(4)]
    warnings = [line for line in captured.err.splitlines() if "not trained on" in line]
    assert len(warnings) == 1 and "the source (si)" in warnings[0] and "MT alone" in warnings[0]
    assert main(["align-pair", str(src), str(tgt)]) == 0
    assert "expect a poor alignment" in capsys.readouterr().err
