"""The ingestion summary table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from workbench.corpus.model import Corpus


def corpus_table(corpus: Corpus) -> Table:
    table = Table(title=f"Corpus in {corpus.root}/", title_justify="left")
    for column in ("document", "language", "date", "edition", "outlet", "paragraphs", "sentences"):
        justify = "right" if column in ("paragraphs", "sentences", "edition") else "left"
        table.add_column(column, justify=justify, no_wrap=column != "outlet")
    for doc in corpus.documents:
        language = doc.language + (" (detected)" if doc.language_source == "detected" else "")
        table.add_row(
            doc.id,
            language,
            doc.date or "-",
            str(doc.edition) if doc.edition else "-",
            doc.outlet or "-",
            str(doc.paragraph_count),
            str(len(doc.sentences)),
        )
    total = sum(len(d.sentences) for d in corpus.documents)
    table.add_section()
    table.add_row(f"{len(corpus.documents)} documents", "", "", "", "", "", str(total))
    return table


def print_corpus_table(corpus: Corpus, console: Console | None = None) -> None:
    console = console or Console()
    if not console.is_terminal:
        console.width = max(console.width, 110)
    console.print(corpus_table(corpus))
