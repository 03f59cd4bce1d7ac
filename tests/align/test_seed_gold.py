"""The seed gold: ids still point at their text; precision/recall floors with and without MT.

The with-MT case uses human reference English (tests/data/seed_reference_en.tsv) standing in
for MT, fed through the translation engine's ``command`` backend. Floors sit a little under
the measured figures (docs/benchmarks.md, with the default sentence encoder): with MT P 1.000
R 0.941, without P 0.882 R 0.882 (anchors alone: with MT P 0.933 R 0.765, without P 1.000 R 0.471).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.align.anchors import sentence_anchors
from workbench.align.corpus_align import align_corpus
from workbench.align.discrepancy import find_discrepancies
from workbench.align.pair_gold import load_pair_gold, score_pairs
from workbench.cli import main
from workbench.corpus.ingest import ingest
from workbench.corpus.translations import load_translations
from workbench.errors import InputError
from workbench.settings import AlignSettings

DATA = Path(__file__).resolve().parent.parent / "data"
GOLD = DATA / "seed_gold.tsv"
REFERENCES = DATA / "seed_reference_en.tsv"


def test_gold_ids_point_at_their_text(seed_corpus):
    gold = load_pair_gold(GOLD)
    for row in gold.rows:
        assert seed_corpus.sentence(row.src).text == row.src_text, f"line {row.line}"
        if row.tgt:
            assert seed_corpus.sentence(row.tgt).text == row.tgt_text, f"line {row.line}"
    sources = {s.id for d in seed_corpus.documents if d.language != "en" for s in d.sentences}
    assert gold.sources == sources  # every Thai and French statement is judged


def test_references_cover_every_source_sentence(seed_corpus):
    rows = [
        line.split("\t")
        for line in REFERENCES.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert all(len(r) == 3 for r in rows)
    for sid, source, english in rows:
        assert seed_corpus.sentence(sid).text == source
        assert english.strip()
    sources = {s.id for d in seed_corpus.documents if d.language != "en" for s in d.sentences}
    assert {r[0] for r in rows} == sources


def test_gold_file_that_does_not_parse(tmp_path):
    bad = tmp_path / "gold.tsv"
    bad.write_text("th:0\ten:0\tmaybe\ta\tb\n", encoding="utf-8")
    with pytest.raises(InputError, match="maybe") as info:
        load_pair_gold(bad)
    assert info.value.line == 1
    bad.write_text("th:0\ten:0\n", encoding="utf-8")
    with pytest.raises(InputError, match="5 tab-separated"):
        load_pair_gold(bad)


@pytest.fixture(scope="module")
def translated_corpus(tmp_path_factory):
    """A copy of the seeds translated by the command backend with the reference English."""
    import shutil

    root = Path(__file__).resolve().parent.parent.parent
    target = tmp_path_factory.mktemp("seeds") / "corpus"
    target.mkdir()
    for path in (root / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    command = f"{sys.executable} {DATA / 'lookup_mt.py'} {REFERENCES}"
    code = main(
        [
            "translate",
            "--corpus",
            str(target),
            "--backend",
            "command",
            "--model",
            command,
            "--no-cache",
            "--no-progress",
        ]
    )
    assert code == 0
    return target


def _scores(corpus_dir: Path, use_mt: bool):
    corpus = ingest(corpus_dir)
    translations = load_translations(corpus_dir, "en")
    runs = align_corpus(corpus, translations, AlignSettings(use_mt=use_mt), corpus_dir, write=False)
    return runs, score_pairs([r.alignment for r in runs], load_pair_gold(GOLD))


def test_with_reference_mt_precision_recall_floor(translated_corpus):
    runs, scores = _scores(translated_corpus, use_mt=True)
    assert all(r.with_mt for r in runs)
    assert scores.precision >= 0.95, scores.line()  # measured 1.00 / 0.94 (issue 10 target met)
    assert scores.recall >= 0.9, scores.line()
    assert scores.none_accuracy >= 0.8, scores.line()
    # the cross-edition statement: French 2022 "seule zone nationale" = English 2021
    pairs = {(s, t) for r in runs for link in r.alignment.links for s in link.src for t in link.tgt}
    assert ("fr-2022-cnw:3", "en-2021-globaltimes:8") in pairs


def test_without_mt_precision_recall_floor(translated_corpus):
    # with the sentence encoder (default): P 0.88 R 0.88 (anchors alone: P 1.00 R 0.47);
    # issue-10 target P 0.90 R 0.85, see docs/benchmarks.md
    runs, scores = _scores(translated_corpus, use_mt=False)
    assert not any(r.with_mt for r in runs)
    assert scores.precision >= 0.85, scores.line()
    assert scores.recall >= 0.8, scores.line()


def test_mt_helps(translated_corpus):
    _, with_mt = _scores(translated_corpus, use_mt=True)
    _, without = _scores(translated_corpus, use_mt=False)
    assert with_mt.f1 > without.f1 and with_mt.precision > without.precision


def test_discrepancy_flags_on_known_seed_pairs(seed_corpus, translated_corpus):
    def flags(src_id, tgt_id):
        s, t = seed_corpus.sentence(src_id), seed_corpus.sentence(tgt_id)
        lang = src_id.split("-")[0]
        return [
            (f.kind, f.src, f.tgt)
            for f in find_discrepancies(
                sentence_anchors(s.text, lang), sentence_anchors(t.text, "en")
            )
        ]

    assert flags("fr-2022-cnw:5", "en-2022-chinadaily:24") == [
        ("number", "350 milliards", "356.3 billion")
    ]
    assert flags("fr-2022-cnw:0", "en-2022-chinadaily:0") == [("date", "26 novembre", "October 26")]
    assert flags("th-2021-xinhua:6", "en-2021-globaltimes:9") == []  # 3 แสนล้าน = 300 billion
    assert flags("fr-2022-cnw:12", "en-2022-chinadaily:49") == []  # 1,1 million = 1.1 million
    # and the aligner puts the flag on the link it writes
    runs, _ = _scores(translated_corpus, use_mt=True)
    link = next(link for r in runs for link in r.alignment.links if link.src == ["fr-2022-cnw:5"])
    assert link.tgt == ["en-2022-chinadaily:24"]
    assert [(f.kind, f.src, f.tgt) for f in link.flags] == [
        ("number", "350 milliards", "356.3 billion")
    ]
