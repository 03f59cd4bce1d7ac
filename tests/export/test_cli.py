"""The commands: exit codes, messages, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main


@pytest.fixture
def project(tmp_path, monkeypatch, alignment_files, corpus_copy):
    """A project folder: corpus/ (copy of the seed), alignments/ (the fixture files)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_export_and_import(project, capsys):
    assert main(["export", "--format", "tmx", "--out", "pairs.tmx", "--corpus", "corpus"]) == 0
    out = capsys.readouterr().out
    assert "exported 5 links (fr-en: 3, th-en: 2) as tmx" in out
    assert "signature: workbench:" in out
    assert Path("pairs.tmx").is_file()
    Path("back").mkdir()
    assert main(["import", "pairs.tmx", "--out", "back"]) == 0
    out = capsys.readouterr().out
    assert "imported 3 links from pairs.tmx (tmx) into back/fr-en.align.jsonl" in out


def test_export_default_format_and_filters(project, capsys):
    args = [
        "export",
        "--out",
        "th.jsonl",
        "--status",
        "all",
        "--lang",
        "th-en",
        "--corpus",
        "corpus",
    ]
    assert main(args) == 0
    assert len(Path("th.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert Path("th.jsonl.meta.json").is_file()


def test_unknown_format(project, capsys):
    assert main(["export", "--format", "xliff", "--out", "x.xlf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "workbench: error: unknown format 'xliff'; choose one of jsonl, moses, tmx, tsv"
    )


def test_missing_output_folder(project, capsys):
    assert main(["export", "-f", "tsv", "--out", "no/such/x.tsv", "--corpus", "corpus"]) == 2
    assert "output folder no/such does not exist" in capsys.readouterr().err


def test_nothing_matches(project, capsys):
    args = ["export", "-f", "moses", "--out", "m", "--min-score", "0.99", "--corpus", "corpus"]
    assert main(args) == 0
    assert "nothing to export" in capsys.readouterr().out
    assert not list(Path(".").glob("m*"))


def test_import_damaged(project, capsys):
    Path("bad.jsonl").write_text(
        '{"src_lang": "fr", "tgt_lang": "en", "src_ids": [], "tgt_ids": []}\n{oops\n'
    )
    assert main(["import", "bad.jsonl", "--out", "alignments", "--force"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: bad.jsonl:2: not valid JSON")


def test_export_uses_stored_translations(project, capsys, seed_corpus):
    """The CLI reads MT from corpus/translations (the translation engine's files)."""
    import json

    from workbench.corpus.translations import save_document_translations

    doc = seed_corpus.document("th-2021-xinhua")
    records = [(s.id, s.text, f"EN {s.index}") for s in doc.sentences]
    provenance = {"model": "Helsinki-NLP/opus-mt-th-en", "revision": "abc123", "backend": "ct2"}
    save_document_translations(Path("corpus"), doc.id, "en", records, provenance)
    assert (
        main(
            ["export", "-f", "jsonl", "--out", "th.jsonl", "--lang", "th-en", "--corpus", "corpus"]
        )
        == 0
    )
    assert "mt:Helsinki-NLP/opus-mt-th-en@abc123" in capsys.readouterr().out
    rows = [json.loads(line) for line in Path("th.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["mt"] for r in rows] == ["EN 1", "EN 2"]
    assert {r["mt_model"] for r in rows} == {"Helsinki-NLP/opus-mt-th-en@abc123"}
