"""Command objects and the undo stack of a review session.

Every change to an alignment is a :class:`Transaction`: a list of primitive :class:`Step`s
applied in order and reverted in reverse order. One reviewer keystroke is one transaction,
so one undo reverts a compound action (a re-link that also takes a sentence from another
link) as a whole. Steps hold their own copies of the links they put in and take out, so
undo restores the exact links (ids, scores, flags, timestamps), not look-alikes.

Two primitive steps are enough for every operation:

* :class:`ReplaceLinks` replaces a contiguous run of links by another (approve = 1 by 1,
  merge = 2 by 1, split = 1 by n, delete = n by 0);
* :class:`SetText` changes a reviewer's correction of a sentence's text
  (``Alignment.edits``; the corpus files never change).

:class:`SetProvenance` and :class:`ChangeRejections` (the standing rejections,
``Alignment.rejected``) ride along in the transactions that change them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.store.model import Alignment, Link, Rejection, sorted_rejections


class HistoryError(Exception):
    """A step does not fit the alignment it is applied to (a bug or a foreign journal)."""


def copy_link(link: Link) -> Link:
    """A deep, independent copy of ``link``."""
    return Link.from_dict(link.to_dict())


class Step(Protocol):
    def apply(self, alignment: Alignment) -> None: ...
    def inverse(self) -> Step: ...
    def to_dict(self) -> dict[str, Any]: ...


@dataclass
class ReplaceLinks:
    """Replace ``old`` (found at position ``at``) by ``new``."""

    at: int
    old: list[Link]
    new: list[Link]

    def __post_init__(self) -> None:
        self.old = [copy_link(link) for link in self.old]
        self.new = [copy_link(link) for link in self.new]

    def apply(self, alignment: Alignment) -> None:
        links = alignment.links
        end = self.at + len(self.old)
        current = [link.id for link in links[self.at : end]]
        if self.at < 0 or end > len(links) or current != [link.id for link in self.old]:
            raise HistoryError(
                f"links {[link.id for link in self.old]} are not at position {self.at + 1}"
            )
        links[self.at : end] = [copy_link(link) for link in self.new]

    def inverse(self) -> ReplaceLinks:
        return ReplaceLinks(self.at, self.new, self.old)

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": "links",
            "at": self.at,
            "old": [link.to_dict() for link in self.old],
            "new": [link.to_dict() for link in self.new],
        }


@dataclass
class SetText:
    """Set (or, with ``None``, remove) the corrected text of sentence ``sid``."""

    sid: str
    old: str | None
    new: str | None

    def apply(self, alignment: Alignment) -> None:
        if alignment.edits.get(self.sid) != self.old:
            raise HistoryError(f"the text of {self.sid} is not the expected one")
        if self.new is None:
            alignment.edits.pop(self.sid, None)
        else:
            alignment.edits[self.sid] = self.new

    def inverse(self) -> SetText:
        return SetText(self.sid, self.new, self.old)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "text", "sid": self.sid, "old": self.old, "new": self.new}


@dataclass
class SetProvenance:
    """Replace the alignment's provenance (a re-alignment records its aligner run)."""

    old: dict[str, Any]
    new: dict[str, Any]

    def apply(self, alignment: Alignment) -> None:
        alignment.provenance = json.loads(json.dumps(self.new))

    def inverse(self) -> SetProvenance:
        return SetProvenance(self.new, self.old)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "provenance", "old": self.old, "new": self.new}


@dataclass
class ChangeRejections:
    """Add standing rejections (``add``, absent before) and lift others (``remove``)."""

    add: list[Rejection]
    remove: list[Rejection]

    def apply(self, alignment: Alignment) -> None:
        have = {r.pair for r in alignment.rejected}
        gone = {r.pair for r in self.remove}
        if not gone <= have or any(r.pair in have - gone for r in self.add):
            raise HistoryError("the rejected pairs are not the expected ones")
        kept = [r for r in alignment.rejected if r.pair not in gone]
        alignment.rejected = sorted_rejections([*kept, *self.add])

    def inverse(self) -> ChangeRejections:
        return ChangeRejections(self.remove, self.add)

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": "rejected",
            "add": [r.to_dict() for r in self.add],
            "remove": [r.to_dict() for r in self.remove],
        }


def _replace_from_dict(data: dict[str, Any]) -> ReplaceLinks:
    return ReplaceLinks(
        int(data["at"]),
        [Link.from_dict(d) for d in data["old"]],
        [Link.from_dict(d) for d in data["new"]],
    )


def _text_from_dict(data: dict[str, Any]) -> SetText:
    return SetText(str(data["sid"]), data["old"], data["new"])


STEP_TYPES = {
    "links": _replace_from_dict,
    "text": _text_from_dict,
    "provenance": lambda data: SetProvenance(data["old"], data["new"]),
    "rejected": lambda data: ChangeRejections(
        [Rejection.from_dict(r) for r in data["add"]],
        [Rejection.from_dict(r) for r in data["remove"]],
    ),
}


def step_from_dict(data: dict[str, Any]) -> Step:
    try:
        return STEP_TYPES[data["op"]](data)
    except KeyError as exc:
        raise ValueError(f"unknown or incomplete step: {exc}") from None


@dataclass
class Transaction:
    """One undoable action: steps applied in order, reverted in reverse order.

    ``cursor`` is the link id the reviewer was on, so that undo and redo return there.
    ``notice``: what the reviewer should be told besides the label (not journaled).
    """

    label: str
    steps: list[Step]
    cursor: str | None = None
    number: int = 0
    notice: str = ""

    def apply(self, alignment: Alignment) -> None:
        done: list[Step] = []
        try:
            for step in self.steps:
                step.apply(alignment)
                done.append(step)
        except HistoryError:
            for step in reversed(done):  # leave the alignment as it was
                step.inverse().apply(alignment)
            raise

    def inverse_steps(self) -> list[Step]:
        return [step.inverse() for step in reversed(self.steps)]

    def revert(self, alignment: Alignment) -> None:
        Transaction(self.label, self.inverse_steps()).apply(alignment)


@dataclass
class History:
    """Unlimited undo/redo of transactions (a new action clears the redo list)."""

    done: list[Transaction] = field(default_factory=list)
    undone: list[Transaction] = field(default_factory=list)

    def record(self, transaction: Transaction) -> None:
        self.done.append(transaction)
        self.undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def pop_undo(self) -> Transaction:
        transaction = self.done.pop()
        self.undone.append(transaction)
        return transaction

    def pop_redo(self) -> Transaction:
        transaction = self.undone.pop()
        self.done.append(transaction)
        return transaction

    def clear(self) -> None:
        self.done.clear()
        self.undone.clear()
