"""The stand-off alignment model: links pair lists of sentence ids, never copies of text.

A :class:`Link` pairs source sentence ids (Thai, French, ...) with English sentence ids,
which may come from several English documents (comparable coverage is spread out). 1-0 and
0-1 links record statements with no counterpart.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        problem = flag_problem(data)
        if problem:
            raise ValueError(problem)
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
        """A link from a parsed record, every field type-checked (``ValueError`` names it)."""
        problem = link_problem(data)
        if problem:
            raise ValueError(problem)
        data = dict(data)
        data["status"] = Status(data.get("status", "auto"))
        data["flags"] = [Flag.from_dict(f) for f in data.get("flags", [])]
        data["src"] = list(data.get("src", []))
        data["tgt"] = list(data.get("tgt", []))
        return cls(**data)


_LINK_FIELDS = frozenset(Link.__dataclass_fields__)
_FLAG_FIELDS = frozenset(Flag.__dataclass_fields__)
_STATUS_VALUES = frozenset(status.value for status in Status)
_NUMBER = (int, float)


def _is_str_list(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def flag_problem(data: Any) -> str | None:
    """Why ``data`` is not a valid flag record, or ``None``."""
    if type(data) is not dict:
        return f"a flag must be an object, not {type(data).__name__}"
    if not _FLAG_FIELDS.issuperset(data):
        return f"unknown flag field(s) {sorted(set(data) - _FLAG_FIELDS)}"
    for name in ("kind", "src", "tgt"):
        if type(data.get(name)) is not str:
            return f"flag field {name!r} must be a string"
    if type(data.get("detail", "")) is not str:
        return "flag field 'detail' must be a string"
    return None


def link_problem(data: Any) -> str | None:
    """Why ``data`` is not a valid link record, or ``None``. The one definition of a valid
    link line, shared by every loader (strict, fast, streaming, journal replay)."""
    if type(data) is not dict:
        return f"a link must be an object, not {type(data).__name__}"
    if not _LINK_FIELDS.issuperset(data):
        return f"unknown field(s) {sorted(set(data) - _LINK_FIELDS)}"
    if type(data.get("id")) is not str or not data["id"]:
        return "field 'id' must be a non-empty string"
    if not _is_str_list(data.get("src", [])) or not _is_str_list(data.get("tgt", [])):
        return "fields 'src' and 'tgt' must be lists of sentence ids (strings)"
    status = data.get("status", "auto")
    if type(status) is not str or status not in _STATUS_VALUES:
        return f"field 'status' must be one of {sorted(_STATUS_VALUES)}, not {status!r}"
    score = data.get("score")
    if score is not None and (type(score) not in _NUMBER):
        return "field 'score' must be a number or null"
    features = data.get("features", {})
    if type(features) is not dict or any(type(v) not in _NUMBER for v in features.values()):
        return "field 'features' must be an object of numbers"
    flags = data.get("flags", [])
    if type(flags) is not list:
        return "field 'flags' must be a list"
    for flag in flags:
        problem = flag_problem(flag)
        if problem:
            return problem
    if type(data.get("note", "")) is not str or type(data.get("created", "")) is not str:
        return "fields 'note' and 'created' must be strings"
    for name in ("reviewer", "modified"):
        if data.get(name) is not None and type(data[name]) is not str:
            return f"field {name!r} must be a string or null"
    return None


def highest_number(ids: Iterable[str], prefix: str) -> int:
    """The highest ``N`` of the ids ``<prefix>N`` (``L12``, ``C0003``); 0 when there is none."""
    numbers = [
        int(i[len(prefix) :]) for i in ids if i.startswith(prefix) and i[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0)


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
        return f"L{highest_number((link.id for link in self.links), 'L') + 1:05d}"

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for link in self.links:
            counts[link.status] += 1
        return counts
