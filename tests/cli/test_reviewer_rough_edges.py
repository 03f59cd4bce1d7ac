"""Issue 12 (command-line rough edges): status, help texts, options that said one thing and did
another."""

from __future__ import annotations

import argparse
import socket
import subprocess
from pathlib import Path

import pytest

from workbench.cli import build_parser, main
from workbench.corpus.ingest import ingest
from workbench.corpus.report import corpus_table
from workbench.store import Status, load_alignment, save_alignment
from workbench.store.lock import LockInfo, _create, lock_path

from ..review.conftest import write_seed_alignments

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in subparsers(sub).items()})
    return found


@pytest.mark.parametrize(
    "command",
    ["run", "models list", "export", "import", "review", "realign", "translate-file", "status"],
)
def test_commands_describe_themselves_and_every_positional_argument(command: str) -> None:
    parser = subparsers(build_parser())[command]
    assert parser.description, f"{command} --help has no description"
    for action in parser._actions:
        if not action.option_strings and not isinstance(action, argparse._SubParsersAction):
            assert action.help, f"{command}: positional {action.dest} has no help"


def test_status_counts_an_existing_file_without_re_aligning(tmp_path: Path, capsys) -> None:
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    alignment = load_alignment(path)
    alignment.links[0].status = Status.APPROVED
    alignment.links[1].status = Status.FLAGGED
    save_alignment(alignment, path)
    before = path.read_bytes()
    assert main(["status", str(path), "--corpus", str(CORPUS), "--unlinked"]) == 0
    printed = capsys.readouterr().out
    # fixture: 9 links over 10 of 13 French sentences, one 1-0 (fr:6), one flag (fr:5)
    assert (
        "fr-2022-cnw: 13 statements, 9 paired, 4 no counterpart, 1 reviewed, 1 flagged, "
        "1 with discrepancies" in printed
    )
    assert "en-2022-chinadaily (en): 5 of 51 linked, 46 linked to nothing" in printed
    assert "en-2022-chinadaily:3 (4/51) " in printed  # an English sentence linked to nothing
    assert "en-2022-chinadaily:0 (1/51)" not in printed  # linked
    assert path.read_bytes() == before


def test_status_of_a_missing_file_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["status", str(tmp_path / "none.align.jsonl"), "--corpus", str(CORPUS)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_evaluate_mt_refuses_zero_samples(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate-mt", "--samples", "0"])
    assert exit_.value.code == 2 and "must be above 0" in capsys.readouterr().err


def test_eval_align_names_prediction_files_without_gold(tmp_path: Path, capsys) -> None:
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    for folder in (gold, pred):
        folder.mkdir()
        (folder / "a.txt").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    (pred / "b.txt").write_text("[0]:[0]\n", encoding="utf-8")
    assert main(["eval-align", str(gold), str(pred)]) == 0
    err = capsys.readouterr().err
    assert "1 prediction file(s) have no gold file and are not scored: b.txt" in err


def test_realign_has_the_take_over_its_lock_message_names(tmp_path: Path, capsys) -> None:
    path = write_seed_alignments(tmp_path / "alignments")["fr"]
    other = subprocess.Popen(["sleep", "60"])  # a live process on this host holds the lock
    try:
        info = LockInfo("someone-else", socket.gethostname(), other.pid, "2026-01-01T00:00:00")
        assert _create(lock_path(path), info)
        assert main(["realign", str(path), "--corpus", str(CORPUS)]) == 2
        assert "--take-over" in capsys.readouterr().err
        assert main(["realign", str(path), "--corpus", str(CORPUS), "--take-over"]) == 0
        assert "took over" in capsys.readouterr().err
    finally:
        other.kill()
        other.wait()


def test_ingest_table_names_the_corpus_folder() -> None:
    table = corpus_table(ingest(CORPUS))
    assert str(table.title).startswith("Corpus in ") and "corpus corpus" not in str(table.title)


def test_translate_file_ends_every_line_with_a_newline(tmp_path: Path) -> None:
    source, out = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text("Bonjour.\nMerci.\n", encoding="utf-8")
    args = ["--src-lang", "fr", "--backend", "command", "--model", "cat", "--no-cache"]
    assert main(["translate-file", str(source), str(out), *args]) == 0
    assert out.read_bytes() == b"Bonjour.\nMerci.\n"
