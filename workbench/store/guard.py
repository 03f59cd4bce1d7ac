"""Every writer of an alignment file honours the review lock and the pending journal."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import InputError
from workbench.store.journal import journal_path, read_journal
from workbench.store.lock import LockedError, live_holder


def pending_decisions(path: Path) -> int:
    """Decisions in ``path``'s journal (0 when there is none or it holds only the cursor)."""
    journal = read_journal(journal_path(path))
    if journal is None:
        return 0
    return sum(1 for _, record in journal.records if record.get("kind") != "cursor")


def refuse_if_under_review(path: Path, what: str = "re-align from that session (key R)") -> None:
    """Never rewrite a file that a live review session holds or whose journal holds
    decisions not yet in the file. ``what`` says what to do instead while it is held."""
    holder = live_holder(path)
    if holder is not None:
        raise LockedError(
            f"open in a review session of {holder.describe()}; {what} or after it ends", path
        )
    refuse_if_journal_pending(path, "before replacing it")


def refuse_if_journal_pending(path: Path, before: str = "first") -> None:
    """Refuse to work from ``path`` alone while its journal holds decisions not in it."""
    if pending_decisions(path):
        raise InputError(
            f"{journal_path(path).name} holds review decisions not yet saved into this file; "
            f"open it with `workbench review` once (that replays them) {before}",
            path,
        )
