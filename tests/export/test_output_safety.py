"""Issue 11 items 1, 3, 5, 6: import names are data, writers honour the review lock, an output
path that is not a regular file is refused, a command's outputs are one unit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import InputError, WorkbenchError
from workbench.export.importer import import_file
from workbench.fileio import atomic_group
from workbench.store import load_alignment, save_alignment
from workbench.store.lock import LockedError
from workbench.store.session import ReviewSession

from .helpers import export


def _jsonl_with_names(tmp_path: Path, alignment_files, text_source, names: list[str]) -> Path:
    """An export whose records carry the given alignment names (one record each)."""
    result = export(alignment_files, "jsonl", tmp_path / "x.jsonl", text_source, "all")
    rows = [json.loads(line) for line in result.paths[0].read_text().split("\n") if line]
    out = tmp_path / "hostile.jsonl"
    lines = []
    for i, name in enumerate(names):
        row = dict(rows[i], alignment=name, link_id=f"L{i + 1:05d}")
        lines.append(json.dumps(row))
    out.write_text("\n".join(lines) + "\n")
    return out


@pytest.mark.parametrize("name", ["../alignments/fr-en", "/tmp/evil", "./fr-en", "a\nb", ".."])
def test_import_refuses_an_alignment_name_that_is_a_path(
    tmp_path, alignment_files, text_source, name
):
    src = _jsonl_with_names(tmp_path, alignment_files, text_source, ["fr-en", name])
    before = {p: p.read_bytes() for p in alignment_files}
    with pytest.raises(InputError, match="alignment name") as info:
        import_file(src, alignment_files[0].parent, force=True)
    assert info.value.line == 2
    assert {p: p.read_bytes() for p in alignment_files} == before
    assert not Path("/tmp/evil.align.jsonl").exists()


def test_two_names_for_one_file_are_refused(tmp_path, alignment_files, text_source):
    src = _jsonl_with_names(tmp_path, alignment_files, text_source, ["fr-en", "FR-EN"])
    back = tmp_path / "back"
    back.mkdir()
    with pytest.raises(WorkbenchError, match="one file"):
        import_file(src, back)
    assert list(back.iterdir()) == []


def test_import_force_honours_a_live_review(tmp_path, alignment_files, text_source):
    result = export(alignment_files, "jsonl", tmp_path / "all.jsonl", text_source, "all")
    target = alignment_files[0]
    session = ReviewSession.open(target, "ana")
    try:
        assert session.toggle_flag(0) is not None
        before = target.read_bytes()
        with pytest.raises(LockedError, match="review session"):
            import_file(result.paths[0], target.parent, force=True)
        assert target.read_bytes() == before
    finally:
        session.release()  # the decision stays in the journal, not yet in the file
    with pytest.raises(InputError, match="not yet saved"):
        import_file(result.paths[0], target.parent, force=True)
    assert target.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx", "moses"])
def test_export_never_replaces_what_is_not_a_regular_file(
    tmp_path, alignment_files, text_source, fmt
):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(WorkbenchError, match="not a regular file"):
        export(alignment_files, fmt, fifo, text_source, "all")
    assert fifo.is_fifo()
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(WorkbenchError, match="not a regular file"):
        export(alignment_files, fmt, link, text_source, "all")
    assert link.is_symlink() and not (tmp_path / "elsewhere.txt").exists()


def test_export_cli_refuses_a_device(tmp_path, monkeypatch, alignment_files, corpus_copy, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(
        ["export", "-f", "tsv", "--out", "/dev/null", "--corpus", "corpus", "--status", "all"]
    )
    assert code == 2
    assert "not a regular file" in capsys.readouterr().err
    assert Path("/dev/null").is_char_device()


def test_moses_export_with_one_blocked_target_leaves_nothing(
    tmp_path, alignment_files, text_source
):
    out = tmp_path / "corpus"
    (tmp_path / "corpus.th-en.en").mkdir()  # one of the four text files is a folder
    with pytest.raises(WorkbenchError):
        export(alignment_files, "moses", out, text_source, "all")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alignments", "corpus.th-en.en"]


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_failed_data_file_keeps_the_old_manifest(tmp_path, alignment_files, text_source, fmt):
    """Full disk on the last rename of a TSV/JSONL export: data and manifest stay as they were."""
    out = tmp_path / f"pairs.{fmt}"
    export(alignment_files, fmt, out, text_source, "approved")
    meta = out.with_name(out.name + ".meta.json")
    before = (out.read_bytes(), meta.read_bytes())
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".meta.json"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    import workbench.fileio as fileio

    fileio_os = fileio.os
    try:
        fileio_os.replace = failing_replace
        with pytest.raises(WorkbenchError, match="disk is full"):  # one line, not a traceback
            export(alignment_files, fmt, out, text_source, "all")
    finally:
        fileio_os.replace = real_replace
    assert (out.read_bytes(), meta.read_bytes()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".bak"))]


def test_atomic_group_is_all_or_nothing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old a")
    with pytest.raises(RuntimeError), atomic_group() as group:
        group.open(a).write("new a")
        group.open(b).write("new b")
        raise RuntimeError("boom")
    assert a.read_text() == "old a" and not b.exists()
    with atomic_group() as group:
        group.open(a).write("new a")
        group.open(b).write("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
    with pytest.raises(WorkbenchError, match="one file"), atomic_group() as group:
        group.open(a)
        group.open(a)


def test_align_writes_all_languages_or_none(tmp_path, corpus_copy, monkeypatch):
    """`align` on a full disk: fr-en new and th-en old must not happen."""
    import workbench.fileio as fileio

    monkeypatch.chdir(tmp_path)
    assert main(["align", "corpus"]) == 0
    files = sorted(Path("alignments").glob("*.align.jsonl"))
    assert len(files) >= 2
    for p in files:  # an older provenance: align rewrites every file
        alignment = load_alignment(p)
        alignment.provenance["workbench"] = "0.0.0-old"
        save_alignment(alignment, p)
    before = {p: p.read_bytes() for p in files}
    real_replace = fileio.os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    assert main(["align", "corpus"]) == 2  # one line (disk full), not a traceback
    monkeypatch.setattr(fileio.os, "replace", real_replace)
    assert {p: p.read_bytes() for p in files} == before
    for p in files:
        load_alignment(p)


@pytest.mark.parametrize("fmt", ["tmx", "tsv"])
def test_tmx_and_tsv_alignment_names_are_checked_too(tmp_path, alignment_files, text_source, fmt):
    result = export(alignment_files, fmt, tmp_path / f"all.{fmt}", text_source, "all")
    data = result.paths[0].read_text(encoding="utf-8")
    hostile = (
        data.replace(
            '<prop type="x-alignment">th-en</prop>', '<prop type="x-alignment">/tmp/evil</prop>'
        )
        if fmt == "tmx"
        else data.replace("\tth-en\t", "\t../evil\t")
    )
    assert hostile != data
    result.paths[0].write_text(hostile, encoding="utf-8")
    back = tmp_path / "back"
    back.mkdir()
    with pytest.raises(InputError, match="alignment name") as info:
        import_file(result.paths[0], back)
    assert info.value.line is not None
    assert list(back.iterdir()) == []
