"""`workbench align` never rewrites a file that a review session holds or has journaled.

The policy belongs to the caller (the CLI, the main job): the aligner takes it as ``guard``
and never imports the review-session mechanics itself."""

from __future__ import annotations

import pytest

from workbench.align.corpus_align import align_corpus
from workbench.errors import InputError
from workbench.settings import Settings
from workbench.store.guard import refuse_if_under_review
from workbench.store.lock import LockedError
from workbench.store.session import ReviewSession


@pytest.fixture
def aligned(tmp_path, seed_corpus):
    settings = Settings()
    out = tmp_path / "alignments"
    align_corpus(seed_corpus, {}, settings.align, out)
    return settings, out, out / "fr-en.align.jsonl"


def test_align_refuses_a_file_open_in_review(aligned, seed_corpus):
    settings, out, path = aligned
    before = path.read_bytes()
    session = ReviewSession.open(path, reviewer="ana")
    try:
        with pytest.raises(LockedError, match="review session"):
            align_corpus(seed_corpus, {}, settings.align, out, guard=refuse_if_under_review)
    finally:
        session.close()
    assert path.read_bytes() == before
    align_corpus(seed_corpus, {}, settings.align, out)  # after the session: fine


def test_align_refuses_a_file_with_unsaved_journaled_decisions(aligned, seed_corpus):
    settings, out, path = aligned
    session = ReviewSession.open(path, reviewer="ana")
    session.approve(0)
    session.lock.release()  # as if the process died: lock gone (or stale), journal left
    before = path.read_bytes()
    with pytest.raises(InputError, match="not yet saved"):
        align_corpus(seed_corpus, {}, settings.align, out, guard=refuse_if_under_review)
    assert path.read_bytes() == before


def test_the_cli_refuses_a_file_open_in_review(aligned, seed_corpus, capsys):
    from workbench.cli import main

    settings, out, path = aligned
    before = path.read_bytes()
    session = ReviewSession.open(path, reviewer="ana")
    try:
        assert main(["align", str(seed_corpus.root), "--out", str(out), "--encoder", "none"]) == 2
    finally:
        session.close()
    assert "review session" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_aligner_does_not_import_review_session_mechanics():
    import subprocess
    import sys

    code = (
        "import sys, workbench.align.corpus_align, workbench.align.comparable; "
        "print(sorted(m for m in sys.modules if m in "
        "('workbench.store.lock', 'workbench.store.journal', 'workbench.store.guard')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
