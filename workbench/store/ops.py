"""Review operations on an alignment, as undoable transactions (no I/O, no UI).

Each function looks at the alignment, decides what changes, and returns a
:class:`~workbench.store.history.Transaction` (or ``None`` when there is nothing to do);
:class:`~workbench.store.session.ReviewSession` applies, journals and records it. Links are
never changed in place: a changed link is a new :class:`Link` object that replaces the old
one, stamped with the reviewer and the time.

Invariants (tested): every sentence id is used at most once per side; merge then split gives
back the same links (ids and sides); undo restores exactly what was there; a row an
operation makes (merge, split, what a re-link leaves of another link) that holds a standing
rejected pair is ``rejected``, in the same transaction (only approve, flag and a confirmed
re-link lift a rejection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from workbench.jsontext import fix_surrogates
from workbench.store.history import ChangeRejections, ReplaceLinks, SetText, Step, Transaction
from workbench.store.model import Alignment, Link, Pair, Rejection, Status, pair_of
from workbench.store.order import article_order, in_article_order, sentence_position

# Features a merge leaves on the merged link so that a split can undo the grouping.
MERGE_SRC_CUT = "merge.src_cut"
MERGE_TGT_CUT = "merge.tgt_cut"
MERGE_SECOND_ID = "merge.second_id"
_LINK_ID = re.compile(r"^L(\d{5})$")


class OpError(Exception):
    """The operation does not apply here (e.g. merge on the last link); shown to the reviewer."""


@dataclass(frozen=True)
class Stamp:
    """Who made a change and when (ISO 8601)."""

    reviewer: str
    time: str


def _stamped(link: Link, stamp: Stamp, **changes) -> Link:
    return replace(link, reviewer=stamp.reviewer, modified=stamp.time, **changes)


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _check_index(alignment: Alignment, index: int) -> Link:
    if not 0 <= index < len(alignment.links):
        raise OpError(f"there is no link at position {index + 1}")
    return alignment.links[index]


def _kept_rejections(
    alignment: Alignment, replaced: Iterable[Link], lifted: Pair | None = None
) -> list[Step]:
    """A step that keeps the rejected links among ``replaced`` as standing rejections
    (``Alignment.rejected``) once their rows change (re-link, merge, split); none if they are.
    ``lifted``: a pair the same operation lifts (a confirmed re-link), never kept."""
    have = {r.pair for r in alignment.rejected}
    add: dict[tuple, Rejection] = {}
    remove: list[Rejection] = []
    if lifted is not None:
        remove = [r for r in alignment.rejected if r.pair == lifted]
        have.add(lifted)
    for link in replaced:
        if link.status == Status.REJECTED and pair_of(link) not in have:
            add.setdefault(pair_of(link), Rejection.of_link(link))
    return [ChangeRejections(list(add.values()), remove)] if add or remove else []


def _as_decided(alignment: Alignment, links: list[Link]) -> tuple[list[Link], str]:
    """``links`` (rows an operation makes) with every row holding a standing rejected pair
    (``Alignment.rejection``) turned ``rejected``: the list is the constraint, the row says so.
    Also the notice naming them ("" when none). Called before the op's steps are applied."""
    out: list[Link] = []
    told: list[str] = []
    for link in links:
        rejection = None
        if link.status != Status.REJECTED:
            rejection = alignment.rejection(pair_of(link))
        if rejection is not None:
            link = replace(link, status=Status.REJECTED)
            by = f" by {rejection.reviewer}" if rejection.reviewer else ""
            told.append(f"{link.id} ({describe_pair(pair_of(link))}, rejected{by})")
        out.append(link)
    if not told:
        return out, ""
    return out, f"{'; '.join(told)}: a standing rejected pair, marked rejected (a lifts it)"


def _status_rejections(
    alignment: Alignment, link: Link, status: Status, stamp: Stamp
) -> list[Step]:
    """Rejecting a pair makes it a standing rejection; approving or flagging it lifts one."""
    pair = pair_of(link)
    standing = [r for r in alignment.rejected if r.pair == pair]
    if status == Status.REJECTED and not standing:
        rejection = Rejection(pair[0], pair[1], stamp.reviewer, stamp.time)
        return [ChangeRejections([rejection], [])]
    if status in (Status.APPROVED, Status.FLAGGED) and standing:
        return [ChangeRejections([], standing)]
    return []


def set_status(
    alignment: Alignment, index: int, status: Status, stamp: Stamp
) -> Transaction | None:
    """Approve, reject or flag the link at ``index`` (``None`` if it already has that status).
    The standing rejections follow: a rejection adds the pair, approving or flagging lifts it."""
    link = _check_index(alignment, index)
    if link.status == status:
        return None
    new = _stamped(link, stamp, status=status)
    steps: list[Step] = [ReplaceLinks(index, [link], [new])]
    steps += _status_rejections(alignment, link, status, stamp)
    return Transaction(str(status), steps, cursor=link.id)


def approve(alignment: Alignment, index: int, stamp: Stamp) -> Transaction | None:
    return set_status(alignment, index, Status.APPROVED, stamp)


def reject(alignment: Alignment, index: int, stamp: Stamp) -> Transaction | None:
    return set_status(alignment, index, Status.REJECTED, stamp)


def toggle_flag(alignment: Alignment, index: int, stamp: Stamp) -> Transaction | None:
    """Flag for a second opinion; a flagged link goes back to ``auto``."""
    link = _check_index(alignment, index)
    status = Status.AUTO if link.status == Status.FLAGGED else Status.FLAGGED
    return set_status(alignment, index, status, stamp)


def merge(alignment: Alignment, index: int, stamp: Stamp) -> Transaction:
    """Merge the link at ``index`` with the next one into one n-m link (pending again, or
    ``rejected`` when its pair is a standing rejection: same transaction, ``notice`` says so).

    The cut point and the second link's id are kept in ``features`` so that :func:`split`
    gives back the two links.
    """
    if index + 1 >= len(alignment.links) or index < 0:
        raise OpError("there is no next link to merge with")
    first, second = alignment.links[index], alignment.links[index + 1]
    check_adjacent(first, second)
    features: dict[str, float] = {
        MERGE_SRC_CUT: float(len(first.src)),
        MERGE_TGT_CUT: float(len(first.tgt)),
    }
    match = _LINK_ID.match(second.id)
    if match:
        features[MERGE_SECOND_ID] = float(int(match.group(1)))
    merged = Link(
        id=first.id,
        src=_unique([*first.src, *second.src]),
        tgt=_unique([*first.tgt, *second.tgt]),
        status=Status.AUTO,
        score=None,
        features=features,
        flags=[*first.flags, *second.flags],
        reviewer=stamp.reviewer,
        note=" | ".join(n for n in (first.note, second.note) if n),
        created=first.created,
        modified=stamp.time,
    )
    (merged,), notice = _as_decided(alignment, [merged])
    steps = [
        ReplaceLinks(index, [first, second], [merged]),
        *_kept_rejections(alignment, [first, second]),
    ]
    return Transaction("merge", steps, cursor=first.id, notice=notice)


def _not_adjacent(ids: list[str]) -> str | None:
    """Why the sentences ``ids`` are not one run of neighbours of one document (``None``: they are)."""
    positions = sorted(sentence_position(sid) for sid in ids)
    if len({doc for doc, _ in positions}) > 1:
        return f"{positions[0][0]} and {positions[-1][0]} are different documents"
    numbers = [n for _, n in positions]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        gaps = [f"{positions[k][0]}:{numbers[k]}" for k in range(len(numbers))]
        return f"{', '.join(gaps)} are not neighbouring sentences"
    return None


def check_adjacent(first: Link, second: Link) -> None:
    """A merge joins neighbouring sentences of one document on each side, or raises :class:`OpError`."""
    for mine, theirs in ((first.src, second.src), (first.tgt, second.tgt)):
        if mine and theirs:
            why = _not_adjacent(_unique([*mine, *theirs]))
            if why:
                raise OpError(f"not merged: {why} (m joins neighbouring sentences only)")


def merge_next(alignment: Alignment, index: int, stamp: Stamp) -> Transaction:
    return merge(alignment, index, stamp)


def merge_previous(alignment: Alignment, index: int, stamp: Stamp) -> Transaction:
    if index <= 0:
        raise OpError("there is no previous link to merge with")
    transaction = merge(alignment, index - 1, stamp)
    transaction.cursor = alignment.links[index].id
    return transaction


def _fresh_ids(alignment: Alignment, count: int, wanted: str | None = None) -> list[str]:
    used = {link.id for link in alignment.links}
    ids: list[str] = []
    if wanted and wanted not in used:
        ids.append(wanted)
        used.add(wanted)
    number = int(alignment.next_link_id()[1:])
    while len(ids) < count:
        candidate = f"L{number:05d}"
        if candidate not in used:
            ids.append(candidate)
            used.add(candidate)
        number += 1
    return ids


def split_parts(link: Link) -> list[tuple[list[str], list[str]]]:
    """How :func:`split` cuts ``link``: at its merge point if known, else pairwise."""
    src_cut = link.features.get(MERGE_SRC_CUT)
    tgt_cut = link.features.get(MERGE_TGT_CUT)
    if src_cut is not None and tgt_cut is not None:
        cs, ct = int(src_cut), int(tgt_cut)
        parts = [(link.src[:cs], link.tgt[:ct]), (link.src[cs:], link.tgt[ct:])]
        if all(src or tgt for src, tgt in parts):
            return parts
    # pairwise: k-th source with k-th target, the rest on their own (1-0 / 0-1)
    pairs = max(len(link.src), len(link.tgt))
    return [
        ([link.src[k]] if k < len(link.src) else [], [link.tgt[k]] if k < len(link.tgt) else [])
        for k in range(pairs)
    ]


def split(alignment: Alignment, index: int, stamp: Stamp) -> Transaction:
    """Split a many-sided link (2-1, 2-2, 1-3...) into smaller links, all pending but those
    holding a standing rejected pair, which are ``rejected`` (same transaction, ``notice``)."""
    link = _check_index(alignment, index)
    if len(link.src) <= 1 and len(link.tgt) <= 1:
        raise OpError(f"link {link.kind} has nothing to split")
    parts = split_parts(link)
    second = link.features.get(MERGE_SECOND_ID)
    wanted = f"L{int(second):05d}" if second is not None else None
    ids = [link.id, *_fresh_ids(alignment, len(parts) - 1, wanted)]
    features = {k: v for k, v in link.features.items() if not k.startswith("merge.")}
    new = [
        Link(
            id=ids[k],
            src=src,
            tgt=tgt,
            status=Status.AUTO,
            score=None,
            features=dict(features) if k == 0 else {},
            flags=[],
            reviewer=stamp.reviewer,
            note=link.note if k == 0 else "",
            created=link.created if k == 0 else stamp.time,
            modified=stamp.time,
        )
        for k, (src, tgt) in enumerate(parts)
    ]
    new, notice = _as_decided(alignment, new)
    steps = [ReplaceLinks(index, [link], new), *_kept_rejections(alignment, [link])]
    return Transaction("split", steps, cursor=link.id, notice=notice)


def relink(
    alignment: Alignment,
    index: int,
    tgt: list[str],
    stamp: Stamp,
    src: list[str] | None = None,
    *,
    lift: bool = False,
) -> Transaction | None:
    """Give the link at ``index`` new target (and optionally source) sentences.

    A sentence already used by another link on the same side is taken from that link, which
    is flagged for a second look (or removed when nothing is left on either side); all of it
    is one transaction (what is left of such a link is ``rejected`` instead when it holds a
    standing rejected pair). The re-linked link is pending again, with no aligner score; a rejected
    link's pair stays a standing rejection (``Alignment.rejected``). A new pair that is itself
    a standing rejection is refused unless ``lift`` (the reviewer confirmed): the rejection is
    then lifted in the same transaction, so undo restores it.
    """
    link = _check_index(alignment, index)
    tgt = _unique(tgt)
    src = _unique(src) if src is not None else list(link.src)
    if tgt == link.tgt and src == link.src:
        return None
    if not tgt and not src:
        raise OpError("a link needs at least one sentence")
    pair: Pair = (tuple(src), tuple(tgt))
    rejected = alignment.rejection(pair)
    if rejected is not None and not lift:
        raise OpError(f"{describe_pair(pair)} is a rejected pair; confirm to lift the rejection")
    take_tgt, take_src = set(tgt) - set(link.tgt), set(src) - set(link.src)
    changes: dict[int, list[Link]] = {
        index: [
            _stamped(
                link, stamp, src=src, tgt=tgt, status=Status.AUTO, score=None, features={}, flags=[]
            )
        ]
    }
    notices: list[str] = []
    for j, other in enumerate(alignment.links):
        if j != index:
            remaining = _without_taken(other, take_src, take_tgt, link.id, stamp)
            if remaining is not None:
                changes[j], told = _as_decided(alignment, remaining)
                notices += [told] if told else []
    steps: list[Step] = [
        ReplaceLinks(j, [alignment.links[j]], changes[j]) for j in sorted(changes, reverse=True)
    ]
    replaced = [alignment.links[j] for j in changes]
    steps += _kept_rejections(alignment, replaced, pair if rejected is not None else None)
    return Transaction("re-link", steps, cursor=link.id, notice="; ".join(notices))


def describe_pair(pair: Pair) -> str:
    """``fr-2022-cnw:5 / en-2022-chinadaily:24`` (a side with no sentence: ``-``); an id with
    a control character or line break (a hand-edited file) is shown quoted and escaped, so
    it never reaches the terminal raw nor breaks the line."""
    return " / ".join(", ".join(map(_shown_id, side)) or "-" for side in pair)


def _shown_id(sid: str) -> str:
    return sid if sid.isprintable() else ascii(sid)


def _without_taken(
    other: Link, take_src: set[str], take_tgt: set[str], taker: str, stamp: Stamp
) -> list[Link] | None:
    """What is left of ``other`` once link ``taker`` takes its sentences in ``take_src`` /
    ``take_tgt``: None, it loses none; ``[]``, nothing is left; else it, flagged for a second look."""
    lost_tgt = [sid for sid in other.tgt if sid in take_tgt]
    lost_src = [sid for sid in other.src if sid in take_src]
    if not lost_tgt and not lost_src:
        return None
    rest_src = [sid for sid in other.src if sid not in take_src]
    rest_tgt = [sid for sid in other.tgt if sid not in take_tgt]
    if not rest_src and not rest_tgt:
        return []
    note = f"{', '.join(lost_src + lost_tgt)} moved to {taker}"
    return [
        _stamped(
            other,
            stamp,
            src=rest_src,
            tgt=rest_tgt,
            status=Status.FLAGGED,
            score=None,
            flags=[],
            note=note,
        )
    ]


def edit_text(
    alignment: Alignment,
    sid: str,
    text: str,
    original: str,
    stamp: Stamp,
    index: int | None = None,
) -> Transaction | None:
    """Correct the text of sentence ``sid`` (stored in ``edits``; ``original`` is the corpus text).

    Setting the text back to the original removes the correction. When ``index`` is given,
    that link is stamped with the reviewer and time too, in the same transaction.
    """
    if not text.strip():
        raise OpError("the text of a sentence cannot be empty")
    text = fix_surrogates(text)  # pasted bytes a terminal could not decode: U+FFFD
    old = alignment.edits.get(sid)
    new = None if text == original else text
    if new == old:
        return None
    steps: list[Step] = [SetText(sid, old, new)]
    cursor = None
    if index is not None:
        link = _check_index(alignment, index)
        steps.append(ReplaceLinks(index, [link], [_stamped(link, stamp)]))
        cursor = link.id
    return Transaction("edit", steps, cursor=cursor)


def duplicate_sentences(alignment: Alignment) -> dict[str, list[str]]:
    """Sentence ids used by more than one link on the same side: ``{side:sid: [link ids]}``."""
    seen: dict[str, list[str]] = {}
    for link in alignment.links:
        for side, ids in (("src", link.src), ("tgt", link.tgt)):
            for sid in ids:
                seen.setdefault(f"{side}:{sid}", []).append(link.id)
    return {key: ids for key, ids in seen.items() if len(ids) > 1}


def rescored(
    alignment: Alignment,
    transaction: Transaction | None,
    rescore: Callable[[Link, Alignment], Link] | None,
) -> Transaction | None:
    """``transaction`` with fresh evidence (score, features, flags) on every link whose
    sentences or text it changes, computed by ``rescore`` (the aligner's scorer) against the
    alignment as it will be. Links only re-stamped or re-statused keep their evidence."""
    if transaction is None or rescore is None:
        return transaction
    texts = {step.sid for step in transaction.steps if isinstance(step, SetText)}
    after = alignment
    if texts:
        edits = dict(alignment.edits)
        for step in transaction.steps:
            if isinstance(step, SetText):
                if step.new is None:
                    edits.pop(step.sid, None)
                else:
                    edits[step.sid] = step.new
        after = replace(alignment, edits=edits)
    steps: list[Step] = []
    for step in transaction.steps:
        if isinstance(step, ReplaceLinks):
            before = {(old.id, tuple(old.src), tuple(old.tgt)) for old in step.old}
            new = [
                rescore(link, after)
                if (link.id, tuple(link.src), tuple(link.tgt)) not in before
                or texts & {*link.src, *link.tgt}
                else link
                for link in step.new
            ]
            step = ReplaceLinks(step.at, step.old, new)
        steps.append(step)
    return Transaction(
        transaction.label, steps, transaction.cursor, transaction.number, transaction.notice
    )


def sort_in_article_order(alignment: Alignment, cursor: str | None = None) -> Transaction | None:
    """Put the links in article order (``store/order.py``) as one undoable step, or ``None``
    when they already are (files written before the order was the rule)."""
    if in_article_order(alignment):
        return None
    links = list(alignment.links)
    ordered = article_order(links, alignment.src_docs, alignment.tgt_docs)
    return Transaction("article order", [ReplaceLinks(0, links, ordered)], cursor=cursor)
