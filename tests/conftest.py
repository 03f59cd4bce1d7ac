"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def seed_corpus():
    """The five seed articles, ingested once per session (read-only)."""
    from workbench.corpus.ingest import ingest

    return ingest(CORPUS)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus folder (articles and manifest only)."""
    target = tmp_path / "corpus"
    target.mkdir()
    for path in CORPUS.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    return target
