"""``workbench align``: files, provenance, re-running keeps reviewer decisions, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.align.corpus_align import realign
from workbench.cli import main
from workbench.corpus.ingest import ingest
from workbench.settings import AlignSettings
from workbench.store.files import load_alignment, save_alignment
from workbench.store.model import Status


def run_align(corpus: Path, out: Path, *extra: str) -> int:
    return main(["align", str(corpus), "--out", str(out), *extra])


def test_align_writes_one_file_per_source_language(corpus_copy, tmp_path, capsys):
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["fr-en.align.jsonl", "th-en.align.jsonl"]
    # the summary names the signals: encoder, MT model or "no MT", anchors
    assert "(comparable; encoder use-multilingual-v3, no MT, anchors)" in printed
    assert "th-2021-xinhua: 11 statements" in printed and "fr-2022-cnw: 13 statements" in printed
    assert "without counterpart" in printed and "with discrepancies" in printed
    assert re.search(r"English: \d+ of 92 statements paired with fr", printed)
    th = load_alignment(out / "th-en.align.jsonl")
    assert th.src_docs == ["th-2021-xinhua"]
    assert set(th.tgt_docs) == {"en-2022-chinadaily", "en-2021-globaltimes", "en-2023"}
    assert {link.status for link in th.links} == {Status.AUTO}
    prov = th.provenance
    assert prov["aligner"]["mode"] == "comparable" and prov["workbench"]
    assert prov["mt"] is None and "no MT" in prov["similarity"]
    assert prov["encoder"]["id"] == "use-multilingual-v3"
    assert prov["encoder"]["weights_sha256"] and prov["encoder"]["package"]
    assert "pythainlp" in prov["segmenter"]
    # every Thai statement appears exactly once: linked or as a 1-0 link
    src_ids = [s for link in th.links for s in link.src]
    assert sorted(src_ids) == sorted(f"th-2021-xinhua:{n}" for n in range(11))
    for link in th.links:
        assert link.score is not None and 0.0 <= link.score <= 1.0


def test_dry_run_writes_nothing(corpus_copy, tmp_path):
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out, "--dry-run") == 0
    assert list(out.iterdir()) == []


def test_realign_keeps_reviewer_decisions(corpus_copy, tmp_path):
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    path = out / "fr-en.align.jsonl"
    alignment = load_alignment(path)
    pairs = [link for link in alignment.links if link.tgt]
    approved, rejected = pairs[0], pairs[1]
    approved.status, approved.reviewer = Status.APPROVED, "tester"
    rejected.status = Status.REJECTED
    # a reviewer's own link that the aligner would never propose
    manual = next(link for link in alignment.links if not link.tgt)
    manual.tgt, manual.status = ["en-2023:17"], Status.APPROVED
    alignment.edits["fr-2022-cnw:4"] = "corrected text"
    save_alignment(alignment, path)

    assert run_align(corpus_copy, out) == 0
    again = load_alignment(path)
    by_id = {link.id: link for link in again.links}
    for kept in (approved, manual):
        assert by_id[kept.id].to_dict() == kept.to_dict()
    assert again.edits == {"fr-2022-cnw:4": "corrected text"}
    assert again.provenance["kept_reviewer_links"] == 2
    # the rejected row became a standing rejection: never proposed again, while its source
    # sentence has one row, a fresh proposal; fixed sentences are not linked twice
    assert [r.pair for r in again.rejected] == [(tuple(rejected.src), tuple(rejected.tgt))]
    autos = [link for link in again.links if link.status == Status.AUTO]
    assert all((link.src, link.tgt) != (rejected.src, rejected.tgt) for link in autos)
    assert len([link for link in again.links if rejected.src[0] in link.src]) == 1
    fixed = {*approved.src, *approved.tgt, *manual.src, *manual.tgt}
    assert not fixed & {s for link in autos for s in (*link.src, *link.tgt)}
    assert len({link.id for link in again.links}) == len(again.links)


def test_realign_library_function_does_not_change_its_argument(corpus_copy, tmp_path):
    corpus = ingest(corpus_copy)
    out = tmp_path / "a"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    alignment = load_alignment(out / "th-en.align.jsonl")
    before = [link.to_dict() for link in alignment.links]
    result = realign(alignment, corpus, {}, AlignSettings())
    assert [link.to_dict() for link in alignment.links] == before
    assert {tuple(link.src) for link in result.links} == {
        tuple(link.src) for link in alignment.links
    }


def _existing(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture
def aligned(corpus_copy, tmp_path):
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    return corpus_copy, out, _existing(out)


def _write_translations(corpus: Path, doc_id: str, records: list[dict]) -> Path:
    folder = corpus / "translations"
    folder.mkdir(exist_ok=True)
    path = folder / f"{doc_id}.en.jsonl"
    header = {
        "format": "workbench-translations",
        "doc_id": doc_id,
        "tgt_lang": "en",
        "provenance": {"model": "t"},
    }
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in [header, *records]) + "\n",
        encoding="utf-8",
    )
    return path


def test_translations_with_wrong_content(aligned, capsys):
    corpus, out, before = aligned
    _write_translations(
        corpus,
        "fr-2022-cnw",
        [{"id": "fr-2022-cnw:0", "source": "not this sentence", "translation": "x"}],
    )
    assert run_align(corpus, out) == 2
    err = capsys.readouterr().err
    assert "fr-2022-cnw.en.jsonl:2" in err and "differs from the corpus" in err
    assert _existing(out) == before


def test_translations_for_an_unknown_document(aligned, capsys):
    corpus, out, before = aligned
    _write_translations(corpus, "xx-none", [{"id": "xx-none:0", "source": "a", "translation": "b"}])
    assert run_align(corpus, out) == 2
    assert "xx-none.en.jsonl" in capsys.readouterr().err
    assert _existing(out) == before


def test_document_in_an_unexpected_language(aligned, capsys):
    corpus, out, before = aligned
    manifest = corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace('id = "fr-2022-cnw"\nlanguage = "fr"', 'id = "fr-2022-cnw"\nlanguage = "en"'),
        encoding="utf-8",
    )
    assert run_align(corpus, out) == 2
    err = capsys.readouterr().err
    assert "002_e8d87a3e1875cf91.txt" in err and "reads as 'fr'" in err
    assert _existing(out) == before


def test_sentence_of_ten_thousand_characters(aligned, capsys):
    corpus, out, before = aligned
    (corpus / "005_long.txt").write_text("Le " + "mot " * 2500 + "fin.\n", encoding="utf-8")
    with (corpus / "manifest.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[document]]\nfile = "005_long.txt"\nid = "fr-long"\nlanguage = "fr"\n')
    assert run_align(corpus, out) == 2
    err = capsys.readouterr().err
    assert "005_long.txt:1" in err and "max_sentence_chars" in err
    assert _existing(out) == before


def test_empty_document(aligned, capsys):
    corpus, out, before = aligned
    (corpus / "006_empty.txt").write_text("", encoding="utf-8")
    assert run_align(corpus, out) == 2
    assert "006_empty.txt" in capsys.readouterr().err
    assert _existing(out) == before


def test_damaged_existing_alignment_is_not_overwritten(aligned, capsys):
    corpus, out, _ = aligned
    path = out / "th-en.align.jsonl"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    damaged = path.read_bytes()
    assert run_align(corpus, out) == 2
    assert "th-en.align.jsonl" in capsys.readouterr().err
    assert path.read_bytes() == damaged


def test_main_job_ends_with_the_coverage_summary(corpus_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "alignments").mkdir()
    assert main(["run", str(corpus_copy)]) == 0
    printed = capsys.readouterr().out
    assert "align th-en (comparable" in printed and "align fr-en (comparable" in printed
    # the align stage ends with its coverage summary (the cluster stage prints after it)
    lines = printed.rstrip().splitlines()
    last_align = max(n for n, line in enumerate(lines) if line.startswith("align "))
    stage = [line.strip() for line in lines[last_align:] if not line.startswith("  ")]
    after = lines[last_align + 1 :]
    end = next((n for n, line in enumerate(after) if not line.startswith("  ")), len(after))
    assert after[end - 1].strip().startswith("links:"), stage
    assert (tmp_path / "alignments" / "th-en.align.jsonl").exists()


def test_reviewed_link_whose_sentence_is_gone_is_kept_with_a_warning(corpus_copy, tmp_path, capsys):
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    path = out / "th-en.align.jsonl"
    alignment = load_alignment(path)
    gone = alignment.links[0]
    gone.src, gone.status = ["th-2021-xinhua:99"], Status.APPROVED
    save_alignment(alignment, path)
    capsys.readouterr()
    assert run_align(corpus_copy, out) == 0
    assert "no longer in the corpus (e.g. th-2021-xinhua:99)" in capsys.readouterr().err
    assert load_alignment(path).link(gone.id).src == ["th-2021-xinhua:99"]


def test_english_only_corpus_has_nothing_to_align(corpus_copy, tmp_path, capsys):
    for path in corpus_copy.iterdir():
        if path.name.startswith(("000_", "002_", "manifest")):  # languages are detected
            path.unlink()
    out = tmp_path / "alignments"
    out.mkdir()
    assert run_align(corpus_copy, out) == 0
    assert "nothing to align" in capsys.readouterr().out
    assert list(out.iterdir()) == []
