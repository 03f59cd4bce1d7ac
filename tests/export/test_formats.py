"""Writers: golden files, format checks by independent readers, nasty text, filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from workbench.errors import InputError, WorkbenchError
from workbench.export import format_names, get_format
from workbench.export.jsonl import FIELDS
from workbench.export.tsv import COLUMNS

from .conftest import NASTY_EN, NASTY_FR, NASTY_TH
from .helpers import GOLDEN, UPDATE, export

DTD = Path(__file__).parent / "tmx14.dtd"
# links of the fixture: fr-en has 8 (1 auto, 1 rejected, 1 flagged, 2 one-sided), th-en 3
APPROVED_PAIRS = 5  # approved links with both sides (fr 3, th 2)
APPROVED_ALL = 7  # plus the approved 1-0 and 0-1 links


def test_registry_has_the_four_formats():
    assert format_names() == ["jsonl", "moses", "tmx", "tsv"]
    with pytest.raises(WorkbenchError, match="unknown format 'xliff'"):
        get_format("xliff")


@pytest.mark.parametrize("fmt", ["jsonl", "moses", "tmx", "tsv"])
def test_golden(fmt, alignment_files, text_source, tmp_path, fixed_segmenters):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = export(alignment_files, fmt, out_dir / f"corpus.{fmt}", text_source)
    assert result.count == (APPROVED_PAIRS + 4 if get_format(fmt).pairs_only else 11)
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == sorted(p.name for p in result.paths)  # no stray temporary files
    golden_dir = GOLDEN / fmt
    if UPDATE:
        golden_dir.mkdir(parents=True, exist_ok=True)
        for path in result.paths:
            (golden_dir / path.name).write_bytes(path.read_bytes())
    assert sorted(p.name for p in golden_dir.iterdir()) == written
    for path in result.paths:
        assert path.read_bytes() == (golden_dir / path.name).read_bytes(), path.name


def test_export_is_deterministic(alignment_files, text_source, tmp_path):
    a = export(alignment_files, "jsonl", tmp_path / "a.jsonl", text_source)
    b = export(list(reversed(alignment_files)), "jsonl", tmp_path / "b.jsonl", text_source)
    assert a.paths[0].read_bytes() == b.paths[0].read_bytes()


# --- TMX -------------------------------------------------------------------------------


def _tmx(alignment_files, text_source, tmp_path, status="approved"):
    return export(alignment_files, "tmx", tmp_path / "out.tmx", text_source, status).paths[0]


def test_tmx_is_valid_against_the_dtd(alignment_files, text_source, tmp_path):
    path = _tmx(alignment_files, text_source, tmp_path, "all")
    dtd = etree.DTD(str(DTD))
    tree = etree.parse(str(path))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    header = tree.find("header")
    assert header.get("creationtool") == "workbench"
    assert header.get("creationtoolversion") == "0.0.0-test"
    props = {p.get("type") for p in header.findall("prop")}
    assert {"x-workbench-signature", "x-mt-model", "x-aligner", "x-workbench-provenance"} <= props


def test_tmx_languages_and_one_sided_links_left_out(alignment_files, text_source, tmp_path):
    tree = etree.parse(str(_tmx(alignment_files, text_source, tmp_path)))
    tus = tree.findall("body/tu")
    assert len(tus) == APPROVED_PAIRS
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    langs = [tuple(t.get(xml_lang) for t in tu.findall("tuv")) for tu in tus]
    assert langs == [("fr", "en")] * 3 + [("th", "en")] * 2
    ids = [tu.get("tuid") for tu in tus]
    assert "fr-en/L00006" not in ids and "fr-en/L00007" not in ids


def test_tmx_read_by_translate_toolkit(alignment_files, text_source, tmp_path, seed_corpus):
    from translate.storage.tmx import tmxfile

    path = _tmx(alignment_files, text_source, tmp_path)
    with path.open("rb") as handle:
        store = tmxfile(handle, sourcelanguage="fr", targetlanguage="en")
    units = [u for u in store.units if u.source]
    assert len(units) == 3  # the French TUs (the reader picks TUVs by language)
    with path.open("rb") as handle:
        thai = [
            u for u in tmxfile(handle, sourcelanguage="th", targetlanguage="en").units if u.source
        ]
    assert [u.target for u in thai][0] == seed_corpus.sentence("en-2021-globaltimes:1").text
    assert thai[1].source == NASTY_TH
    first = units[0]
    assert first.source == seed_corpus.sentence("fr-2022-cnw:0").text
    assert first.target == seed_corpus.sentence("en-2022-chinadaily:0").text
    two_one = units[1]  # 2-1 link: English sentences joined by a space
    expected = " ".join(seed_corpus.sentence(f"en-2022-chinadaily:{i}").text for i in (1, 2))
    assert two_one.target == expected


def test_tmx_nasty_text(alignment_files, text_source, tmp_path):
    path = _tmx(alignment_files, text_source, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert "\x00" not in raw and "\x1b" not in raw and "\x0b" not in raw
    tree = etree.parse(str(path))
    segs = {tu.get("tuid"): [s.text for s in tu.iter("seg")] for tu in tree.iter("tu")}
    fr, en = segs["fr-en/L00003"]
    # markup characters, quotes, tabs, newlines, \r, emoji kept; forbidden controls removed
    assert fr == NASTY_FR.replace("\x00", "").replace("\x01", "").replace("\x0b", "").replace(
        "\x1b", ""
    )
    assert "<b>&amp;" in fr and "\t" in fr and "\r\n" in fr and "😀🇫🇷" in fr and "\u2028" in fr
    assert en == NASTY_EN.replace("\x0c", "").replace("\x1c", "")
    th, _ = segs["th-en/L00002"]
    assert th == NASTY_TH  # Thai combining marks untouched


# --- Moses ------------------------------------------------------------------------------


def test_moses_line_counts(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "moses", tmp_path / "train", text_source, "approved")
    names = [p.name for p in result.paths]
    assert names == [
        "train.fr-en.fr", "train.fr-en.en", "train.th-en.th", "train.th-en.en", "train.meta.json",
    ]  # fmt: skip
    for src, tgt, expected in ((0, 1, 3), (2, 3, 2)):
        a = result.paths[src].read_text(encoding="utf-8")
        b = result.paths[tgt].read_text(encoding="utf-8")
        # splitlines() splits at every Unicode line break: none may hide inside a segment
        assert len(a.splitlines()) == len(b.splitlines()) == a.count("\n") == expected
        assert "\t" not in a + b and "\r" not in a + b
    meta = json.loads(result.paths[-1].read_text())
    assert meta["files"]["fr-en"] == {"src": "train.fr-en.fr", "tgt": "train.fr-en.en", "lines": 3}
    assert meta["provenance"]["links"] == APPROVED_PAIRS


def test_moses_lang_filter(alignment_files, text_source, tmp_path):
    result = export(
        alignment_files, "moses", tmp_path / "th", text_source, "approved", lang="th-en"
    )
    assert [p.name for p in result.paths] == ["th.th-en.th", "th.th-en.en", "th.meta.json"]
    lines = result.paths[0].read_text(encoding="utf-8").split("\n")
    assert lines[1] == NASTY_TH.replace("\t", " ").replace("\n", " ")


# --- TSV --------------------------------------------------------------------------------


def test_tsv_columns(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "tsv", tmp_path / "out.tsv", text_source, "all")
    lines = result.paths[0].read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert len(lines) == 1 + 11
    for line in lines[1:]:
        assert len(line.split("\t")) == len(COLUMNS)
    rows = [dict(zip(COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    assert rows[1]["tgt_ids"] == "en-2022-chinadaily:1 en-2022-chinadaily:2"
    assert rows[1]["score"] == "0.625" and rows[1]["status"] == "approved"
    assert rows[5]["target"] == "" and rows[5]["score"] == ""  # the 1-0 link is kept in TSV
    assert '<b>&amp; "citations"' in rows[2]["source"]  # no escaping, no quoting


# --- JSONL ------------------------------------------------------------------------------

SCHEMA = {
    "src": str, "tgt": str, "mt": (str, type(None)), "mt_model": (str, type(None)), "src_lang": str, "tgt_lang": str,
    "src_doc": str, "tgt_doc": str, "src_ids": list, "tgt_ids": list,
    "score": (float, type(None)), "status": str, "flags": list, "reviewer": (str, type(None)),
    "note": str, "alignment": str, "link_id": str, "features": dict, "created": str,
    "modified": (str, type(None)),
}  # fmt: skip


def test_jsonl_schema(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "jsonl", tmp_path / "out.jsonl", text_source, "all")
    assert set(SCHEMA) == set(FIELDS)
    rows = [json.loads(line) for line in result.paths[0].read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 11
    for row in rows:
        assert list(row) == list(FIELDS)  # same keys, same order, every row
        for key, kind in SCHEMA.items():
            assert isinstance(row[key], kind), (key, row[key])
        assert all(isinstance(i, str) for i in row["src_ids"] + row["tgt_ids"])
        for flag in row["flags"]:
            assert set(flag) == {"kind", "src", "tgt", "detail"}
    assert rows[2]["src"] == NASTY_FR  # JSON keeps text exactly, controls included
    assert rows[0]["mt"].startswith("MT(") and rows[0]["mt_model"] == "tiny/opus-mt-fr-en@r1"
    assert rows[8]["alignment"] == "th-en" and rows[8]["mt_model"] == "tiny/opus-mt-th-en@r1"
    assert rows[6]["mt"] is None  # 0-1 link: no source, no MT
    meta = json.loads(result.paths[1].read_text(encoding="utf-8"))
    assert result.paths[1].name == "out.jsonl.meta.json"
    prov = meta["provenance"]
    assert prov["mt"]["models"] == ["tiny/opus-mt-fr-en@r1", "tiny/opus-mt-th-en@r1"]
    assert prov["reviewers"] == ["alice", "bob", "chai"]
    assert [a["aligner"] for a in prov["alignments"]] == ["comparable", "comparable"]
    assert prov["alignments"][0]["provenance"]["aligner"]["settings"] == {
        "comparable_threshold": 0.5
    }
    assert set(prov["segmenters"]) == {"fr", "th", "en"}
    assert prov["signature"].startswith("workbench:0.0.0-test|format:jsonl|status:all|")


def test_edits_override_corpus_text(alignment_files, text_source, tmp_path, seed_corpus):
    result = export(alignment_files, "jsonl", tmp_path / "out.jsonl", text_source)
    rows = [json.loads(line) for line in result.paths[0].read_text(encoding="utf-8").splitlines()]
    by_id = {(r["alignment"], r["link_id"]): r for r in rows}
    assert by_id[("fr-en", "L00003")]["tgt"] == NASTY_EN
    assert by_id[("fr-en", "L00001")]["src"] == seed_corpus.sentence("fr-2022-cnw:0").text


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "min_score", "lang", "expected"),
    [
        ("approved", None, None, APPROVED_ALL),
        ("approved,flagged", None, None, APPROVED_ALL + 1),
        ("all", None, None, 11),
        ("approved", 0.6, None, 3),  # 0.91, 0.625, 0.8; unscored links are left out
        ("all", None, "th-en", 3),
        ("AUTO, rejected", None, "fr-en", 2),
    ],
)
def test_filters(alignment_files, text_source, tmp_path, status, min_score, lang, expected):
    result = export(
        alignment_files,
        "jsonl",
        tmp_path / "o.jsonl",
        text_source,
        status,
        min_score=min_score,
        lang=lang,
    )
    assert result.count == expected
    assert len(result.paths[0].read_text(encoding="utf-8").splitlines()) == expected


def test_unknown_status_and_bad_lang(alignment_files, text_source, tmp_path):
    with pytest.raises(WorkbenchError, match="unknown status done"):
        export(alignment_files, "tsv", tmp_path / "o.tsv", text_source, "approved,done")
    with pytest.raises(WorkbenchError, match="expected SRC-TGT"):
        export(alignment_files, "tsv", tmp_path / "o.tsv", text_source, lang="thai")


def test_nothing_matches_writes_nothing(alignment_files, text_source, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    result = export(alignment_files, "tmx", out / "x.tmx", text_source, "approved", min_score=0.99)
    assert result.count == 0 and result.paths == []
    assert list(out.iterdir()) == []


# --- bad output, atomicity ----------------------------------------------------------------


def test_missing_output_folder(alignment_files, text_source, tmp_path):
    with pytest.raises(WorkbenchError, match="does not exist"):
        export(alignment_files, "tmx", tmp_path / "nope" / "x.tmx", text_source)


def test_read_only_output_folder(alignment_files, text_source, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WorkbenchError, match="not writable"):
            export(alignment_files, "jsonl", folder / "x.jsonl", text_source)
    finally:
        folder.chmod(0o755)


class FailingSource:
    """Text source that breaks after a few sentences (a crash mid-export)."""

    def __init__(self, inner, after: int):
        self.inner, self.left = inner, after

    def text(self, sid):
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("boom")
        return self.inner.text(sid)

    def mt(self, sid):
        return self.inner.mt(sid)

    def mt_provenance(self, docs):
        return self.inner.mt_provenance(docs)


@pytest.mark.parametrize("fmt", ["jsonl", "moses", "tmx", "tsv"])
def test_no_partial_output(fmt, alignment_files, text_source, tmp_path):
    out = tmp_path / "partial"
    out.mkdir()
    with pytest.raises(RuntimeError, match="boom"):
        # 7 sentences: the first pair's files are open (Moses: th-en not yet) when it breaks
        export(alignment_files, fmt, out / "x", FailingSource(text_source, 7))
    assert list(out.iterdir()) == []


def test_alignment_referring_to_unknown_sentence(alignment_files, text_source, tmp_path):
    path = alignment_files[1]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("th-2021-xinhua:1", "th-2021-xinhua:999")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"sentence 'th-2021-xinhua:999'.*not in the corpus"
    ) as info:
        export(alignment_files, "tsv", tmp_path / "o.tsv", text_source)
    assert info.value.line == 2
    assert not (tmp_path / "o.tsv").exists()


def test_damaged_alignment_file(alignment_files, text_source, tmp_path):
    path = alignment_files[0]
    path.write_text(path.read_text(encoding="utf-8") + '{"id": "L9", "src": [\n', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as info:
        export(alignment_files, "jsonl", tmp_path / "o.jsonl", text_source)
    assert info.value.line == 10 and info.value.path == path


def test_read_only_output_folder_reported(alignment_files, text_source, tmp_path, monkeypatch):
    """Same check as above, also when the tests run as root (os.access says no)."""
    import workbench.export.exporter as exporter

    monkeypatch.setattr(exporter.os, "access", lambda path, mode: False)
    with pytest.raises(WorkbenchError, match="not writable"):
        export(alignment_files, "tmx", tmp_path / "x.tmx", text_source)
    assert not (tmp_path / "x.tmx").exists()


def test_jsonl_lines_hold_record_dict(alignment_files, text_source):
    """Each orjson line is one line for every reader and decodes to ``record_dict``."""
    from workbench.export.jsonl import record_dict, record_line
    from workbench.export.records import iter_records
    from workbench.export.select import Selection
    from workbench.export.stream import read_header

    headers = [read_header(p) for p in alignment_files]
    records = list(iter_records(headers, Selection.parse("all"), text_source))
    assert len(records) == 11
    for record in records:
        line = record_line(record).decode("utf-8")
        assert line.endswith("\n") and len(line.splitlines()) == 1
        assert json.loads(line) == record_dict(record)


def test_fast_link_reader_matches_link_from_dict(alignment_files):
    from workbench.export.stream import iter_link_dicts, link_from_dict
    from workbench.store.model import Link

    for path in alignment_files:
        for line, data in iter_link_dicts(path):
            assert link_from_dict(dict(data), path, line) == Link.from_dict(data)
    bad = {"id": "L1", "src": [], "tgt": [], "colour": "red"}
    with pytest.raises(InputError, match="invalid link"):
        link_from_dict(bad, alignment_files[0], 3)


def test_lone_surrogates_and_nan_scores(alignment_files, text_source, tmp_path):
    """What json (not orjson) accepts in alignment files still exports, as valid output."""
    path = alignment_files[1]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, first = json.loads(lines[0]), json.loads(lines[1])
    header["edits"]["th-2021-xinhua:1"] = "half \ud800 pair"  # written as a \ud800 escape
    first["score"] = float("nan")  # written as NaN
    lines[0], lines[1] = json.dumps(header) + "\n", json.dumps(first) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = export(alignment_files, "jsonl", tmp_path / "x.jsonl", text_source, lang="th-en")
    rows = [json.loads(line) for line in result.paths[0].read_text(encoding="utf-8").splitlines()]
    assert rows[0]["src"] == "half \ufffd pair" and rows[0]["score"] is None
    tmx = export(alignment_files, "tmx", tmp_path / "x.tmx", text_source, lang="th-en").paths[0]
    assert etree.DTD(str(DTD)).validate(etree.parse(str(tmx)))


def test_tmx_precount_mismatch_writes_nothing(alignment_files, text_source, tmp_path, monkeypatch):
    """TMX counts before writing (header first); a file changed in between aborts cleanly."""
    import workbench.export.exporter as exporter
    from workbench.export.records import pre_count

    def off_by_one(*args):
        tally = pre_count(*args)
        tally.count += 1
        return tally

    monkeypatch.setattr(exporter, "pre_count", off_by_one)
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(WorkbenchError, match="changed during the export"):
        export(alignment_files, "tmx", out / "x.tmx", text_source)
    assert list(out.iterdir()) == []
