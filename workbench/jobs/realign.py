"""Re-align the rest: re-run the aligner on links not yet decided, as one undoable step.

Approved and flagged links are anchors: the aligner keeps them as they are and only re-mines
the sentences they do not use; rejected pairs are never proposed again, and a rejected row
gives way to a fresh proposal for its source (``workbench.align.corpus_align.realign``).
The result replaces the link list (and the list of rejected pairs) in one transaction, so
one undo brings the old ones back.
The aligner (numpy, scipy) is imported only when this runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.store.history import (
    ChangeRejections,
    ReplaceLinks,
    SetProvenance,
    Step,
    Transaction,
)
from workbench.store.session import ReviewSession


@dataclass
class RealignSummary:
    kept: int  # reviewer decisions kept as anchors
    replaced: int  # auto links before
    proposed: int  # auto links after
    rejected: int = 0  # rejected pairs, never proposed again

    def __str__(self) -> str:
        avoided = f"{self.rejected} rejected pair(s) not proposed again; " if self.rejected else ""
        return (
            f"kept {self.kept} reviewed link(s) as anchors; {avoided}"
            f"{self.replaced} auto link(s) replaced by {self.proposed}"
        )


def check_aligner():
    """The aligner's ``realign``; a :class:`WorkbenchError` naming what is missing if it
    cannot be imported (call it before opening anything, for a clear message)."""
    try:
        from workbench.align.corpus_align import realign
    except ImportError as exc:
        raise WorkbenchError(
            f"re-aligning needs the aligner (workbench.align.corpus_align.realign): {exc}"
        ) from None
    return realign


def realign_session(
    session: ReviewSession,
    corpus: Any,
    corpus_dir: Path | None,
    align_settings: Any,
) -> tuple[Transaction | None, RealignSummary]:
    """Re-align ``session``'s pending links; apply and journal the result as one step."""
    realign = check_aligner()
    from workbench.corpus.translations import load_translations

    alignment = session.alignment
    translations = load_translations(corpus_dir, alignment.tgt_lang) if corpus_dir else {}
    result = realign(alignment, corpus, translations, align_settings)
    summary = _summary(alignment, result)
    old_ids = [(link.id, link.to_dict()) for link in alignment.links]
    new_ids = [(link.id, link.to_dict()) for link in result.links]
    if old_ids == new_ids and alignment.rejected == result.rejected:
        return None, summary
    cursor = follow_cursor(alignment.links, result.links, session.cursor)
    steps: list[Step] = [
        ReplaceLinks(0, list(alignment.links), list(result.links)),
        SetProvenance(dict(alignment.provenance), dict(result.provenance)),
    ]
    if alignment.rejected != result.rejected:
        new = {r.pair for r in result.rejected}
        remove = [r for r in alignment.rejected if r.pair not in new]
        old = {r.pair for r in alignment.rejected}
        add = [r for r in result.rejected if r.pair not in old]
        steps.append(ChangeRejections(add, remove))
    transaction = session.execute(Transaction("re-align", steps, cursor=cursor))
    return transaction, summary


def _summary(alignment: Any, result: Any) -> RealignSummary:
    """What a re-alignment kept, avoided and replaced (rejected rows count as pairs avoided)."""
    before_auto = sum(1 for link in alignment.links if str(link.status) == "auto")
    after_auto = sum(1 for link in result.links if str(link.status) == "auto")
    from workbench.align.corpus_align import decided_rows

    kept = sum(1 for link in decided_rows(alignment) if str(link.status) in ("approved", "flagged"))
    return RealignSummary(kept, before_auto, after_auto, len(result.rejected))


def follow_cursor(old: list[Any], new: list[Any], cursor: str | None) -> str | None:
    """The link of ``new`` the reviewer should be on: the same link if it survived, else the
    one that now holds the first sentence of the link they were on."""
    if cursor is None or any(link.id == cursor for link in new):
        return cursor
    was = next((link for link in old if link.id == cursor), None)
    if was is None:
        return None
    for sid in (*was.src, *was.tgt):
        for link in new:
            if sid in link.src or sid in link.tgt:
                return link.id
    return None
