"""Corpus: documents, their metadata, and their sentences with offsets into the original file."""

from workbench.corpus.model import Corpus, Document, Sentence

__all__ = ["Corpus", "Document", "Sentence"]
