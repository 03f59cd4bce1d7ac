"""``workbench align-pair`` end to end, and its bad-input errors (exit 2, file and line named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.align.beads import parse_beads
from workbench.align.modes import ALIGNERS
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
    assert main(["align-pair", str(src), str(tgt)]) == 2
    assert "--src-translation" in capsys.readouterr().err
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
