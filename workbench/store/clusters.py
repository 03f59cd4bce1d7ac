"""Statement clusters: one statement, its sentences in every document (all languages, all editions).

The file ``alignments/clusters.jsonl`` follows the alignment files' conventions: JSON Lines,
a header line (format name, schema version, provenance, the documents clustered with their
language, edition and sentence count), then one cluster per line; atomic save; a damaged or
newer file is refused with one line naming the file and line::

    {"format": "workbench-clusters", "schema": 1, "documents": {...}, "provenance": {...}}
    {"id": "C0001", "status": "auto", "score": 0.81, "members": [{"doc": "fr-2022-cnw",
     "lang": "fr", "edition": 2022, "ids": ["fr-2022-cnw:5"], "score": 0.8}, ...], ...}

A member is one document's share of the statement: one sentence, or a few adjacent ones.
A cluster holds each document at most once. Facts (numbers, dates) are not stored: they are
derived from the corpus text (:mod:`workbench.align.cluster.facts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.fileio import atomic_writer
from workbench.jsonlines import read_records
from workbench.jsontext import parse_json_object
from workbench.store.files import check_schema, dumps_line
from workbench.store.model import Status, highest_number, now_iso

FORMAT_NAME = "workbench-clusters"
SCHEMA_VERSION = 1
CLUSTERS_FILE = "clusters.jsonl"
_NUMBER = (int, float)


@dataclass
class Member:
    doc: str
    ids: list[str]  # sentence ids, adjacent, in document order
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "ids": list(self.ids), "score": self.score}


@dataclass
class Cluster:
    id: str
    members: list[Member]
    status: Status = Status.AUTO
    score: float | None = None
    reviewer: str | None = None
    note: str = ""
    created: str = field(default_factory=now_iso)
    modified: str | None = None

    def docs(self) -> list[str]:
        return [m.doc for m in self.members]

    def sentence_ids(self) -> list[str]:
        return [sid for m in self.members for sid in m.ids]

    def member(self, doc: str) -> Member | None:
        return next((m for m in self.members if m.doc == doc), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": str(self.status),
            "score": self.score,
            "members": [m.to_dict() for m in self.members],
            "reviewer": self.reviewer,
            "note": self.note,
            "created": self.created,
            "modified": self.modified,
        }


@dataclass
class DocInfo:
    lang: str
    edition: int | None
    sentences: int

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "edition": self.edition, "sentences": self.sentences}


@dataclass
class ClusterSet:
    documents: dict[str, DocInfo]
    provenance: dict[str, Any] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)

    def cluster(self, cluster_id: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        raise KeyError(cluster_id)

    def where(self) -> dict[str, str]:
        """Sentence id -> id of the cluster holding it."""
        return {sid: c.id for c in self.clusters for sid in c.sentence_ids()}

    def next_id(self) -> str:
        """A fresh cluster id, ``C`` + a number above every existing one."""
        return f"C{highest_number((c.id for c in self.clusters), 'C') + 1:04d}"


# --- validation ---------------------------------------------------------------------------------


_MEMBER_FIELDS = frozenset(["doc", "ids", "score", "lang", "edition"])


def _member_problem(data: Any) -> str | None:
    if type(data) is not dict or not {"doc", "ids"} <= data.keys() <= _MEMBER_FIELDS:
        return "a member must be an object with 'doc', 'ids' (and 'score', 'lang', 'edition')"
    if type(data["doc"]) is not str or not data["doc"]:
        return "member 'doc' must be a document id"
    ids = data["ids"]
    if type(ids) is not list or not ids or any(type(i) is not str for i in ids):
        return "member 'ids' must be a non-empty list of sentence ids"
    if any(i.rpartition(":")[0] != data["doc"] for i in ids):
        return f"member of {data['doc']!r} holds a sentence of another document"
    score = data.get("score")
    if score is not None and type(score) not in _NUMBER:
        return "member 'score' must be a number or null"
    return None


_CLUSTER_FIELDS = frozenset(
    ["id", "status", "score", "members", "reviewer", "note", "created", "modified"]
)
_STATUS = frozenset(s.value for s in Status)


def cluster_problem(data: Any) -> str | None:
    """Why ``data`` is not a valid cluster record, or ``None``."""
    if type(data) is not dict:
        return f"a cluster must be an object, not {type(data).__name__}"
    if not _CLUSTER_FIELDS.issuperset(data):
        return f"unknown field(s) {sorted(set(data) - _CLUSTER_FIELDS)}"
    if type(data.get("id")) is not str or not data["id"]:
        return "field 'id' must be a non-empty string"
    if data.get("status", "auto") not in _STATUS:
        return f"field 'status' must be one of {sorted(_STATUS)}"
    if data.get("score") is not None and type(data["score"]) not in _NUMBER:
        return "field 'score' must be a number or null"
    members = data.get("members")
    if type(members) is not list or not members:
        return "field 'members' must be a non-empty list"
    for member in members:
        problem = _member_problem(member)
        if problem:
            return problem
    docs = [m["doc"] for m in members]
    if len(set(docs)) != len(docs):
        return "a document appears twice in one cluster (one member per document)"
    for name in ("reviewer", "modified"):
        if data.get(name) is not None and type(data[name]) is not str:
            return f"field {name!r} must be a string or null"
    if type(data.get("note", "")) is not str or type(data.get("created", "")) is not str:
        return "fields 'note' and 'created' must be strings"
    return None


def _cluster_from(data: dict[str, Any]) -> Cluster:
    return Cluster(
        id=data["id"],
        members=[Member(m["doc"], list(m["ids"]), m.get("score")) for m in data["members"]],
        status=Status(data.get("status", "auto")),
        score=data.get("score"),
        reviewer=data.get("reviewer"),
        note=data.get("note", ""),
        created=data.get("created", ""),
        modified=data.get("modified"),
    )


def _header(data: dict[str, Any], path: Path) -> ClusterSet:
    if data.get("format") != FORMAT_NAME:
        raise InputError(f"not a workbench clusters file (format {data.get('format')!r})", path, 1)
    check_schema(data.get("schema"), SCHEMA_VERSION, path)
    docs = data.get("documents")
    if type(docs) is not dict or not all(
        type(v) is dict
        and type(v.get("lang")) is str
        and (v.get("edition") is None or type(v.get("edition")) is int)
        and type(v.get("sentences")) is int
        for v in docs.values()
    ):
        raise InputError(
            "header field 'documents' must map document id -> {lang, edition, sentences}", path, 1
        )
    if type(data.get("provenance", {})) is not dict:
        raise InputError("header field 'provenance' must be an object", path, 1)
    return ClusterSet(
        documents={d: DocInfo(v["lang"], v["edition"], v["sentences"]) for d, v in docs.items()},
        provenance=dict(data.get("provenance", {})),
    )


def load_clusters(path: str | Path) -> ClusterSet:
    """Read a clusters file; :class:`InputError` (file, line, one line) when it is damaged."""
    path = Path(path)
    lines = read_records(path, "clusters", " (run workbench cluster)")
    result = _header(parse_json_object(lines[0], path, 1), path)
    seen: dict[str, int] = {}
    owner: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        data = parse_json_object(line, path, number)
        problem = cluster_problem(data)
        if problem:
            raise InputError(f"invalid cluster: {problem}", path, number)
        cluster = _cluster_from(data)
        if cluster.id in seen:
            raise InputError(f"cluster id {cluster.id!r} appears twice", path, number)
        seen[cluster.id] = number
        for member, raw in zip(cluster.members, data["members"], strict=True):
            info = result.documents.get(member.doc)
            if info is None:
                raise InputError(
                    f"member document {member.doc!r} is not in the header", path, number
                )
            lang, edition = raw.get("lang", info.lang), raw.get("edition", info.edition)
            if lang != info.lang or edition != info.edition:
                raise InputError(
                    f"member {member.doc!r}: language or edition differs from the header's",
                    path,
                    number,
                )
            for sid in member.ids:
                if sid in owner:
                    raise InputError(
                        f"sentence {sid} is in clusters {owner[sid]} and {cluster.id}", path, number
                    )
                owner[sid] = cluster.id
        result.clusters.append(cluster)
    return result


def header_dict(clusters: ClusterSet) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "schema": SCHEMA_VERSION,
        "documents": {d: info.to_dict() for d, info in clusters.documents.items()},
        "provenance": clusters.provenance,
    }


def save_clusters(clusters: ClusterSet, path: str | Path) -> None:
    """Write atomically: the old file survives any crash."""
    with atomic_writer(path) as handle:
        handle.write(dumps_line(header_dict(clusters)))
        for cluster in clusters.clusters:
            data = cluster.to_dict()
            for member in data["members"]:  # each member readable on its own (the header rules)
                info = clusters.documents.get(member["doc"])
                if info is not None:
                    member["lang"], member["edition"] = info.lang, info.edition
            handle.write(dumps_line(data))


def is_clusters_file(path: str | Path) -> bool:
    """Does ``path`` start like a clusters file? (False when unreadable.)"""
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.readline(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return f'"format": "{FORMAT_NAME}"' in head
