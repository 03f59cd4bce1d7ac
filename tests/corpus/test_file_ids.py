"""Issue 11 items 1-2: ids that become file names are data, never paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.cli import main
from workbench.corpus.translations import translations_path
from workbench.errors import InputError
from workbench.names import file_id_problem, validate_file_id

HOSTILE = [
    "/tmp/x",
    "../../x",
    "sub/dir/x",
    "..",
    ".",
    "",
    "a\nb",
    "a b",
    "a:b",
    "x\\y",
    "\u2028x",
    "-x",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_are_refused(value):
    with pytest.raises(InputError, match="becomes a file name"):
        validate_file_id("document id", value, Path("manifest.toml"), 3)


@pytest.mark.parametrize("value", ["fr-2022-cnw", "th-2021-xinhua", "ไทย-ข่าว", "a.b_c+d", "7"])
def test_ordinary_ids_pass(value):
    assert validate_file_id("document id", value) == value


@given(st.text(max_size=40))
def test_a_valid_id_is_always_one_plain_file_name(value):
    if file_id_problem(value) is None:
        assert Path(value).name == value and value not in (".", "..")
        assert not Path(value).is_absolute()
        assert "/" not in value and "\n" not in value and ":" not in value and " " not in value


def _manifest(corpus: Path, doc_id: str) -> None:
    text = (corpus / "manifest.toml").read_text(encoding="utf-8")
    text = text.replace('id = "th-2021-xinhua"', f"id = {doc_id!r}".replace("'", '"'), 1)
    (corpus / "manifest.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("doc_id", ["/tmp/x", "../../x", "sub/dir/x"])
def test_manifest_id_that_is_a_path_is_refused_at_ingestion(corpus_copy, capsys, doc_id):
    _manifest(corpus_copy, doc_id)
    assert main(["ingest", str(corpus_copy)]) == 2
    err = capsys.readouterr().err
    assert "manifest.toml" in err and "document id" in err
    assert "Traceback" not in err


def test_translate_refuses_before_writing_anything(corpus_copy, tmp_path, capsys):
    _manifest(corpus_copy, "../../escaped")
    code = main(
        ["translate", "--corpus", str(corpus_copy), "--backend", "command", "--model", "cat"]
    )
    assert code == 2
    assert not (corpus_copy / "translations").exists()
    assert not (tmp_path / "escaped.en.jsonl").exists()


def test_file_name_stem_is_checked_too(corpus_copy, capsys):
    (corpus_copy / "bad name.txt").write_text("The expo opened in Wuxi today. " * 3)
    assert main(["ingest", str(corpus_copy)]) == 2
    assert "rename the file" in capsys.readouterr().err


def test_manifest_file_must_not_be_a_path(corpus_copy, capsys):
    text = (corpus_copy / "manifest.toml").read_text(encoding="utf-8")
    (corpus_copy / "manifest.toml").write_text(
        text.replace(
            'file = "000_34c08f21bc854ebe.txt"', 'file = "../corpus/000_34c08f21bc854ebe.txt"'
        )
    )
    assert main(["ingest", str(corpus_copy)]) == 2
    assert "not a path" in capsys.readouterr().err


def test_translations_path_refuses_a_path_id(tmp_path):
    with pytest.raises(InputError):
        translations_path(tmp_path, "../x", "en")


# --- item 7: symbolic links that leave the corpus folder -------------------------------------


def test_symlink_leaving_the_corpus_is_refused(corpus_copy, tmp_path, capsys):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\nThe expo opened today in Wuxi.\n")
    (corpus_copy / "zz.txt").symlink_to(outside)
    assert main(["ingest", str(corpus_copy)]) == 2
    err = capsys.readouterr().err
    assert "zz.txt" in err and "outside the corpus folder" in err and "Traceback" not in err


def test_symlink_inside_the_corpus_is_read(corpus_copy, tmp_path):
    from workbench.corpus.ingest import ingest

    sub = corpus_copy / "store"
    sub.mkdir()
    (corpus_copy / "001_20bceecdab9505ef.txt").rename(sub / "a.txt")
    (corpus_copy / "001_20bceecdab9505ef.txt").symlink_to(Path("store") / "a.txt")
    corpus = ingest(corpus_copy)
    assert "en-2022-chinadaily" in {d.id for d in corpus.documents}


def test_dangling_symlink_is_refused(corpus_copy, capsys):
    (corpus_copy / "gone.txt").symlink_to(corpus_copy / "nothing.txt")
    assert main(["ingest", str(corpus_copy)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_manifest_symlink_leaving_the_corpus_is_refused(corpus_copy, tmp_path, capsys):
    real = tmp_path / "manifest.toml"
    (corpus_copy / "manifest.toml").rename(real)
    (corpus_copy / "manifest.toml").symlink_to(real)
    assert main(["ingest", str(corpus_copy)]) == 2
    assert "leaves the corpus folder" in capsys.readouterr().err


def test_translations_file_naming_a_path_document_is_refused_with_its_line(tmp_path):
    from workbench.corpus.translations import load_translations

    folder = tmp_path / "translations"
    folder.mkdir()
    header = '{"format": "workbench-translations", "doc_id": "../../evil", "tgt_lang": "en"}\n'
    (folder / "x.en.jsonl").write_text(header)
    with pytest.raises(InputError, match="document id") as info:
        load_translations(tmp_path, "en")
    assert info.value.path == folder / "x.en.jsonl" and info.value.line == 1
