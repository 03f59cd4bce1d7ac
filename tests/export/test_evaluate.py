"""evaluate-mt: sacrebleu scores per pair and document, signatures, paired test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.corpus.translations import save_document_translations
from workbench.errors import WorkbenchError
from workbench.evaluate import evaluate_mt
from workbench.export.records import CorpusText
from workbench.export.stream import iter_links, read_header


def _system(root: Path, files, source: CorpusText, model: str, perfect: bool) -> Path:
    """A translations folder: 'perfect' MT copies the approved English side; else noise."""
    per_doc: dict[str, list[tuple[str, str, str]]] = {}
    for path in files:
        header = read_header(path)
        for link in iter_links(path):
            if not (link.src and link.tgt):
                continue
            ref = " ".join(header.edits.get(t) or source.text(t) for t in link.tgt)
            for sid in link.src:
                text = ref if perfect else "the expo opened in a city with many people"
                per_doc.setdefault(sid.rpartition(":")[0], []).append((sid, "", text))
    for doc_id, records in per_doc.items():
        provenance = {"model": model, "revision": "r1", "backend": "test"}
        save_document_translations(root, doc_id, "en", records, provenance)
    return root


@pytest.fixture
def systems(tmp_path, alignment_files, text_source):
    good = _system(tmp_path / "good", alignment_files, text_source, "tiny/good", True)
    bad = _system(tmp_path / "bad", alignment_files, text_source, "tiny/bad", False)
    return good, bad


def test_scores_per_pair_and_document(systems, alignment_files, text_source):
    good, bad = systems
    report = evaluate_mt(
        alignment_files, Path("unused"), [good, bad], source=text_source, samples=200
    )
    assert [s.name for s in report.systems] == ["tiny/good@r1", "tiny/bad@r1"]
    assert report.segments == {
        "fr-en": {"links": 3, "used": 3, "no_mt": 0},
        "th-en": {"links": 2, "used": 2, "no_mt": 0},
    }
    rows = {(r["pair"], r["doc"], r["system"]): r for r in report.scores}
    perfect = rows[("fr-en", "all", "tiny/good@r1")]
    assert (perfect["BLEU"], perfect["chrF"], perfect["TER"], perfect["n"]) == (
        100.0,
        100.0,
        0.0,
        3,
    )
    noisy = rows[("th-en", "th-2021-xinhua", "tiny/bad@r1")]
    assert noisy["BLEU"] < 20 and noisy["TER"] > 50
    assert set(report.signatures) == {"BLEU", "chrF", "TER"}
    assert report.signatures["BLEU"].startswith(
        "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"
    )
    # paired test: 3 metrics x 2 systems x 2 pairs
    assert len(report.paired) == 12
    challenger = [r for r in report.paired if not r["baseline"]]
    assert all(0 <= r["p_value"] <= 1 for r in challenger)
    assert "bs:200" in report.paired_signatures["BLEU"]


def test_links_without_mt_are_counted(systems, alignment_files, text_source, tmp_path):
    good, _ = systems
    (good / "translations" / "th-2021-xinhua.en.jsonl").unlink()
    report = evaluate_mt(alignment_files, Path("unused"), [good], source=text_source)
    assert report.segments["th-en"] == {"links": 2, "used": 0, "no_mt": 2}
    assert report.paired == []  # one system: no test
    assert {r["pair"] for r in report.scores} == {"fr-en"}


def test_missing_translations_folder(alignment_files, text_source, tmp_path):
    with pytest.raises(WorkbenchError, match="translations folder does not exist"):
        evaluate_mt(alignment_files, tmp_path, [tmp_path / "nope"], source=text_source)


def test_cli(systems, alignment_files, corpus_copy, tmp_path, monkeypatch, capsys):
    good, bad = systems
    monkeypatch.chdir(tmp_path)
    args = ["evaluate-mt", "--corpus", "corpus", "--mt", str(good), "--mt", str(bad)]
    args += ["--test", "ar", "--samples", "50", "--json", "scores.json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "BLEU: nrefs:1|case:mixed" in out
    assert "paired approximate randomization against tiny/good@r1" in out
    data = json.loads(Path("scores.json").read_text())
    assert {r["test"] for r in data["paired"]} == {"ar"}
