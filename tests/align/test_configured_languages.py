"""The aligner checks documents against the configured languages, not the defaults (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.align.corpus_align import check_documents
from workbench.corpus.model import Corpus, Document, Sentence
from workbench.errors import InputError
from workbench.settings import AlignSettings

GERMAN = (
    "Die Weltausstellung für das Internet der Dinge wurde am Samstag in Wuxi eröffnet. "
    "Mehr als dreitausend Unternehmen zeigen dort ihre neuesten Produkte und Dienstleistungen."
)


def _doc(text: str, language: str) -> Document:
    sentence = Sentence(f"{language}-x:0", f"{language}-x", 0, 0, 0, len(text), text)
    return Document(f"{language}-x", Path(f"{language}.txt"), language, text, sentences=[sentence])


def test_a_configured_language_is_known_to_the_language_check() -> None:
    doc = _doc(GERMAN, "en")  # German text declared English
    corpus = Corpus(Path("."), [doc])
    check_documents(corpus, [doc], AlignSettings(), ["en"])  # 'de' unknown here: a misdetection
    with pytest.raises(InputError, match="reads as 'de'"):
        check_documents(corpus, [doc], AlignSettings(), ["de", "en"])
