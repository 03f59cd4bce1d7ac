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


Pair = tuple[tuple[str, ...], tuple[str, ...]]  # (source ids, English ids)


def pair_of(link: Link) -> Pair:
    """The (source ids, English ids) pair of ``link``, hashable."""
    return (tuple(link.src), tuple(link.tgt))


@dataclass(frozen=True)
class Rejection:
    """A standing reviewer decision "these source sentences do not go with these English
    ones": kept in the file's header (``rejected``) whatever becomes of the link row."""

    src: tuple[str, ...]
    tgt: tuple[str, ...]
    reviewer: str | None = None
    time: str | None = None

    @property
    def pair(self) -> Pair:
        return (self.src, self.tgt)

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": list(self.src),
            "tgt": list(self.tgt),
            "reviewer": self.reviewer,
            "time": self.time,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Rejection:
        problem = rejection_problem(data)
        if problem:
            raise ValueError(problem)
        return cls(tuple(data["src"]), tuple(data["tgt"]), data.get("reviewer"), data.get("time"))

    @classmethod
    def of_link(cls, link: Link) -> Rejection:
        return cls(tuple(link.src), tuple(link.tgt), link.reviewer, link.modified)


def _id_key(sid: str) -> tuple[str, int, str]:
    doc, _, index = sid.rpartition(":")
    return (doc, int(index), "") if index.isdigit() else (sid, -1, sid)


def sorted_rejections(rejections: Iterable[Rejection]) -> list[Rejection]:
    """Rejections in article order of their source (then English) ids: files stay stable."""
    return sorted(
        rejections,
        key=lambda r: ([_id_key(s) for s in r.src], [_id_key(t) for t in r.tgt]),
    )


_REJECTION_FIELDS = frozenset(("src", "tgt", "reviewer", "time"))


def rejection_problem(data: Any) -> str | None:
    """Why ``data`` is not a valid entry of a header's ``rejected`` list, or ``None``."""
    if type(data) is not dict:
        return f"a rejected pair must be an object, not {type(data).__name__}"
    if not _REJECTION_FIELDS.issuperset(data):
        return f"unknown rejected-pair field(s) {sorted(set(data) - _REJECTION_FIELDS)}"
    if not _is_str_list(data.get("src")) or not _is_str_list(data.get("tgt")):
        return "a rejected pair's 'src' and 'tgt' must be lists of sentence ids (strings)"
    if not data["src"] and not data["tgt"]:
        return "a rejected pair needs at least one sentence id"
    for name in ("reviewer", "time"):
        if data.get(name) is not None and type(data[name]) is not str:
            return f"a rejected pair's {name!r} must be a string or null"
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
    the corpus files themselves are never changed. ``rejected`` holds the standing
    rejections (pairs never proposed again), whether or not a rejected link row is left.
    """

    src_lang: str
    tgt_lang: str
    src_docs: list[str] = field(default_factory=list)
    tgt_docs: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def rejected_pairs(self) -> set[Pair]:
        """Every pair a reviewer rejected: the ``rejected`` list and the rejected link rows
        (a file written before the list existed has only the rows)."""
        pairs = {r.pair for r in self.rejected}
        pairs.update(pair_of(link) for link in self.links if link.status == Status.REJECTED)
        return pairs

    def rejection(self, pair: Pair) -> Rejection | None:
        """The standing rejection of ``pair``: its list entry, else a rejected row holding it
        (a file written before the list existed); ``None`` when the pair is not rejected."""
        for rejection in self.rejected:
            if rejection.pair == pair:
                return rejection
        for link in self.links:
            if link.status == Status.REJECTED and pair_of(link) == pair:
                return Rejection.of_link(link)
        return None

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
