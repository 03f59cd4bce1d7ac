"""make_app ingests with the user's [corpus] settings, not the defaults (issue 11)."""

from __future__ import annotations

import pytest

from workbench.errors import InputError
from workbench.review.app import make_app
from workbench.settings import CorpusSettings


def test_make_app_ingests_with_the_given_corpus_settings(seed_alignments, corpus_copy) -> None:
    tight = CorpusSettings(max_document_bytes=100)
    with pytest.raises(InputError, match="limit"):
        make_app(seed_alignments["fr"], corpus_copy, corpus_settings=tight, mt={})


def test_make_app_reads_the_project_settings_file(
    seed_alignments, corpus_copy, tmp_path, monkeypatch
) -> None:
    (tmp_path / "workbench.toml").write_text("[corpus]\nmax_document_bytes = 100\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="limit"):
        make_app(seed_alignments["fr"], corpus_copy, mt={})
