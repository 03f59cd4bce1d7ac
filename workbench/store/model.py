"""The stand-off alignment model: links pair lists of sentence ids, never copies of text.

A :class:`Link` pairs source sentence ids (Thai, French, ...) with English sentence ids,
which may come from several English documents (comparable coverage is spread out). 1-0 and
0-1 links record statements with no counterpart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    AUTO = "auto"  # proposed by the aligner, not yet reviewed
    APPROVED = "approved"  # a reviewer accepted the link
    REJECTED = "rejected"  # a reviewer refused the link (kept as a negative decision)
    FLAGGED = "flagged"  # a reviewer wants a second opinion

    @property
    def pending(self) -> bool:
        return self in (Status.AUTO, Status.FLAGGED)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Flag:
    """A discrepancy between the two sides of a link, e.g. numbers that disagree."""

    kind: str  # "number", "date", ...
    src: str  # the value on the source side, as normalised
    tgt: str  # the value on the target side
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flag:
        return cls(**data)


@dataclass
class Link:
    id: str
    src: list[str]
    tgt: list[str]
    status: Status = Status.AUTO
    score: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    reviewer: str | None = None
    note: str = ""
    created: str = field(default_factory=now_iso)
    modified: str | None = None

    @property
    def kind(self) -> str:
        """Link type as reviewers say it: ``1-1``, ``2-1``, ``1-0``..."""
        return f"{len(self.src)}-{len(self.tgt)}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        data["flags"] = [f.to_dict() for f in self.flags]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Link:
        data = dict(data)
        data["status"] = Status(data.get("status", "auto"))
        data["flags"] = [Flag.from_dict(f) for f in data.get("flags", [])]
        data["src"] = list(data.get("src", []))
        data["tgt"] = list(data.get("tgt", []))
        return cls(**data)


@dataclass
class Alignment:
    """One alignment file: links from one source language into the target language.

    ``edits`` holds reviewer corrections of sentence text (sentence id -> corrected text);
    the corpus files themselves are never changed.
    """

    src_lang: str
    tgt_lang: str
    src_docs: list[str] = field(default_factory=list)
    tgt_docs: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def link(self, link_id: str) -> Link:
        for link in self.links:
            if link.id == link_id:
                return link
        raise KeyError(link_id)

    def sentence_ids(self) -> set[str]:
        return {sid for link in self.links for sid in (*link.src, *link.tgt)}

    def next_link_id(self) -> str:
        """A fresh link id, ``L`` + a number above every existing one."""
        highest = 0
        for link in self.links:
            if link.id.startswith("L") and link.id[1:].isdigit():
                highest = max(highest, int(link.id[1:]))
        return f"L{highest + 1:05d}"

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for link in self.links:
            counts[link.status] += 1
        return counts
