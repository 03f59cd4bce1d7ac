"""Issue 11 item 8: one line-splitting rule ("\\n" only) for every JSON Lines file the program
writes or reads; write -> read is identity for nasty text (U+2028, U+0085, CR, NUL, Thai
marks; lone surrogates, which UTF-8 cannot store, come back as U+FFFD)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.corpus.translations import (
    load_document_translations,
    load_translations,
    save_document_translations,
)
from workbench.export.jsonl import JsonlFormat
from workbench.export.records import ExportRecord
from workbench.export.stream import iter_links, read_header
from workbench.jsonlines import dumps_line, split_lines
from workbench.jsontext import fix_surrogates
from workbench.store import Alignment, Link, Status, load_alignment, save_alignment
from workbench.store.journal import Journal, read_journal

NASTY = [
    "\u2028", "\u2029", "\x85", "\r", "\r\n", "\n", "\x00", "\x0b", "\x0c", "\x1c", "\x1e",
    "\ud800", "\udfff", "\u0e31\u0e48", "\t", '"', "\\", "\ufeff", "é",
]  # fmt: skip
nasty_text = st.lists(st.one_of(st.text(max_size=4), st.sampled_from(NASTY)), max_size=8).map(
    "".join
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Module-scoped (hypothesis runs a test many times): one fresh folder per example below
    it, all under pytest's temporary folder (cleaned up by pytest)."""
    return tmp_path_factory.mktemp("jsonl")


def _folder(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


@SETTINGS
@given(nasty_text)
def test_dumps_line_is_one_line_for_every_splitter(text):
    line = dumps_line({"t": text})
    assert line.endswith("\n") and len(line.splitlines()) == 1
    assert split_lines(line) == [line[:-1]]
    assert json.loads(line)["t"] == fix_surrogates(text)


@SETTINGS
@given(nasty_text, nasty_text, nasty_text)
def test_alignment_file_round_trip_both_loaders(base, note, reviewer, edit):
    path = _folder(base) / "a.align.jsonl"
    links = [
        Link("L00001", ["fr:0"], ["en:0"], Status.APPROVED, 0.5, note=note, reviewer=reviewer),
        Link("L00002", ["fr:1"], [], Status.AUTO, None, note=edit),
    ]
    save_alignment(Alignment("fr", "en", ["fr"], ["en"], {}, {"fr:0": edit}, links), path)
    for fast in (True, False):
        back = load_alignment(path, fast=fast)
        assert [k.note for k in back.links] == [fix_surrogates(note), fix_surrogates(edit)]
        assert back.links[0].reviewer == fix_surrogates(reviewer)
        assert back.edits == {"fr:0": fix_surrogates(edit)}
    streamed = list(iter_links(path))
    assert [k.note for k in streamed] == [fix_surrogates(note), fix_surrogates(edit)]
    assert read_header(path).edits == {"fr:0": fix_surrogates(edit)}


@SETTINGS
@given(nasty_text, nasty_text)
def test_journal_round_trip(base, label, text):
    path = _folder(base) / "a.align.jsonl.journal"
    journal = Journal(path, "0" * 64)
    record = {"kind": "do", "n": 1, "label": label, "steps": [{"text": text}]}
    journal.append(record)
    journal.close()
    content = read_journal(path)
    assert content is not None and not content.torn_tail
    assert len(content.records) == 1
    got = content.records[0][1]
    assert (got["label"], got["steps"][0]["text"]) == (fix_surrogates(label), fix_surrogates(text))


@SETTINGS
@given(st.lists(st.tuples(nasty_text, nasty_text), min_size=1, max_size=4))
def test_translations_file_round_trip(base, pairs):
    corpus = _folder(base)
    records = [(f"doc:{i}", source, target) for i, (source, target) in enumerate(pairs)]
    path = save_document_translations(corpus, "doc", "en", records, {"model": "m\u2028x"})
    back = load_document_translations(path)
    assert back.by_sentence == {sid: fix_surrogates(t) for sid, _, t in records}
    assert back.provenance == {"model": "m\u2028x"}
    assert load_translations(corpus, "en")["doc"].by_sentence == back.by_sentence


@SETTINGS
@given(nasty_text, nasty_text, nasty_text)
def test_export_jsonl_round_trip(base, src, tgt, note):
    out = _folder(base) / "pairs.jsonl"
    link = Link("L00001", ["fr:0"], ["en:0"], Status.APPROVED, 0.5, note=fix_surrogates(note))
    record = ExportRecord(
        "fr-en", "fr", "en", link, fix_surrogates(src), fix_surrogates(tgt), None, ["fr"], ["en"]
    )
    JsonlFormat().write(iter([record]), out, lambda: {"signature": "s"})
    rows = [json.loads(line) for line in split_lines(out.read_text(encoding="utf-8"))]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # splitlines readers too
    assert [(r["src"], r["tgt"], r["note"]) for r in rows] == [
        (fix_surrogates(src), fix_surrogates(tgt), fix_surrogates(note))
    ]
    imported = list(JsonlFormat().read(out).links)
    assert [i.link.note for i in imported] == [fix_surrogates(note)]


def test_translate_output_with_line_separator_is_readable(corpus_copy, tmp_path, monkeypatch):
    """A command whose translations hold U+2028: the file it writes is read back, so align
    is not blocked (and a re-run served from the cache writes the same readable file)."""
    script = tmp_path / "mt.py"
    script.write_text(
        "import sys\n"
        "for line in sys.stdin.read().split('\\n')[:-1]:\n"
        "    sys.stdout.write('EN\\u2028' + line[:20] + '\\x85end\\n')\n",
        encoding="utf-8",
    )
    config = tmp_path / "workbench.toml"
    config.write_text(f"[translate]\ncache = {str(tmp_path / 'cache.sqlite')!r}\n")
    command = f"{sys.executable} {script}"
    argv = ["--config", str(config), "translate", "--corpus", str(corpus_copy)]
    argv += ["--backend", "command", "--model", command, "--no-progress"]
    for _ in range(2):  # the second run is served from the cache
        assert main(argv) == 0
        translations = load_translations(corpus_copy, "en")
        assert translations
        for doc in translations.values():
            assert all(
                t.startswith("EN\u2028") and t.endswith("\x85end") for t in doc.by_sentence.values()
            )


@SETTINGS
@given(st.lists(st.tuples(nasty_text, nasty_text), min_size=1, max_size=4))
def test_translate_records_and_shards_round_trip(base, pairs):
    from workbench.translate.distributed import read_shard, write_shard
    from workbench.translate.records import Records, write_records

    pairs = [(fix_surrogates(s), fix_surrogates(t)) for s, t in pairs]  # UTF-8 input has none
    folder = _folder(base)
    block, translations = [s for s, _ in pairs], [t for _, t in pairs]
    write_shard(folder / "shard.jsonl", block, translations)
    assert read_shard(folder / "shard.jsonl", block) == translations
    out = folder / "out.jsonl"
    ids = [f"r{i}" for i in range(len(pairs))]
    write_records(out, Records(ids, block, "records"), translations)
    rows = [json.loads(line) for line in split_lines(out.read_text(encoding="utf-8"))]
    assert [(r["id"], r["text"], r["translation"]) for r in rows] == list(
        zip(ids, block, translations, strict=True)
    )
