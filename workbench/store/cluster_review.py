"""Reviewing statement clusters: decisions as operations with undo/redo, journaled, crash-safe.

The same durability model as pairwise review (:mod:`workbench.store.journal`): every decision
is one self-contained journal record (the clusters it touched, before and after), appended and
fsync-ed before it counts; :meth:`ClusterReview.save` writes ``clusters.jsonl`` atomically and
starts a fresh journal; opening a file whose journal names it (by SHA-256) replays the
journal, so a killed session loses nothing. A journal that names another version of the file
is set aside (``.orphaned-<time>``), never applied twice.

Operations: approve / reject / flag a cluster, remove a member, move a member to another
cluster (or to a new one), split members off into a new cluster, merge two clusters, undo,
redo. Each keeps the file's rules (one member per document in a cluster; a sentence in one
non-rejected cluster): a decision that would break one is refused with a one-line
:class:`WorkbenchError` and changes nothing.

How a cluster decision maps to pairwise links: see :func:`implied_links`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.store.clusters import Cluster, ClusterSet, _cluster_from, save_clusters
from workbench.store.journal import Journal, file_sha256, journal_path, read_journal
from workbench.store.lock import FileLock, acquire
from workbench.store.model import (
    Alignment,
    Link,
    Rejection,
    Status,
    now_iso,
    pair_of,
    sorted_rejections,
)
from workbench.store.order import article_order


@dataclass
class Change:
    """One decision: the clusters it touched (by id) before and after (None: absent)."""

    op: str
    before: dict[str, dict[str, Any] | None]
    after: dict[str, dict[str, Any] | None]

    def to_record(self) -> dict[str, Any]:
        return {"kind": "change", "op": self.op, "before": self.before, "after": self.after}


def _apply(clusters: ClusterSet, state: dict[str, dict[str, Any] | None]) -> None:
    index = {c.id: i for i, c in enumerate(clusters.clusters)}
    for cid, data in state.items():
        if data is None:
            if cid in index:
                clusters.clusters[index[cid]] = None  # type: ignore[call-overload]
            continue
        cluster = _cluster_from(data)
        if cid in index:
            clusters.clusters[index[cid]] = cluster
        else:
            clusters.clusters.append(cluster)
    clusters.clusters = [c for c in clusters.clusters if c is not None]
    if any(cid not in index for cid in state):  # a cluster came back or is new: id order
        clusters.clusters.sort(key=lambda c: (len(c.id), c.id))


@dataclass
class ClusterReview:
    """A review session over one clusters file."""

    path: Path
    clusters: ClusterSet
    reviewer: str | None = None
    undo_stack: list[Change] = field(default_factory=list)
    redo_stack: list[Change] = field(default_factory=list)
    journal: Journal | None = None
    lock: FileLock | None = None
    notices: list[str] = field(default_factory=list)
    # each cluster's decision (status, members) as saved when the session opened: what the
    # pairwise files already reflect (a crashed session's journal is replayed on top)
    baseline: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        path: Path,
        clusters: ClusterSet,
        reviewer: str | None = None,
        *,
        take_over: bool = False,
    ) -> ClusterReview:
        """Start reviewing ``clusters`` (as loaded from ``path``): take the review lock (a
        live session elsewhere is a :class:`LockedError`), replay the journal."""
        review = cls(Path(path), clusters, reviewer)
        review.baseline = {c.id: _decision(c) for c in clusters.clusters}
        review.lock, notice = acquire(review.path, reviewer, take_over=take_over)
        if notice:
            review.notices.append(notice)
        sha = file_sha256(review.path)
        jpath = journal_path(review.path)
        content = read_journal(jpath)
        review.journal = Journal(jpath, sha)
        if content is not None and content.header.get("base_sha256") == sha:
            for _line, record in content.records:
                review._replay(record)
            review.journal.adopt(content.good_bytes, len(content.records))
        elif jpath.exists():
            stamp = now_iso().replace(":", "")
            os.replace(jpath, jpath.with_name(f"{jpath.name}.orphaned-{stamp}"))
        return review

    # --- the decision machinery -------------------------------------------------------------

    def _replay(self, record: dict[str, Any]) -> None:
        kind = record.get("kind")
        if kind == "change":
            change = Change(record["op"], record["before"], record["after"])
            _apply(self.clusters, change.after)
            self.undo_stack.append(change)
            self.redo_stack.clear()
        elif kind == "undo" and self.undo_stack:
            change = self.undo_stack.pop()
            _apply(self.clusters, change.before)
            self.redo_stack.append(change)
        elif kind == "redo" and self.redo_stack:
            change = self.redo_stack.pop()
            _apply(self.clusters, change.after)
            self.undo_stack.append(change)
        elif kind == "written":  # these decisions are in the pairwise files now
            for cluster in self.clusters.clusters:
                if cluster.id in set(record.get("ids", ())):
                    self.baseline[cluster.id] = _decision(cluster)

    def _record(self, record: dict[str, Any]) -> None:
        if self.journal is not None:
            self.journal.append(record)  # durable first: a refused write changes nothing
        self._replay(record)

    def _commit(self, op: str, after: dict[str, Cluster | None]) -> Change:
        before = {}
        for cid in after:
            try:
                before[cid] = self.clusters.cluster(cid).to_dict()
            except KeyError:
                before[cid] = None
        stamp = now_iso()
        state: dict[str, dict[str, Any] | None] = {}
        for cid, cluster in after.items():
            if cluster is not None:
                cluster.modified = stamp
                cluster.reviewer = self.reviewer
            state[cid] = None if cluster is None or not cluster.members else cluster.to_dict()
        change = Change(op, before, state)
        self._check(change)
        self._record(change.to_record())
        return change

    def _check(self, change: Change) -> None:
        """Refuse a change that would put a sentence in two live clusters."""
        owner: dict[str, str] = {}
        touched = set(change.after)
        live = [c for c in self.clusters.clusters if c.id not in touched]
        live += [_cluster_from(d) for d in change.after.values() if d is not None]
        for cluster in live:
            if cluster.status is Status.REJECTED:
                continue
            for sid in cluster.sentence_ids():
                if sid in owner and owner[sid] != cluster.id:
                    raise WorkbenchError(
                        f"sentence {sid} would be in clusters {owner[sid]} and {cluster.id}"
                    )
                owner[sid] = cluster.id

    def _copy(self, cid: str) -> Cluster:
        try:
            return copy.deepcopy(self.clusters.cluster(cid))
        except KeyError:
            raise WorkbenchError(f"no cluster {cid!r}") from None

    # --- operations --------------------------------------------------------------------------

    def set_status(self, cid: str, status: Status) -> Change:
        cluster = self._copy(cid)
        cluster.status = status
        return self._commit(f"set {status}", {cid: cluster})

    def approve(self, cid: str) -> Change:
        return self.set_status(cid, Status.APPROVED)

    def reject(self, cid: str) -> Change:
        return self.set_status(cid, Status.REJECTED)

    def remove_member(self, cid: str, doc: str) -> Change:
        """Take ``doc``'s member out of the cluster (its sentences are in no cluster then)."""
        cluster = self._copy(cid)
        if cluster.member(doc) is None:
            raise WorkbenchError(f"cluster {cid} has no member from {doc!r}")
        cluster.members = [m for m in cluster.members if m.doc != doc]
        return self._commit("remove member", {cid: cluster})

    def move_member(self, cid: str, doc: str, target: str | None = None) -> Change:
        """Move ``doc``'s member of ``cid`` into ``target`` (a new cluster when None)."""
        source = self._copy(cid)
        member = source.member(doc)
        if member is None:
            raise WorkbenchError(f"cluster {cid} has no member from {doc!r}")
        if target is None:
            into = Cluster(self.clusters.next_id(), [])
        else:
            into = self._copy(target)
            if into.member(doc) is not None:
                raise WorkbenchError(
                    f"cluster {target} already has a member from {doc!r}; remove it first"
                )
        source.members = [m for m in source.members if m.doc != doc]
        into.members.append(member)
        into.status = Status.AUTO if target is None else into.status
        return self._commit("move member", {cid: source, into.id: into})

    def split(self, cid: str, docs: list[str]) -> Change:
        """Members of ``docs`` leave ``cid`` together, as a new cluster."""
        cluster = self._copy(cid)
        leaving = [m for m in cluster.members if m.doc in set(docs)]
        if not leaving or len(leaving) == len(cluster.members):
            raise WorkbenchError("a split needs some members to leave and some to stay")
        cluster.members = [m for m in cluster.members if m.doc not in set(docs)]
        new = Cluster(self.clusters.next_id(), leaving)
        return self._commit("split", {cid: cluster, new.id: new})

    def merge(self, cid: str, other: str) -> Change:
        """``other``'s members join ``cid``; ``other`` disappears."""
        into, gone = self._copy(cid), self._copy(other)
        shared = set(into.docs()) & set(gone.docs())
        if cid == other or shared:
            raise WorkbenchError(
                f"clusters {cid} and {other} both have members from {', '.join(sorted(shared))}"
                if shared
                else "a cluster cannot merge with itself"
            )
        into.members = into.members + gone.members
        return self._commit("merge", {cid: into, other: None})

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self._record({"kind": "undo"})
        return True

    def redo(self) -> bool:
        if not self.redo_stack:
            return False
        self._record({"kind": "redo"})
        return True

    def decided(self) -> list[str]:
        """Ids of the clusters decided in this session (status or members differ from when
        it opened): only these are written into the pairwise files, so that an older cluster
        decision never overrules a pairwise decision taken since."""
        return [c.id for c in self.clusters.clusters if self.baseline.get(c.id) != _decision(c)]

    def write_pairwise(self, folder: Path, target_lang: str = "en") -> dict[Path, int]:
        """Write this session's cluster decisions into the pairwise files of ``folder`` (all
        or none; one under review is a one-line :class:`WorkbenchError`, nothing written),
        then journal that they are written: a kill before :meth:`save` replays the journal,
        and the next quit does not apply them a second time over newer pairwise decisions."""
        decided = self.decided()
        written = write_implied_links(self.clusters, folder, target_lang, only=decided)
        if decided:
            self._record({"kind": "written", "ids": decided})
        return written

    def save(self) -> None:
        """Snapshot: the file atomically, then a fresh journal for it."""
        save_clusters(self.clusters, self.path)
        if self.journal is not None:
            self.journal.start(file_sha256(self.path), None)

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _decision(cluster: Cluster) -> tuple[Any, ...]:
    return (cluster.status, tuple((m.doc, tuple(m.ids)) for m in cluster.members))


# --- cluster decisions as pairwise decisions ----------------------------------------------------


def implied_links(
    cluster: Cluster, clusters: ClusterSet, target_lang: str = "en"
) -> dict[str, list[Link]]:
    """The pairwise links a reviewed cluster stands for, by alignment name (``fr-en``...).

    Each member in a language other than ``target_lang`` gives one link: its sentences ->
    the sentences of every ``target_lang`` member (comparable links may span several English
    documents), with the cluster's status (approved or rejected) and reviewer. A cluster
    without a ``target_lang`` member implies no link (English<->English statements across
    editions live only in the clusters file); so does an auto or flagged cluster.
    """
    if cluster.status not in (Status.APPROVED, Status.REJECTED):
        return {}
    lang = {m.doc: clusters.documents[m.doc].lang for m in cluster.members}
    targets = [s for m in cluster.members if lang[m.doc] == target_lang for s in m.ids]
    if not targets:
        return {}
    out: dict[str, list[Link]] = {}
    for member in cluster.members:
        if lang[member.doc] == target_lang:
            continue
        link = Link(
            id="",
            src=list(member.ids),
            tgt=list(targets),
            status=cluster.status,
            score=member.score,
            reviewer=cluster.reviewer,
            note=f"from cluster {cluster.id}",
            modified=cluster.modified,
        )
        out.setdefault(f"{lang[member.doc]}-{target_lang}", []).append(link)
    return out


def apply_links(alignment: Alignment, links: list[Link]) -> int:
    """Put ``links`` into ``alignment`` (an :class:`~workbench.store.model.Alignment`) as a
    pairwise decision on exactly each link's pair; returns how many pairs changed.

    A row with the same sides takes the status (its standing rejection follows, as with
    ``x``/``a``). Otherwise an approved link replaces the auto links that share a sentence
    with it, unless a reviewed link does (a pairwise decision is not overruled); a rejected
    one becomes a standing rejection only (the header's ``rejected``), no row: a rejected
    row would use its sentences a second time. Rows stay in article order."""
    changed, added = 0, False
    for new in links:
        same = next((x for x in alignment.links if x.src == new.src and x.tgt == new.tgt), None)
        if same is not None:
            if same.status != new.status:
                same.status, same.reviewer, same.modified = new.status, new.reviewer, new.modified
                _follow_rejections(alignment, same)
                changed += 1
            continue
        if new.status is Status.REJECTED:
            changed += _follow_rejections(alignment, new)
            continue
        sentences = set(new.src) | set(new.tgt)
        overlapping = [x for x in alignment.links if sentences & (set(x.src) | set(x.tgt))]
        if any(not x.status.pending for x in overlapping):
            changed += _follow_rejections(alignment, new)  # the pair itself is approved
            continue
        alignment.links = [x for x in alignment.links if x not in overlapping]
        new.id = alignment.next_link_id()
        alignment.links.append(new)
        _follow_rejections(alignment, new)
        changed, added = changed + 1, True
    if added:
        alignment.links = article_order(alignment.links, alignment.src_docs, alignment.tgt_docs)
    return changed


def _follow_rejections(alignment: Alignment, link: Link) -> bool:
    """The standing rejections after ``link`` got its status: a rejected pair is added, an
    approved one lifted (as a pairwise review decision does, ``store.ops.set_status``).
    Whether the list changed."""
    pair = pair_of(link)
    rest = [r for r in alignment.rejected if r.pair != pair]
    if link.status is Status.REJECTED and len(rest) == len(alignment.rejected):
        alignment.rejected = sorted_rejections([*rest, Rejection.of_link(link)])
        return True
    if link.status is Status.APPROVED and len(rest) != len(alignment.rejected):
        alignment.rejected = rest
        return True
    return False


def write_implied_links(
    clusters: ClusterSet,
    folder: Path,
    target_lang: str = "en",
    only: Iterable[str] | None = None,
) -> dict[Path, int]:
    """The reviewed clusters' implied links (those of ``only``, cluster ids, when given: a
    review session passes :meth:`ClusterReview.decided`) into the pairwise files of
    ``folder`` (files that exist; one under review elsewhere is refused, nothing written).
    Returns, per file written, how many links changed."""
    from workbench.store.files import SUFFIX, load_alignment
    from workbench.store.guard import refuse_if_under_review

    by_pair: dict[str, list[Link]] = {}
    wanted = None if only is None else set(only)
    for cluster in clusters.clusters:
        if wanted is not None and cluster.id not in wanted:
            continue
        for pair, links in implied_links(cluster, clusters, target_lang).items():
            by_pair.setdefault(pair, []).extend(links)
    paths = [Path(folder) / f"{pair}{SUFFIX}" for pair in sorted(by_pair)]
    for path in paths:  # every file checked before any is read or written
        if path.exists():
            refuse_if_under_review(path, "decide there")
    changed: dict[Path, tuple[Alignment, int]] = {}
    for pair, path in zip(sorted(by_pair), paths, strict=True):
        if path.exists():
            alignment = load_alignment(path)
            count = apply_links(alignment, by_pair[pair])
            if count:
                changed[path] = (alignment, count)
    _save_all({path: alignment for path, (alignment, _) in changed.items()})
    return {path: count for path, (_, count) in changed.items()}


def _save_all(alignments: dict[Path, Alignment]) -> None:
    """Write every alignment in one atomic group: all files replaced, or none."""
    from workbench.fileio import atomic_group
    from workbench.store.files import dumps_line, header_dict

    if not alignments:
        return
    with atomic_group() as group:
        for path, alignment in alignments.items():
            handle = group.open(path)
            handle.write(dumps_line(header_dict(alignment)))
            for link in alignment.links:
                handle.write(dumps_line(link.to_dict()))
