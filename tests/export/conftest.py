"""Fixtures: small alignments built by hand on the ingested seed corpus.

They do not depend on the aligner: links, statuses and scores are written here, and
reviewer edits put nasty text (markup characters, quotes, tabs, newlines, control
characters, emoji, Thai combining marks) into the exported sentences.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.corpus.translations import DocumentTranslations
from workbench.export.records import CorpusText
from workbench.provenance import AlignerInfo, AlignmentProvenance
from workbench.store import Alignment, Flag, Link, Status, save_alignment

CREATED = "2026-01-02T03:04:05+00:00"
MODIFIED = "2026-01-03T10:00:00+00:00"
FIXED_TIME = "2026-01-05T12:00:00+00:00"
FIXED_VERSION = "0.0.0-test"

NASTY_FR = (
    'Prix <b>&amp; "citations" l\'été\tonglet\nligne\r\nfin \x00\x01\x0b\x1b\x7f\u2028 😀🇫🇷 ok'
)
NASTY_EN = 'Price <b>& "quotes" it\'s\ttab\nnew line \x0c\x1c end ]]> 👍🏽'
NASTY_TH = "ผู้ใหญ่ ก้ำกึ่ง น้ำ ปั๊ม\tเว้น\n<&> \U0001f600"


def aligner_provenance(threshold: float) -> dict:
    """An alignment header's provenance in the shape the comparable aligner writes it
    (``align/corpus_align.py``; checked against a real aligner file by
    ``test_provenance.py``), through the one schema (``workbench/provenance.py``)."""
    return AlignmentProvenance(
        workbench="0.1.0",
        created=CREATED,
        aligner=AlignerInfo(mode="comparable", settings={"comparable_threshold": threshold}),
        mt=None,
        similarity="anchors only (no MT)",
        segmenter={
            "latin": "pysbd",
            "pysbd": "0.3.4",
            "pythainlp": "5.4.0",
            "th": "pythainlp crfcut + statement merge",
        },
        kept_reviewer_links=0,
    ).to_dict()


def _link(
    lid: str, src: list[str], tgt: list[str], status: Status, score: float | None, **kw
) -> Link:
    return Link(lid, src, tgt, status=status, score=score, created=CREATED, **kw)


def build_alignments(folder: Path) -> list[Path]:
    """``fr-en`` and ``th-en`` alignment files on the seed corpus, every status and link kind."""
    fr = Alignment(
        "fr",
        "en",
        ["fr-2022-cnw"],
        ["en-2022-chinadaily"],
        provenance=aligner_provenance(0.5),
        edits={"fr-2022-cnw:2": NASTY_FR, "en-2022-chinadaily:3": NASTY_EN},
    )
    fr.links = [
        _link("L00001", ["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], Status.APPROVED, 0.91,
              reviewer="alice", modified=MODIFIED),
        _link("L00002", ["fr-2022-cnw:1"], ["en-2022-chinadaily:1", "en-2022-chinadaily:2"],
              Status.APPROVED, 0.625, reviewer="bob", modified=MODIFIED, note='2-1 <ok> & "fine"',
              flags=[Flag("number", "26", "25", "day differs")]),
        _link("L00003", ["fr-2022-cnw:2"], ["en-2022-chinadaily:3"], Status.APPROVED, 0.5,
              reviewer="alice", features={"chrf": 0.42, "len": 1.1}),
        _link("L00004", ["fr-2022-cnw:3"], ["en-2022-chinadaily:4"], Status.AUTO, 0.3),
        _link("L00005", ["fr-2022-cnw:4"], ["en-2022-chinadaily:5"], Status.REJECTED, 0.1,
              reviewer="bob"),
        _link("L00006", ["fr-2022-cnw:5"], [], Status.APPROVED, None, reviewer="alice"),
        _link("L00007", [], ["en-2022-chinadaily:6"], Status.APPROVED, None, reviewer="alice"),
        _link("L00008", ["fr-2022-cnw:6"], ["en-2022-chinadaily:7"], Status.FLAGGED, 0.7,
              flags=[Flag("date", "2022-11-26", "2022-10-26")]),
    ]  # fmt: skip
    th = Alignment(
        "th",
        "en",
        ["th-2021-xinhua"],
        ["en-2021-globaltimes"],
        provenance=aligner_provenance(0.4),
        edits={"th-2021-xinhua:2": NASTY_TH},
    )
    th.links = [
        _link("L00001", ["th-2021-xinhua:1"], ["en-2021-globaltimes:1"], Status.APPROVED, 0.8,
              reviewer="chai"),
        _link("L00002", ["th-2021-xinhua:2"], ["en-2021-globaltimes:2"], Status.APPROVED, 0.45,
              reviewer="chai"),
        _link("L00003", ["th-2021-xinhua:3"], ["en-2021-globaltimes:3"], Status.AUTO, 0.2),
    ]  # fmt: skip
    paths = [folder / "fr-en.align.jsonl", folder / "th-en.align.jsonl"]
    save_alignment(fr, paths[0])
    save_alignment(th, paths[1])
    return paths


def fake_translations(corpus) -> dict[str, DocumentTranslations]:
    """Stand-in MT: 'MT(' + source + ')' for the French and Thai documents."""
    result = {}
    for doc_id, model in (
        ("fr-2022-cnw", "tiny/opus-mt-fr-en"),
        ("th-2021-xinhua", "tiny/opus-mt-th-en"),
    ):
        doc = corpus.document(doc_id)
        result[doc_id] = DocumentTranslations(
            doc_id,
            "en",
            {"model_id": model, "revision": "r1", "backend": "transformers"},
            {s.id: f"MT({s.text[:20]})" for s in doc.sentences},
        )
    return result


@pytest.fixture
def alignment_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "alignments"
    folder.mkdir()
    return build_alignments(folder)


@pytest.fixture(scope="session")
def text_source(seed_corpus) -> CorpusText:
    return CorpusText(seed_corpus, fake_translations(seed_corpus))


@pytest.fixture
def fixed_segmenters(monkeypatch):
    """Pin the segmenter signature so golden files do not depend on installed versions."""
    import workbench.corpus.segment as segment

    monkeypatch.setattr(segment, "segmenter_signature", lambda lang: f"test-splitter:{lang}")
