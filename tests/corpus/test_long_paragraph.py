"""Ingestion is linear in paragraph length (issue 11, item 11): splitters run on windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.corpus import segment
from workbench.corpus.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]


def _one_line(path: str, size: int) -> str:
    text = " ".join((ROOT / "corpus" / path).read_text(encoding="utf-8").split())
    return ((text + " ") * (size // len(text) + 1))[:size].rsplit(" ", 1)[0]


@pytest.mark.parametrize(
    ("path", "language"),
    [("001_20bceecdab9505ef.txt", "en"), ("002_e8d87a3e1875cf91.txt", "fr")],
)
def test_windows_give_the_sentences_of_one_run(monkeypatch, path, language) -> None:
    text = _one_line(path, 6000)
    whole = segment.split_paragraph(text, language)
    monkeypatch.setattr(segment, "WINDOW_CHARS", 700)
    assert segment.split_paragraph(text, language) == whole


def test_thai_windows_give_the_statements_of_one_run(monkeypatch) -> None:
    text = _one_line("000_34c08f21bc854ebe.txt", 3000)
    whole = segment.split_paragraph(text, "th")
    monkeypatch.setattr(segment, "WINDOW_CHARS", 900)
    assert segment.split_paragraph(text, "th") == whole


@pytest.mark.parametrize("tail", ["end.", "End. Next one here.", "   "])
def test_a_sentence_longer_than_a_window_stays_one_sentence(monkeypatch, tail) -> None:
    text = ("Word " * 100 + tail).strip()
    whole = segment.split_paragraph(text, "en")
    monkeypatch.setattr(segment, "WINDOW_CHARS", 100)
    assert segment.split_paragraph(text, "en") == whole


def test_the_splitter_never_sees_more_than_a_window(tmp_path, monkeypatch) -> None:
    seen: list[int] = []
    real = segment._pysbd_segmenter("en")

    class Recording:
        def segment(self, text: str) -> list[str]:
            seen.append(len(text))
            return real.segment(text)

    monkeypatch.setattr(segment, "_pysbd_segmenter", lambda language: Recording())
    text = _one_line("001_20bceecdab9505ef.txt", 30_000)
    (tmp_path / "long.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(
        '[[document]]\nfile = "long.txt"\nid = "en-long"\nlanguage = "en"\n'
    )
    document = ingest(tmp_path).documents[0]
    assert max(seen) <= segment.WINDOW_CHARS
    assert sum(seen) < 2 * len(text)  # windows overlap by one sentence, not more
    assert document.rebuild() == document.raw
