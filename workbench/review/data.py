"""What the review screen shows, computed without Textual: texts, positions, filters, search.

Sentence text comes from the corpus, overridden by the reviewer's corrections
(``Alignment.edits``); the English MT of source sentences comes from
``corpus/translations`` (absent: nothing is shown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.corpus.model import Corpus
from workbench.errors import InputError, WorkbenchError
from workbench.store.model import Alignment, Link, Rejection, Status, pair_of
from workbench.store.session import ReviewSession


@dataclass(frozen=True)
class ScoreBands:
    """Score colour bands: below ``low`` red, below ``high`` yellow, else green."""

    low: float = 0.4
    high: float = 0.7

    def band(self, score: float | None) -> str:
        if score is None:
            return "none"
        if score < self.low:
            return "low"
        return "mid" if score < self.high else "high"


def load_mt(corpus_dir: Path | None, tgt_lang: str) -> tuple[dict[str, str], str | None]:
    """Machine translations by sentence id, and a notice if they could not be read."""
    if corpus_dir is None:
        return {}, None
    from workbench.corpus.translations import load_translations

    try:
        docs = load_translations(Path(corpus_dir), tgt_lang)
    except (InputError, OSError) as exc:
        return {}, f"machine translations not shown: {exc}"
    mt: dict[str, str] = {}
    for doc in docs.values():
        mt.update(doc.by_sentence)
    return mt, None


def missing_sentences(alignment: Alignment, corpus: Corpus) -> list[str]:
    known = {s.id for doc in corpus.documents for s in doc.sentences}
    return sorted(alignment.sentence_ids() - known)


def corpus_validator(corpus: Corpus, path: Path) -> Callable[[Alignment], None]:
    """A ``validate`` hook for :meth:`ReviewSession.open`: every sentence id must exist."""

    def validate(alignment: Alignment) -> None:
        missing = missing_sentences(alignment, corpus)
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise InputError(
                f"{len(missing)} sentence id(s) no longer exist in the corpus ({shown}); "
                "was the corpus re-segmented? Re-run `workbench align`",
                path,
            )

    return validate


def _has_flags(link: Link, bands: ScoreBands) -> bool:
    return bool(link.flags)


FILTERS: dict[str, tuple[str, Callable[[Link, ScoreBands], bool]]] = {
    "all": ("every link", lambda link, b: True),
    "pending": ("pending (auto or flagged)", lambda link, b: link.status.pending),
    "auto": ("auto (not reviewed)", lambda link, b: link.status == Status.AUTO),
    "approved": ("approved", lambda link, b: link.status == Status.APPROVED),
    "rejected": ("rejected", lambda link, b: link.status == Status.REJECTED),
    "flagged": ("flagged for a second opinion", lambda link, b: link.status == Status.FLAGGED),
    "low": ("score in the low band", lambda link, b: b.band(link.score) == "low"),
    "mid": ("score in the middle band", lambda link, b: b.band(link.score) == "mid"),
    "high": ("score in the high band", lambda link, b: b.band(link.score) == "high"),
    "discrepancy": ("with discrepancy flags (numbers, dates...)", _has_flags),
    "non-1-1": ("not 1-1 (merges, 1-0, 0-1...)", lambda link, b: link.kind != "1-1"),
}


class ReviewData:
    """The session plus the corpus and MT it is shown with."""

    def __init__(
        self,
        session: ReviewSession,
        corpus: Corpus,
        mt: dict[str, str] | None = None,
        bands: ScoreBands | None = None,
    ):
        self.session = session
        self.corpus = corpus
        self.mt = mt or {}
        self.bands = bands or ScoreBands()
        self._doc_sizes = {doc.id: len(doc.sentences) for doc in corpus.documents}
        self._best: dict[tuple, list[tuple[float, str]]] = {}
        # standing rejections by source sentence, for the list object they were built from
        self._rejections: tuple[list[Rejection] | None, dict[str, list[Rejection]]] = (None, {})
        # the aligner's score weights (with MT, without), once loaded: the detail panel then
        # says which features drive a score (workbench.align.explain)
        self.weights: dict[tuple[bool, bool], dict[str, float]] | None = None

    @property
    def alignment(self) -> Alignment:
        return self.session.alignment

    def original(self, sid: str) -> str:
        return self.corpus.sentence(sid).text if self.corpus.has_sentence(sid) else ""

    def text(self, sid: str) -> str:
        edited = self.session.alignment.edits.get(sid)
        return edited if edited is not None else self.original(sid)

    def side_text(self, ids: list[str]) -> str:
        return " ".join(self.text(sid) for sid in ids)

    def mt_text(self, ids: list[str]) -> str:
        return " ".join(self.mt[sid] for sid in ids if sid in self.mt)

    def position(self, sid: str) -> str:
        """``fr-2022-cnw:5 (6/13)``: the id as files and exports write it (0-based), and the
        sentence's place in its article as people count (1-based, of the article's total)."""
        doc_id, _, index = sid.rpartition(":")
        size = self._doc_sizes.get(doc_id)
        return f"{sid} ({int(index) + 1}/{size})" if size and index.isdigit() else sid

    def best_candidates(
        self, link: Link, limit: int = 3, wait: bool = True
    ) -> list[tuple[float, str]] | None:
        """For a 1-0 link: the English sentences the aligner scored best for its source,
        ``[(score, id)]`` (empty without a rescorer); cached per link version. With
        ``wait=False``, ``None`` while the scorer's context is not built yet (the screen
        does not wait for it: it is built in the background)."""
        rescorer = self.session.rescorer
        if rescorer is None or not link.src or link.tgt:
            return []
        rejected = tuple(r.pair for r in self.rejections_of(link))  # never offered
        key = (link.id, tuple(link.src), tuple(sorted(self.alignment.edits.items())), rejected)
        if key not in self._best and not wait and not rescorer.ready(self.alignment, link):
            return None
        if key not in self._best:
            if len(self._best) > 256:
                self._best.clear()
            self._best[key] = rescorer.best_candidates(self.alignment, link, limit)
        return self._best[key]

    def rejections_of(self, link: Link) -> list[Rejection]:
        """Standing rejections of a source sentence of ``link`` (shown dimmed: never proposed
        again); a rejected row's own pair is left out (its status says it)."""
        rejected = self.alignment.rejected
        if not rejected or not link.src:
            return []
        if self._rejections[0] is not rejected:  # the list is replaced on every change
            by_src: dict[str, list[Rejection]] = {}
            for rejection in rejected:
                for sid in rejection.src:
                    by_src.setdefault(sid, []).append(rejection)
            self._rejections = (rejected, by_src)
        own = pair_of(link) if link.status == Status.REJECTED else None
        found = {
            r.pair: r for sid in link.src for r in self._rejections[1].get(sid, ()) if r.pair != own
        }
        return list(found.values())

    def rejected_targets(self, link: Link) -> dict[str, Rejection]:
        """English sentences that make a standing rejected pair with ``link``'s source alone
        (listed, or a rejected row): the re-link picker dims them, ranks them last and asks
        before linking one."""
        src = tuple(link.src)
        found = {r.tgt[0]: r for r in self.alignment.rejected if r.src == src and len(r.tgt) == 1}
        for row in self.alignment.links:
            if row.status == Status.REJECTED and tuple(row.src) == src and len(row.tgt) == 1:
                found.setdefault(row.tgt[0], Rejection.of_link(row))
        return found

    def unlinked_targets(self) -> list[str]:
        """English sentences of the alignment's English documents that no link uses (rejected
        links do not count as a use)."""
        used = {
            t for link in self.alignment.links if link.status != Status.REJECTED for t in link.tgt
        }
        docs = {doc.id: doc for doc in self.corpus.documents}
        return [
            s.id
            for doc_id in self.alignment.tgt_docs
            if doc_id in docs
            for s in docs[doc_id].sentences
            if s.id not in used
        ]

    def view(self, name: str) -> list[int] | None:
        """Link positions that pass filter ``name`` (``None``: every link)."""
        if name == "all":
            return None
        try:
            keep = FILTERS[name][1]
        except KeyError:
            raise WorkbenchError(f"unknown filter {name!r}; known: {', '.join(FILTERS)}") from None
        return [i for i, link in enumerate(self.alignment.links) if keep(link, self.bands)]

    def matcher(self, query: str) -> Callable[[Link], bool]:
        """A predicate for a search: a regex over both sides (``src:``, ``en:``/``tgt:``,
        ``id:`` narrow it to the source text and its MT, the English text, or ids)."""
        scope, _, rest = query.partition(":")
        scope = scope.strip().lower()
        if rest and scope in ("src", "en", "tgt", "id"):
            query = rest.lstrip()
        else:
            scope = "both"
        try:
            pattern = re.compile(query, re.IGNORECASE)
        except re.error as exc:
            raise WorkbenchError(f"not a valid regular expression: {exc}") from None

        def match(link: Link) -> bool:
            if scope == "id":
                return any(pattern.search(x) for x in (link.id, *link.src, *link.tgt))
            if scope in ("src", "both") and any(
                pattern.search(self.text(s)) or pattern.search(self.mt.get(s, "")) for s in link.src
            ):
                return True
            return scope in ("en", "tgt", "both") and any(
                pattern.search(self.text(t)) for t in link.tgt
            )

        return match

    def search(self, query: str, start: int, positions: list[int] | None = None) -> int | None:
        """The first link position after ``start`` (wrapping) that matches ``query``."""
        match = self.matcher(query)
        links = self.alignment.links
        order = positions if positions is not None else range(len(links))
        order = list(order)
        if not order:
            return None
        import bisect

        first = bisect.bisect_right(order, start)
        for k in range(len(order)):
            i = order[(first + k) % len(order)]
            if match(links[i]):
                return i
        return None

    def candidates(self, link: Link) -> list[tuple[float, str]]:
        """Every sentence of the target language, ranked by chrF against the link's source
        MT (or its source text when there is no MT): ``[(score 0..1, sentence id)]``."""
        sids = [s.id for d in self.corpus.by_language(self.alignment.tgt_lang) for s in d.sentences]
        if not sids:
            return []
        query = self.mt_text(link.src) or self.side_text(link.src)
        texts = [self.text(sid) for sid in sids]
        scores = chrf_scores(query, texts) if query.strip() else [0.0] * len(texts)
        ranked = sorted(zip(scores, sids, strict=True), key=lambda pair: (-pair[0], pair[1]))
        return [(float(score), sid) for score, sid in ranked]

    def users(self) -> dict[str, str]:
        """Target sentence id -> the link that uses it."""
        return {sid: link.id for link in self.alignment.links for sid in link.tgt}


def chrf_scores(query: str, texts: list[str]) -> list[float]:
    """chrF (0..1) of ``query`` against each text: the vectorised scorer if present, else sacrebleu."""
    try:
        from workbench.align.chrf import chrf_matrix
    except ImportError:
        from sacrebleu.metrics import CHRF

        metric = CHRF()
        return [metric.sentence_score(query, [text]).score / 100 for text in texts]
    return [float(x) / 100 for x in chrf_matrix([query], texts)[0]]
