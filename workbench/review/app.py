"""The review app: a shell over :class:`~workbench.store.session.ReviewSession`.

Build it with :func:`make_app` (what ``workbench review`` and the tests call). The app only
renders and calls session operations; every decision is journaled by the session before
the screen shows it.
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer

from workbench.corpus.model import Corpus
from workbench.errors import ConfigError, WorkbenchError
from workbench.jobs.rescoring import LinkRescorer
from workbench.review.actions import ACTIONS, keymap_problems
from workbench.review.data import FILTERS, ReviewData, ScoreBands, corpus_validator, load_mt
from workbench.review.screens import (
    ChoiceScreen,
    DetailScreen,
    EditScreen,
    FilterScreen,
    HelpScreen,
    PromptScreen,
    RelinkScreen,
)
from workbench.review.widgets import REJECTED_MARK, DetailPanel, LinkList, StatusBar
from workbench.settings import ReviewSettings
from workbench.store.files import gc_paused
from workbench.store.history import ChangeRejections, ReplaceLinks, Transaction
from workbench.store.lock import current_user
from workbench.store.model import Link, Status, now_iso
from workbench.store.ops import OpError, sort_in_article_order
from workbench.store.session import ReviewSession

MIN_SIZE = (80, 24)
LOAD_ALIGNER_AFTER_S = 0.5  # after opening, the aligner's scorer is loaded in the background
SORT_ON_OPEN_LIMIT = 5_000  # links; longer files are sorted by `workbench align` / R


class ReviewApp(App[None]):
    CSS_PATH = "review.tcss"
    TITLE = "workbench review"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding(a.keys, a.action, a.description, show=a.show, id=a.id) for a in ACTIONS]

    def __init__(self, data: ReviewData, settings: ReviewSettings | None = None) -> None:
        super().__init__()
        self.data = data
        self.settings = settings or ReviewSettings()
        self.show_mt = self.settings.show_mt
        self.filter_name = "all"
        self.last_search = ""
        self._small_warned = False
        self.close_error: WorkbenchError | None = None  # a final snapshot that failed
        self.corpus_dir: Path | None = None  # for re-aligning (MT is read from there)
        self.align_settings: Any = None  # AlignSettings; None: the defaults
        self._prefetching = False  # a scorer context is being built in the background
        self._rescorer_reported = False

    @property
    def session(self) -> ReviewSession:
        return self.data.session

    def compose(self) -> ComposeResult:
        yield LinkList(self.data, id="links")
        yield DetailPanel(id="detail")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.set_keymap(dict(self.settings.keymap))
        self.sub_title = str(self.session.path)
        links = self.query_one(LinkList)
        links.update_size()
        links.focus()
        start = 0
        if self.session.cursor is not None:
            try:
                start = self.session.index(self.session.cursor)
            except KeyError:
                start = 0
        elif (first := self.session.first_pending()) is not None:
            start = first
        links.set_cursor(start)
        self.call_after_refresh(lambda: links.scroll_to_row(links.cursor))  # once laid out
        self.call_after_refresh(self._prepare_journal)
        if self.session.rescorer is not None:  # once the screen is up: the first edit then
            # waits for no import, and opening waits for nothing
            self.set_timer(
                LOAD_ALIGNER_AFTER_S,
                lambda: self.run_worker(self._load_aligner, thread=True, exit_on_error=False),
            )
        for notice in self.session.notices:
            self.notify(notice, title="review session", timeout=8)
        self.refresh_panels()

    def _load_aligner(self) -> None:
        """Import the aligner's scorer (numpy, scipy) and build its context for the current
        link's documents, in a thread: the first edit then waits for neither, and the detail
        panel says which features drive a score."""
        from workbench.align.explain import aligner_weights

        weights = aligner_weights()
        index, rescorer = self.current_index(), self.session.rescorer
        if index is not None and rescorer is not None:  # the scorer for where the reviewer is
            rescorer.context(self.data.alignment, self.data.alignment.links[index])
            gc.freeze()  # the context lives long: keep it out of the collector's scans

        def ready() -> None:
            self.data.weights = weights
            self.refresh_panels()
            self._report_rescorer()

        self.call_from_thread(ready)

    def _report_rescorer(self) -> None:
        """Say once why rescoring goes without the sentence encoder (it failed to run)."""
        rescorer = self.session.rescorer
        if rescorer is not None and rescorer.problem and not self._rescorer_reported:
            self._rescorer_reported = True
            self.notify(rescorer.problem, severity="warning", timeout=10)

    def _prepare_journal(self) -> None:
        try:
            self.session.prepare()
        except (WorkbenchError, OSError) as exc:  # the first decision will say it again
            self.notify(f"cannot write the journal: {exc}", severity="error")

    def on_unmount(self) -> None:
        try:
            self.session.close()
        except WorkbenchError as exc:
            self.close_error = exc

    def on_resize(self, event: Resize) -> None:
        small = event.size.width < MIN_SIZE[0] or event.size.height < MIN_SIZE[1]
        if small and not self._small_warned:
            self.notify(
                f"the terminal is smaller than {MIN_SIZE[0]}x{MIN_SIZE[1]}; enlarge it",
                severity="warning",
            )
        self._small_warned = small

    # -- helpers -----------------------------------------------------------------------------

    @property
    def links(self) -> LinkList:
        return self.query_one(LinkList)

    def current_index(self) -> int | None:
        links = self.links
        return links.link_index(links.cursor) if links.rows else None

    def refresh_panels(self) -> None:
        links = self.links
        index = self.current_index()
        self.query_one(DetailPanel).show(self.data, index, self.show_mt)
        self.query_one(StatusBar).show(self.data, links.cursor, links.rows, index, self.filter_name)
        self.session.set_cursor(self.data.alignment.links[index].id if index is not None else None)
        if index is not None:
            self._prefetch(index)

    def _prefetch(self, index: int) -> None:
        """Build the scorer's context for the link under the cursor in the background, so that
        an edit there waits for no context (once the aligner is loaded; one build at a time)."""
        rescorer, alignment = self.session.rescorer, self.data.alignment
        if rescorer is None or self.data.weights is None or self._prefetching:
            return
        link = alignment.links[index]
        if rescorer.ready(alignment, link):
            return
        self._prefetching = True

        def build() -> None:
            try:
                rescorer.context(alignment, link)
                gc.freeze()
            finally:
                self._prefetching = False
            self.call_from_thread(self.refresh_panels)  # e.g. a 1-0 row's best candidate

        self.run_worker(build, thread=True, exit_on_error=False)

    def go_to_index(self, index: int) -> None:
        links = self.links
        row = links.row_of(index)
        if row is None:  # filtered out: show everything again rather than hide the link
            self.filter_name = "all"
            links.set_view(None)
            row = index
        links.set_cursor(row)
        self.refresh_panels()

    def run_op(
        self, op: Callable[[int], Transaction | None], then_next: bool = False
    ) -> Transaction | None:
        index = self.current_index()
        if index is None:
            return None
        try:
            transaction = op(index)
        except OpError as exc:
            self.notify(str(exc), severity="warning")
            return None
        except WorkbenchError as exc:  # e.g. the disk refused the journal: nothing was changed
            self.notify(f"not saved, not done: {exc}", severity="error", timeout=10)
            return None
        self.after_change(transaction)
        if transaction is not None and transaction.notice:  # e.g. a merge made a rejected pair
            self.notify(transaction.notice, timeout=6)
        self._report_rescorer()
        if transaction is not None and then_next:
            self.action_pending(1)
        if self.session.snapshot_error is not None:
            self.notify(str(self.session.snapshot_error), severity="error", timeout=15)
            self.session.snapshot_error = None
        return transaction

    def after_change(self, transaction: Transaction | None) -> None:
        links = self.links
        if transaction is None:
            return
        positions = changed_positions(transaction)
        target = transaction.cursor
        target_index = None
        if target is not None:
            try:
                target_index = self.session.index(target)
            except KeyError:
                target_index = None
        if self.filter_name != "all" and positions is None:
            # links moved: filter again, but never hide the link just changed
            view = self.data.view(self.filter_name) or []
            if target_index is not None and target_index not in set(view):
                bisect.insort(view, target_index)
            links.view = view
        # links changed in place stay in the filtered view: filters never hide edits
        links.changed(positions)
        links.update_size()
        if target_index is not None:
            self.go_to_index(target_index)
            return
        links.set_cursor(links.cursor)
        self.refresh_panels()

    # -- actions -----------------------------------------------------------------------------

    def action_approve(self) -> None:
        index = self.current_index()
        link = self.data.alignment.links[index] if index is not None else None
        best = self.data.best_candidates(link, 1) if link is not None else []
        if link is None or link.tgt or not best or link.status == Status.APPROVED:
            self.run_op(self.session.approve, then_next=True)
            return
        score, sid = best[0]

        def done(choice: str | None) -> None:
            if choice == "link":  # a new pair, pending, scored: the reviewer looks, then decides
                self.run_op(lambda i: self.session.relink(i, [sid]))
            elif choice == "approve":
                self.run_op(self.session.approve, then_next=True)

        self.push_screen(
            ChoiceScreen(
                f"{self.data.position(link.src[0])} has no English counterpart in this link",
                [
                    (
                        "link",
                        f"link it to the best candidate {self.data.position(sid)} "
                        f"(score {score:.2f}): {self.data.text(sid)}",
                    ),
                    ("approve", "approve: there is no counterpart"),
                ],
            ),
            done,
        )

    def action_reject(self) -> None:
        self.run_op(self.session.reject, then_next=True)

    def action_flag(self) -> None:
        self.run_op(self.session.toggle_flag, then_next=True)

    def action_merge_next(self) -> None:
        self.run_op(self.session.merge_next)

    def action_merge_previous(self) -> None:
        self.run_op(self.session.merge_previous)

    def action_split(self) -> None:
        self.run_op(self.session.split)

    def action_undo(self) -> None:
        self._history(self.session.undo, "nothing to undo", "undone")

    def action_redo(self) -> None:
        self._history(self.session.redo, "nothing to redo", "redone")

    def _history(self, call: Callable[[], Transaction | None], empty: str, verb: str) -> None:
        try:
            transaction = call()
        except WorkbenchError as exc:
            self.notify(f"not saved, not done: {exc}", severity="error")
            return
        if transaction is None:
            self.notify(empty, severity="warning", timeout=2)
            return
        self.after_change(transaction)
        self.notify(f"{verb}: {transaction.label}", timeout=2)

    def action_move(self, step: int) -> None:
        links = self.links
        if links.rows:
            links.set_cursor(links.cursor + step)
            self.refresh_panels()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.links.scrollable_content_region.height - 1))

    def action_jump(self, where: str) -> None:
        links = self.links
        if links.rows:
            links.set_cursor(0 if where == "first" else links.rows - 1)
            self.refresh_panels()

    def action_pending(self, step: int) -> None:
        links = self.links
        index = self.current_index()
        if index is None:
            return
        if links.view is None:
            found = self.session.next_pending(index, step)
            row = found
        else:
            row = None
            for k in range(1, links.rows + 1):
                candidate = (links.cursor + step * k) % links.rows
                if self.data.alignment.links[links.view[candidate]].status.pending:
                    row = candidate
                    break
        if row is None or (
            row == links.cursor and not self.data.alignment.links[index].status.pending
        ):
            self.notify("no pending link left: everything is reviewed", timeout=3)
            return
        links.set_cursor(row)
        self.refresh_panels()

    def action_toggle_mt(self) -> None:
        self.show_mt = not self.show_mt
        self.refresh_panels()

    def action_details(self) -> None:
        self.push_screen(DetailScreen(self.query_one(DetailPanel).content))

    def action_unlinked(self) -> None:
        ids = self.data.unlinked_targets()
        lang = self.data.alignment.tgt_lang.upper()
        text = Text(f"{len(ids)} {lang} sentence(s) linked to nothing (r on a row links one)\n")
        for sid in ids:
            text.append(f"\n{self.data.position(sid)} ", style="cyan")
            text.append(self.data.text(sid))
        self.push_screen(DetailScreen(text))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(dict(self.settings.keymap)))

    def action_quit_review(self) -> None:
        try:
            self.session.close()
        except WorkbenchError as exc:  # reported by the command once the screen is closed
            self.close_error = exc
        self.exit()

    def action_goto(self) -> None:
        def done(value: str | None) -> None:
            if not value:
                return
            try:
                number = int(value.strip().lstrip("#"))
            except ValueError:
                self.notify(f"not a link number: {value!r}", severity="warning")
                return
            if not 1 <= number <= len(self.data.alignment.links):
                self.notify(f"there are {len(self.data.alignment.links)} links", severity="warning")
                return
            self.go_to_index(number - 1)

        self.push_screen(
            PromptScreen("Go to link number", f"1..{len(self.data.alignment.links)}"), done
        )

    def action_search(self) -> None:
        def done(value: str | None) -> None:
            if value is None:
                return
            query = value or self.last_search
            if not query:
                return
            self.last_search = query
            index = self.current_index()
            try:
                found = self.data.search(query, -1 if index is None else index, self.links.view)
            except WorkbenchError as exc:
                self.notify(str(exc), severity="warning")
                return
            if found is None:
                self.notify(f"no match for {query!r}", severity="warning")
            else:
                self.go_to_index(found)

        prompt = "Search (regex; src: en: id: narrow the side; empty repeats the last search)"
        self.push_screen(PromptScreen(prompt, self.last_search or "regex"), done)

    def action_filter(self) -> None:
        def done(name: str | None) -> None:
            if name is None:
                return
            index = self.current_index()
            view = self.data.view(name)
            if view is not None and not view:
                self.notify(f"no link is {FILTERS[name][0]}", severity="warning")
                return
            self.filter_name = name
            links = self.links
            links.set_view(view)
            links.set_cursor(links.nearest_row(index or 0))
            self.refresh_panels()

        counts = {
            name: len(v)
            if (v := self.data.view(name)) is not None
            else len(self.data.alignment.links)
            for name in FILTERS
        }
        self.push_screen(FilterScreen(counts, self.filter_name), done)

    def action_edit(self) -> None:
        index = self.current_index()
        if index is None:
            return
        link = self.data.alignment.links[index]
        if not link.src and not link.tgt:
            return

        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            sid, text = result
            self.run_op(lambda i: self.session.edit_text(sid, text, self.data.original(sid), i))

        self.push_screen(EditScreen(self.data, link), done)

    def action_relink(self) -> None:
        index = self.current_index()
        if index is None:
            return
        link = self.data.alignment.links[index]

        def done(chosen: list[str] | None) -> None:
            if chosen:
                self._relink_confirmed(link, chosen)

        self.push_screen(RelinkScreen(self.data, link), done)

    def _relink_confirmed(self, link: Link, chosen: list[str]) -> None:
        """Re-link to ``chosen``; a standing rejected pair only once the reviewer confirms,
        and then the same operation lifts the rejection (u restores it)."""
        pair = (tuple(link.src), tuple(chosen))
        rejection = self.data.alignment.rejection(pair) if chosen != link.tgt else None
        if rejection is None:
            self.run_op(lambda i: self.session.relink(i, chosen))
            return

        def answer(choice: str | None) -> None:
            if choice == "lift":
                self.run_op(lambda i: self.session.relink(i, chosen, lift=True))

        who = " ".join(x for x in (rejection.reviewer, rejection.time) if x)
        english = ", ".join(self.data.position(t) for t in chosen)
        self.push_screen(
            ChoiceScreen(
                f"{REJECTED_MARK}{english} was rejected with this source"
                + (f" ({who})" if who else ""),
                [
                    ("keep", "keep the rejection: do not link"),
                    ("lift", "link it anyway and lift the rejection (u restores it)"),
                ],
            ),
            answer,
        )

    def action_realign(self) -> None:
        from workbench.jobs.realign import realign_session
        from workbench.settings import AlignSettings

        self.notify("re-aligning the links not yet reviewed...", timeout=2)
        settings = self.align_settings or AlignSettings()
        try:
            transaction, summary = realign_session(
                self.session, self.data.corpus, self.corpus_dir, settings
            )
        except WorkbenchError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.after_change(transaction)
        self.notify(f"re-aligned: {summary} (u undoes it)", timeout=6)

    def on_link_list_clicked(self, message: LinkList.Clicked) -> None:
        self.links.set_cursor(message.row)
        self.refresh_panels()


def _sort_on_open(session: ReviewSession) -> None:
    """A file written before article order was the rule is put in that order, as one
    journaled step the reviewer can undo (files up to ``SORT_ON_OPEN_LIMIT`` links)."""
    if len(session.alignment.links) > SORT_ON_OPEN_LIMIT:
        return
    try:
        done = session.execute(sort_in_article_order(session.alignment, session.cursor))
    except WorkbenchError as exc:  # the journal refused: shown as it is
        session.notices.append(f"links not put in article order: {exc}")
        return
    if done is not None:
        session.notices.append(
            "links put in article order (source document, position); u undoes it"
        )


def changed_positions(transaction: Transaction) -> set[int] | None:
    """Link positions a transaction changed in place, or ``None`` if it moved links or text."""
    positions: set[int] = set()
    for step in transaction.steps:
        if isinstance(step, ChangeRejections):  # no row moves (the rejected pairs list)
            continue
        if not isinstance(step, ReplaceLinks) or [x.id for x in step.old] != [
            x.id for x in step.new
        ]:
            return None
        positions.update(range(step.at, step.at + len(step.new)))
    return positions


def make_app(
    alignment_path: str | Path,
    corpus_dir: str | Path | None = None,
    *,
    corpus: Corpus | None = None,
    settings: ReviewSettings | None = None,
    reviewer: str | None = None,
    clock: Callable[[], str] = now_iso,
    take_over: bool = False,
    mt: dict[str, str] | None = None,
    align_settings: Any = None,
    corpus_settings: Any = None,
) -> ReviewApp:
    """Open a review session on ``alignment_path`` and build the app around it.

    ``corpus`` (already ingested) saves the ingest; otherwise ``corpus_dir`` is ingested.
    Raises :class:`WorkbenchError` (nothing written, nothing locked) when the file cannot be
    reviewed: missing, damaged, read-only, locked, or naming sentences the corpus lacks.
    """
    settings = settings or ReviewSettings()
    problems = keymap_problems(settings.keymap)
    if problems:
        raise ConfigError(f"[review] keymap: {'; '.join(problems)}")
    path = Path(alignment_path)
    if corpus is None:
        corpus = _ingest_for_review(corpus_dir, corpus_settings)
    reviewer = reviewer or settings.reviewer or current_user()
    session = _open_session(path, corpus, reviewer, settings, clock, take_over)
    notice = None
    if mt is None:
        mt, notice = load_mt(
            Path(corpus_dir) if corpus_dir is not None else None, session.alignment.tgt_lang
        )
    if notice:
        session.notices.append(notice)
    _sort_on_open(session)
    if settings.rescore:
        session.rescorer = LinkRescorer(corpus, mt, align_settings)
    data = ReviewData(session, corpus, mt, ScoreBands(settings.score_low, settings.score_high))
    app = ReviewApp(data, settings)
    app.corpus_dir = Path(corpus_dir) if corpus_dir is not None else None
    app.align_settings = align_settings
    return app


def _ingest_for_review(corpus_dir: str | Path | None, corpus_settings: Any) -> Corpus:
    """The corpus of ``corpus_dir`` with the user's ``[corpus]`` settings (languages, suffixes,
    size limit), never the defaults."""
    if corpus_dir is None:
        raise WorkbenchError("make_app needs a corpus or a corpus folder")
    from workbench.corpus.ingest import ingest
    from workbench.settings import load_settings

    return ingest(Path(corpus_dir), corpus_settings or load_settings().corpus)


def _open_session(
    path: Path,
    corpus: Corpus,
    reviewer: str,
    settings: ReviewSettings,
    clock: Callable[[], str],
    take_over: bool,
) -> ReviewSession:
    """The review session on ``path`` (locked, loaded, recovered), checked against ``corpus``."""
    with gc_paused():
        session = ReviewSession.open(
            path,
            reviewer,
            take_over=take_over,
            validate=corpus_validator(corpus, path),
            clock=clock,
            snapshot_every=settings.snapshot_every,
            snapshot_seconds=settings.snapshot_seconds,
        )
        # the links and corpus live as long as the app: keep them out of the cyclic
        # collector's scans, which otherwise stall keystrokes on long files
        gc.freeze()
    return session
