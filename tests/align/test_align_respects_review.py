"""`workbench align` never rewrites a file that a review session holds or has journaled."""

from __future__ import annotations

import pytest

from workbench.align.corpus_align import align_corpus
from workbench.errors import InputError
from workbench.settings import Settings
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
            align_corpus(seed_corpus, {}, settings.align, out)
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
        align_corpus(seed_corpus, {}, settings.align, out)
    assert path.read_bytes() == before
