"""Import: export then import gives the same links; damaged files are refused cleanly."""

from __future__ import annotations

import json

import pytest

from workbench.errors import InputError, WorkbenchError
from workbench.export.importer import import_file, read_export
from workbench.export.stream import iter_links, read_header
from workbench.store import load_alignment

from .helpers import export

# What each format carries back (JSONL: every field of a link).
CARRIED = {
    "tsv": ("id", "src", "tgt", "status", "score", "reviewer"),
    "tmx": (
        "id",
        "src",
        "tgt",
        "status",
        "score",
        "reviewer",
        "note",
        "flags",
        "created",
        "modified",
    ),
    "jsonl": None,
}


def _view(link, fields):
    data = link.to_dict()
    return data if fields is None else {k: data[k] for k in fields}


@pytest.mark.parametrize("fmt", ["tsv", "tmx", "jsonl"])
def test_round_trip(fmt, alignment_files, text_source, tmp_path):
    result = export(alignment_files, fmt, tmp_path / f"all.{fmt}", text_source, "all")
    back = tmp_path / "back"
    back.mkdir()
    imported = import_file(result.paths[0], back)
    assert imported.format_name == fmt
    assert sorted(p.name for p in imported.written) == ["fr-en.align.jsonl", "th-en.align.jsonl"]
    for original_path in alignment_files:
        # the streaming reader: store.load_alignment splits lines at U+2028, which the
        # fixture's edits contain (reported to the integrator)
        original = read_header(original_path)
        restored = load_alignment(back / original_path.name)
        links = list(iter_links(original_path))
        if fmt == "tmx":  # TMX cannot hold 1-0 / 0-1 links
            links = [k for k in links if k.src and k.tgt]
        fields = CARRIED[fmt]
        assert [_view(k, fields) for k in restored.links] == [_view(k, fields) for k in links]
        assert (restored.src_lang, restored.tgt_lang) == (original.src_lang, original.tgt_lang)
        assert restored.src_docs == original.src_docs and restored.tgt_docs == original.tgt_docs
        # the aligner's provenance comes back, plus a note of the import
        imported_note = restored.provenance.pop("imported")
        assert restored.provenance == original.provenance
        assert imported_note["format"] == fmt and imported_note["export_signature"].startswith(
            "workbench:"
        )


def test_round_trip_without_sidecar(alignment_files, text_source, tmp_path):
    """A TSV without its manifest still imports: documents come from the sentence ids."""
    result = export(
        alignment_files, "tsv", tmp_path / "x.tsv", text_source, "approved", lang="th-en"
    )
    result.paths[1].unlink()
    out = tmp_path / "th.align.jsonl"
    import_file(result.paths[0], out)
    restored = load_alignment(out)
    assert [k.id for k in restored.links] == ["L00001", "L00002"]
    assert restored.src_docs == ["th-2021-xinhua"] and restored.tgt_docs == ["en-2021-globaltimes"]


def test_one_alignment_to_a_file_several_need_a_folder(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "jsonl", tmp_path / "x.jsonl", text_source)
    with pytest.raises(WorkbenchError, match="holds 2 alignments.*give --out a folder"):
        import_file(result.paths[0], tmp_path / "one.align.jsonl")
    assert not (tmp_path / "one.align.jsonl").exists()


def test_existing_files_need_force(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "jsonl", tmp_path / "x.jsonl", text_source, "all")
    folder = alignment_files[0].parent
    before = alignment_files[0].read_bytes()
    with pytest.raises(WorkbenchError, match="already exists"):
        import_file(result.paths[0], folder)
    assert alignment_files[0].read_bytes() == before
    import_file(result.paths[0], folder, force=True)
    assert [k.id for k in load_alignment(alignment_files[0]).links][:2] == ["L00001", "L00002"]


def _damage(path, how):
    text = path.read_text(encoding="utf-8")
    if how == "truncate":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    elif how == "garbage":
        path.write_bytes(text.encode()[:200] + b"\xff\xfe\x00garbage")
    return path


@pytest.mark.parametrize("fmt", ["tsv", "tmx", "jsonl"])
@pytest.mark.parametrize("how", ["truncate", "garbage"])
def test_damaged_file_is_refused(fmt, how, alignment_files, text_source, tmp_path):
    result = export(alignment_files, fmt, tmp_path / f"x.{fmt}", text_source, "all")
    damaged = _damage(result.paths[0], how)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError) as info:
        import_file(damaged, out)
    assert info.value.path == damaged
    assert list(out.iterdir()) == []  # nothing half-written


def test_bad_values_name_the_line(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "tsv", tmp_path / "x.tsv", text_source, "all")
    lines = result.paths[0].read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace("\tapproved\t", "\tdone\t")
    result.paths[0].write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="'done' is not a valid Status") as info:
        read_export(result.paths[0])
    assert info.value.line == 4

    rows = tmp_path / "y.jsonl"
    rows.write_text(
        json.dumps({"src_lang": "fr", "tgt_lang": "en", "src_ids": "fr:1", "tgt_ids": []}) + "\n"
    )
    with pytest.raises(InputError, match="list of strings") as info:
        read_export(rows)
    assert info.value.line == 1


def test_foreign_tmx_without_ids(tmp_path):
    path = tmp_path / "other.tmx"
    path.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header creationtool="x" creationtoolversion="1" '
        'segtype="sentence" o-tmf="x" adminlang="en" srclang="fr" datatype="plaintext"/><body>'
        '<tu><tuv xml:lang="fr"><seg>a</seg></tuv><tuv xml:lang="en"><seg>b</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="lacks the x-src-ids prop"):
        read_export(path)


def test_unknown_file_kind_and_missing_file(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\nworld\n")
    with pytest.raises(WorkbenchError, match="cannot tell the format"):
        read_export(odd)
    with pytest.raises(InputError, match="does not exist"):
        read_export(tmp_path / "missing.tmx")


def test_moses_cannot_be_imported(tmp_path):
    path = tmp_path / "train.fr-en.fr"
    path.write_text("une phrase\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="moses files cannot be imported"):
        read_export(path, "moses")


def test_missing_output_folder(alignment_files, text_source, tmp_path):
    result = export(alignment_files, "tmx", tmp_path / "x.tmx", text_source)
    with pytest.raises(WorkbenchError, match="output folder does not exist"):
        import_file(result.paths[0], str(tmp_path / "nope") + "/")
    with pytest.raises(WorkbenchError, match="output folder does not exist"):
        import_file(result.paths[0], alignments_dir=tmp_path / "nope")
