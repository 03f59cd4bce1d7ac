"""``workbench export --clusters``: TMX (valid, one <tu> per cluster, one <tuv> per member)
and JSONL (one object per cluster), with the status and score filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from workbench.cli import main
from workbench.store.clusters import Cluster, ClusterSet, DocInfo, Member, save_clusters
from workbench.store.model import Status

DTD = Path(__file__).parent.parent / "export" / "tmx14.dtd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def clusters_file(seed_corpus, tmp_path: Path) -> Path:
    docs = {d.id: DocInfo(d.language, d.edition, len(d.sentences)) for d in seed_corpus.documents}
    clusters = [
        Cluster(
            "C0001",
            [
                Member("en-2021-globaltimes", ["en-2021-globaltimes:1"], 0.7),
                Member("en-2022-chinadaily", ["en-2022-chinadaily:0"], 0.8),
                Member("fr-2022-cnw", ["fr-2022-cnw:0"], 0.9),
            ],
            status=Status.APPROVED,
            score=0.8,
        ),
        Cluster(
            "C0002",
            [
                Member("en-2022-chinadaily", ["en-2022-chinadaily:37", "en-2022-chinadaily:38"]),
                Member("fr-2022-cnw", ["fr-2022-cnw:11"]),
            ],
            score=0.4,
        ),
    ]
    path = tmp_path / "clusters.jsonl"
    save_clusters(ClusterSet(docs, {"encoder": {"id": "x"}}, clusters), path)
    return path


def export(clusters_file: Path, out: Path, *extra: str) -> int:
    corpus = Path(__file__).parent.parent.parent / "corpus"
    args = ["export", "--clusters", str(clusters_file), "--corpus", str(corpus)]
    return main([*args, "--out", str(out), *extra])


def test_jsonl_one_object_per_cluster(clusters_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "c.jsonl"
    assert export(clusters_file, out, "--format", "jsonl", "--status", "all") == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["C0001", "C0002"]
    first = rows[0]
    assert set(first) == {"id", "status", "members", "facts", "score"}
    assert first["members"][2] == {
        "doc": "fr-2022-cnw",
        "lang": "fr",
        "edition": 2022,
        "ids": ["fr-2022-cnw:0"],
        "text": first["members"][2]["text"],
        "mt": None,
    }
    assert "26 novembre" in first["members"][2]["text"]
    opening = [f for f in first["facts"] if f["label"] == "disagrees within an edition"]
    assert {v["value"] for v in opening[0]["values"]} == {"????-10-23", "????-10-26", "????-11-26"}
    assert rows[1]["members"][0]["ids"] == ["en-2022-chinadaily:37", "en-2022-chinadaily:38"]
    meta = json.loads((tmp_path / "c.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["provenance"]["clusters"]["encoder"] == {"id": "x"}


def test_status_and_min_score_filters(clusters_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "c.jsonl"
    assert export(clusters_file, out, "--format", "jsonl") == 0  # approved by default
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["C0001"]
    assert (
        export(clusters_file, out, "--format", "jsonl", "--status", "all", "--min-score", "0.5")
        == 0
    )
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["C0001"]
    other = tmp_path / "none.jsonl"
    assert export(clusters_file, other, "--format", "jsonl", "--status", "rejected") == 0
    assert "nothing to export" in capsys.readouterr().out
    assert not other.exists()


def test_tmx_valid_one_tu_per_cluster(clusters_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.tmx"
    assert export(clusters_file, out, "--format", "tmx", "--status", "all") == 0
    tree = etree.parse(str(out))
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    units = tree.findall(".//tu")
    assert [u.get("tuid") for u in units] == ["clusters/C0001", "clusters/C0002"]
    variants = units[0].findall("tuv")
    assert [v.get(XML_LANG) for v in variants] == ["en", "en", "fr"]
    props = [{p.get("type"): p.text for p in v.findall("prop")} for v in variants]
    assert [(p["x-document"], p["x-edition"]) for p in props] == [
        ("en-2021-globaltimes", "2021"),
        ("en-2022-chinadaily", "2022"),
        ("fr-2022-cnw", "2022"),
    ]


def test_unknown_format_and_stale_file_are_one_line_errors(
    clusters_file: Path, tmp_path: Path, capsys
) -> None:
    assert export(clusters_file, tmp_path / "x.tsv", "--format", "moses") == 2
    assert "not available" in capsys.readouterr().err
    text = clusters_file.read_text(encoding="utf-8").replace("fr-2022-cnw:11", "fr-2022-cnw:99")
    clusters_file.write_text(text, encoding="utf-8")
    assert export(clusters_file, tmp_path / "x.jsonl", "--format", "jsonl", "--status", "all") == 2
    err = capsys.readouterr().err
    assert "fr-2022-cnw:99, not in the corpus" in err and err.count("\n") == 1
    assert not (tmp_path / "x.jsonl").exists()


def test_lang_filter_does_not_apply_to_clusters(
    clusters_file: Path, tmp_path: Path, capsys
) -> None:
    assert export(clusters_file, tmp_path / "x.jsonl", "--format", "jsonl", "--lang", "fr-en") == 2
    assert "leave out --lang" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()
