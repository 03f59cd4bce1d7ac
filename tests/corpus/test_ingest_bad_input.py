"""Bad input: a clear message naming the file, exit code 2, nothing written or changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.cli import main


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def run_ingest(corpus: Path, capsys) -> tuple[int, str]:
    before = snapshot(corpus)
    code = main(["ingest", str(corpus)])
    err = capsys.readouterr().err
    assert snapshot(corpus) == before, "ingest must not write or change anything"
    return code, err


def add_article(corpus: Path, name: str, data: bytes) -> Path:
    path = corpus / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("latin1.txt", "Le sommet s'ouvre à Wuxi.".encode("latin-1"), "not valid UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("empty.txt", b"", "empty article"),
        ("blank.txt", b"  \n\t\n \xc2\xa0\n", "only whitespace"),
        (
            "german.txt",
            "Die Messe in Wuxi wurde heute eröffnet. Viele Firmen kamen aus der ganzen Welt, um neue Produkte zu zeigen.".encode(),
            "unsupported language",
        ),
    ],
)
def test_bad_article_is_refused(corpus_copy, capsys, name, data, expected):
    add_article(corpus_copy, name, data)
    code, err = run_ingest(corpus_copy, capsys)
    assert code == 2
    assert name in err and expected in err
    assert "Traceback" not in err


def test_oversized_article_is_refused(corpus_copy, capsys):
    add_article(corpus_copy, "huge.txt", b"The expo opened in Wuxi today. " * (50_000_000 // 31))
    code, err = run_ingest(corpus_copy, capsys)
    assert code == 2 and "huge.txt" in err and "MB" in err


def test_two_files_with_the_same_id(corpus_copy, capsys):
    (corpus_copy / "manifest.toml").write_text(
        (corpus_copy / "manifest.toml").read_text()
        + '\n[[document]]\nfile = "extra.txt"\nid = "fr-2022-cnw"\n'
    )
    shutil.copy(corpus_copy / "002_e8d87a3e1875cf91.txt", corpus_copy / "extra.txt")
    code, err = run_ingest(corpus_copy, capsys)
    assert code == 2 and "fr-2022-cnw" in err and "already used" in err


def test_manifest_entry_for_a_missing_file(corpus_copy, capsys):
    (corpus_copy / "manifest.toml").write_text(
        (corpus_copy / "manifest.toml").read_text() + '\n[[document]]\nfile = "gone.txt"\n'
    )
    code, err = run_ingest(corpus_copy, capsys)
    assert code == 2 and "manifest.toml" in err and "gone.txt" in err


def test_manifest_with_unknown_key(corpus_copy, capsys):
    (corpus_copy / "manifest.toml").write_text(
        '[[document]]\nfile = "000_34c08f21bc854ebe.txt"\nlanguge = "th"\n'
    )
    code, err = run_ingest(corpus_copy, capsys)
    assert code == 2 and "languge" in err


def test_missing_corpus_folder(tmp_path, capsys):
    code = main(["ingest", str(tmp_path / "nowhere")])
    assert code == 2 and "does not exist" in capsys.readouterr().err


def test_language_is_detected_when_the_manifest_is_silent(tmp_path):
    from workbench.corpus.ingest import ingest

    (tmp_path / "a.txt").write_text(
        "Le sommet mondial de l'Internet des objets a été lancé à Wuxi, dans l'est de la Chine.\n"
    )
    (tmp_path / "b.txt").write_text(
        "The World Internet of Things Expo officially opened in Wuxi, China today.\n"
    )
    (tmp_path / "c.txt").write_text("มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี\n")
    corpus = ingest(tmp_path)
    assert {d.id: (d.language, d.language_source) for d in corpus.documents} == {
        "a": ("fr", "detected"),
        "b": ("en", "detected"),
        "c": ("th", "detected"),
    }
