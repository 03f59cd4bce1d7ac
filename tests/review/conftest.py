"""Fixture alignments built from the ingested seed corpus (independent of the aligner's output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.store import Alignment, Flag, Link, Status, save_alignment

CREATED = "2026-01-01T00:00:00+00:00"
FIXED_TIME = "2026-01-02T03:04:05+00:00"

# plausible fr -> en links (comparable coverage: targets from two English articles)
FR_LINKS = [
    (["fr-2022-cnw:0"], ["en-2022-chinadaily:0"], 0.78, []),
    (["fr-2022-cnw:1"], ["en-2022-chinadaily:1"], 0.71, []),
    (["fr-2022-cnw:2"], ["en-2022-chinadaily:2"], 0.35, []),
    (["fr-2022-cnw:3"], ["en-2021-globaltimes:8"], 0.62, []),
    (["fr-2022-cnw:4"], ["en-2021-globaltimes:6"], 0.30, []),
    (
        ["fr-2022-cnw:5"],
        ["en-2021-globaltimes:9"],
        0.55,
        [Flag("number", "350000000000", "3000", "350 milliards vs 3,000 companies")],
    ),
    (["fr-2022-cnw:6"], [], None, []),
    (["fr-2022-cnw:8", "fr-2022-cnw:9"], ["en-2022-chinadaily:11"], 0.41, []),
    (["fr-2022-cnw:12"], ["en-2022-chinadaily:13"], 0.52, []),
]

TH_LINKS = [
    (["th-2021-xinhua:0"], ["en-2021-globaltimes:0"], 0.66, []),
    (["th-2021-xinhua:1"], ["en-2021-globaltimes:1"], 0.58, []),
    (["th-2021-xinhua:3"], ["en-2021-globaltimes:2"], 0.61, []),
    (["th-2021-xinhua:6"], ["en-2021-globaltimes:9"], 0.47, [Flag("number", "3000", "3000")]),
    (["th-2021-xinhua:8"], ["en-2021-globaltimes:11"], 0.69, []),
]


def build_alignment(src_lang: str, rows) -> Alignment:
    links = [
        Link(
            f"L{i:05d}",
            src,
            tgt,
            Status.AUTO,
            score,
            {"chrf": score or 0.0},
            flags,
            created=CREATED,
        )
        for i, (src, tgt, score, flags) in enumerate(rows, start=1)
    ]
    src_docs = sorted({sid.rpartition(":")[0] for link in links for sid in link.src})
    tgt_docs = sorted({sid.rpartition(":")[0] for link in links for sid in link.tgt})
    return Alignment(src_lang, "en", src_docs, tgt_docs, {"aligner": "test fixture"}, {}, links)


def write_seed_alignments(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"fr": folder / "fr-en.align.jsonl", "th": folder / "th-en.align.jsonl"}
    save_alignment(build_alignment("fr", FR_LINKS), paths["fr"])
    save_alignment(build_alignment("th", TH_LINKS), paths["th"])
    return paths


@pytest.fixture
def seed_alignments(tmp_path: Path) -> dict[str, Path]:
    return write_seed_alignments(tmp_path / "alignments")


@pytest.fixture
def fixed_clock():
    return lambda: FIXED_TIME
