"""Provenance through one typed schema (issue 11, item 17), crafted provenance (item 14), and
properties of export -> import with hostile text (the Contracts section)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.errors import InputError
from workbench.export.importer import read_export
from workbench.provenance import AlignmentProvenance
from workbench.store import Alignment, Flag, Link, Status, load_alignment, save_alignment

from .conftest import aligner_provenance
from .helpers import export

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "alignments" / "fr-en.align.jsonl"  # written by the real aligner (read only)


def test_the_export_signature_of_a_real_aligner_file(tmp_path) -> None:
    out = tmp_path / "real.tsv"
    argv = ["export", str(REAL), "-f", "tsv", "--status", "all", "--out", str(out)]
    assert main([*argv, "--corpus", str(ROOT / "corpus")]) == 0
    meta = json.loads(out.with_name(out.name + ".meta.json").read_text(encoding="utf-8"))
    signature = meta["provenance"]["signature"]
    assert "|aligner:comparable|" in signature and "{" not in signature
    recorded = load_alignment(REAL).provenance["segmenter"]
    assert f"fr=pysbd-{recorded['pysbd']}:fr" in signature  # read from the file


def test_the_export_fixtures_have_the_real_writers_shape() -> None:
    real = load_alignment(REAL).provenance
    fixture = aligner_provenance(0.5)
    assert set(fixture) <= set(real) | {"encoder"}
    assert set(fixture["aligner"]["settings"]) <= set(real["aligner"]["settings"])
    assert set(fixture["segmenter"]) == set(real["segmenter"])


def test_old_provenance_shapes_read_as_the_new_one() -> None:
    assert AlignmentProvenance.read({"mode": "parallel"}).mode == "parallel"
    assert AlignmentProvenance.read({"aligner": "comparable"}).mode == "comparable"
    assert AlignmentProvenance.read({}).mode == "unknown"
    assert AlignmentProvenance.read({"future_key": [1]}).to_dict() == {"future_key": [1]}


@pytest.mark.parametrize("bad", ['"str"', "5", '{"aligner": 5}', '{"mt": [1]}'])
def test_a_header_with_crafted_provenance_is_one_line(tmp_path, bad) -> None:
    path = tmp_path / "x.align.jsonl"
    save_alignment(Alignment("fr", "en"), path)
    header = json.loads(path.read_text(encoding="utf-8").split("\n")[0])
    header["provenance"] = json.loads(bad)
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="provenance") as info:
        load_alignment(path)
    assert info.value.line == 1


@pytest.mark.parametrize(
    "crafted",
    [
        {"alignments": 5},
        {"alignments": [{"name": "fr-en", "provenance": "str"}]},
        {"alignments": [{"name": "fr-en", "src_docs": "fr-2022-cnw"}]},
        {"signature": ["x"]},
    ],
)
@pytest.mark.parametrize("fmt", ["jsonl", "tmx"])
def test_import_of_crafted_export_provenance_is_one_line(
    alignment_files, text_source, tmp_path, capsys, crafted, fmt
) -> None:
    out = tmp_path / f"pairs.{fmt}"
    export(alignment_files, fmt, out, text_source, "all")
    if fmt == "jsonl":
        meta = out.with_name(out.name + ".meta.json")
        data = json.loads(meta.read_text(encoding="utf-8"))
        data["provenance"].update(crafted)
        meta.write_text(json.dumps(data), encoding="utf-8")
    else:
        text = out.read_text(encoding="utf-8")
        start = text.index('<prop type="x-workbench-provenance">') + 36
        end = text.index("</prop>", start)
        prov = json.loads(text[start:end].replace("&quot;", '"').replace("&amp;", "&"))
        prov.update(crafted)
        escaped = json.dumps(prov).replace("&", "&amp;").replace("<", "&lt;")
        out.write_text(text[:start] + escaped + text[end:], encoding="utf-8")
    assert main(["import", str(out), "--out", str(tmp_path / "back") + "/"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "provenance" in err and "Traceback" not in err


def test_deeply_nested_export_manifest_is_one_line(alignment_files, text_source, tmp_path):
    out = tmp_path / "pairs.jsonl"
    export(alignment_files, "jsonl", out, text_source, "all")
    out.with_name(out.name + ".meta.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_export(out)


# -- export -> import with hostile text ------------------------------------------------------

NASTY = st.text(
    alphabet=st.sampled_from(
        ["a", "Z", " ", "é", "\u2028", "\u2029", "\u0085", "\r", "\n", "\t", "\x00", "\x1b"]
        + ["\u0e31", "\u0e48", "\ud800", "<", "&", '"', "]", ">", "😀", "\\"]
    ),
    max_size=20,
)
CARRIED = {"tsv": ("id", "status", "score"), "tmx": ("id", "status", "score"), "jsonl": None}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(notes=st.lists(NASTY, min_size=3, max_size=3), reviewer=NASTY, detail=NASTY)
@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx"])
def test_export_then_import_gives_the_links_back(
    fmt, text_source, tmp_path, notes, reviewer, detail
) -> None:
    folder = tmp_path / f"case-{abs(hash((tuple(notes), reviewer, detail)))}"
    folder.mkdir()
    alignment = Alignment("fr", "en", ["fr-2022-cnw"], ["en-2022-chinadaily"])
    alignment.provenance = aligner_provenance(0.5)
    alignment.links = [
        Link(
            f"L{i:05d}",
            [f"fr-2022-cnw:{i}"],
            [f"en-2022-chinadaily:{i}"],
            Status.APPROVED,
            0.5 + i / 10,
            flags=[Flag("number", "1", "2", detail)],
            reviewer=reviewer or None,
            note=note,
        )
        for i, note in enumerate(notes, start=1)
    ]
    path = folder / "fr-en.align.jsonl"
    save_alignment(alignment, path)
    written = load_alignment(path)  # what the file holds (lone surrogates repaired)
    result = export([path], fmt, folder / f"out.{fmt}", text_source, "all")
    _, groups = read_export(result.paths[0])
    back = groups["fr-en"]
    fields = CARRIED[fmt]
    view = [
        (k.to_dict() if fields is None else {f: k.to_dict()[f] for f in fields}) for k in back.links
    ]
    want = [
        (k.to_dict() if fields is None else {f: k.to_dict()[f] for f in fields})
        for k in written.links
    ]
    assert view == want
    if fmt == "jsonl":
        assert back.provenance["aligner"] == written.provenance["aligner"]
