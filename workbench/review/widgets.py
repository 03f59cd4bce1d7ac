"""Widgets of the review screen: the link list (Line API, only visible rows rendered),
the detail panel and the status bar."""

from __future__ import annotations

import bisect

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from workbench.align.explain import contributions, named_features
from workbench.review.data import ReviewData
from workbench.store.model import Link, Status

STATUS_GLYPH = {Status.AUTO: "·", Status.APPROVED: "✓", Status.REJECTED: "✗", Status.FLAGGED: "⚑"}
STATUS_STYLE = {
    Status.AUTO: Style(color="grey62"),
    Status.APPROVED: Style(color="green3", bold=True),
    Status.REJECTED: Style(color="red3", bold=True),
    Status.FLAGGED: Style(color="yellow3", bold=True),
}
BAND_STYLE = {
    "high": Style(color="green3"),
    "mid": Style(color="yellow3"),
    "low": Style(color="red3"),
    "none": Style(color="grey50"),
}
CURSOR_STYLE = Style(bgcolor="grey27", bold=True)
DIM = Style(color="grey58", italic=True)
SEPARATOR = " │ "
REJECTED_MARK = "⊘ "  # before the source: a pair of it was rejected (the detail panel names it)
LONG_LIST = 5000  # rows above which the scrollable height is rounded up (see virtual_rows)
ROW_BLOCK = 1024


def score_text(score: float | None) -> str:
    return "  -  " if score is None else f"{score:5.2f}"


def fit(text: str, width: int) -> str:
    """``text`` on one line, cut or padded to exactly ``width`` terminal cells (Thai-safe)."""
    if width <= 0:
        return ""
    # a cell holds at most a few code points (base + combining marks): cut long texts early
    text = " ".join(text[: 4 * width + 8].split())
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class LinkList(ScrollView, can_focus=True, inherit_bindings=False):
    """One line per link, rendered on demand: a 100,000-link file costs what the screen shows."""

    DEFAULT_CSS = """
    LinkList { height: 1fr; }
    """

    class Clicked(Message):
        def __init__(self, row: int) -> None:
            self.row = row
            super().__init__()

    def __init__(self, data: ReviewData, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = data
        self.view: list[int] | None = None
        self.cursor = 0
        self.generation = 0  # bumped on every data change: invalidates cached lines
        self._lines: LRUCache[tuple[int, int, bool, int], Strip] = LRUCache(1024)

    def changed(self, positions: set[int] | None = None) -> None:
        """The alignment changed at link ``positions`` (``None``: anywhere): drop stale lines."""
        if positions is None:
            self.generation += 1
            self._lines.clear()
            self.refresh()
            return
        for key in [k for k in self._lines.keys() if k[0] in positions]:  # noqa: SIM118 (LRUCache)
            self._lines.discard(key)
        for index in positions:
            row = self.row_of(index)
            if row is not None:
                self.refresh_line(row)

    # -- rows and positions ----------------------------------------------------------------

    @property
    def rows(self) -> int:
        return len(self.data.alignment.links) if self.view is None else len(self.view)

    def link_index(self, row: int) -> int:
        return row if self.view is None else self.view[row]

    def row_of(self, index: int) -> int | None:
        """The row showing link position ``index``, or ``None`` when filtered out."""
        if self.view is None:
            return index if 0 <= index < self.rows else None
        k = bisect.bisect_left(self.view, index)
        return k if k < len(self.view) and self.view[k] == index else None

    def nearest_row(self, index: int) -> int:
        if self.view is None:
            return max(0, min(index, self.rows - 1))
        return max(0, min(bisect.bisect_left(self.view, index), self.rows - 1))

    def set_view(self, view: list[int] | None) -> None:
        self.view = view
        self.update_size()
        self.refresh()

    def virtual_rows(self) -> int:
        """The scrollable height: the row count, rounded up to a multiple of ``ROW_BLOCK`` on
        long lists, so that a merge or split (one row less or more) needs no layout pass."""
        rows = self.rows
        return rows if rows <= LONG_LIST else -(-rows // ROW_BLOCK) * ROW_BLOCK

    @property
    def max_scroll_y(self) -> int:
        """Scrolling stops at the last real row (not at the rounded-up height)."""
        return max(0, self.rows - (self.container_size.height - self.scrollbar_size_horizontal))

    def update_size(self) -> None:
        """Fit the scrollable height to the rows (a layout pass only when it changes)."""
        self.cursor = max(0, min(self.cursor, self.rows - 1))
        size = Size(0, self.virtual_rows())  # width 0: no horizontal scrolling
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    def set_cursor(self, row: int) -> None:
        row = max(0, min(row, self.rows - 1))
        old, self.cursor = self.cursor, row
        self.refresh_line(old)
        self.refresh_line(row)
        self.scroll_to_row(row)

    def scroll_to_row(self, row: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def refresh_line(self, row: int) -> None:
        y = row - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            super().refresh_line(y)

    # -- rendering -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if row >= self.rows:
            return Strip.blank(width, self.rich_style)
        index = self.link_index(row)
        key = (index, self.generation, row == self.cursor, width)
        strip = self._lines.get(key)
        if strip is None:
            link = self.data.alignment.links[index]
            strip = Strip(self.line_segments(index, link, width), width)
            if row == self.cursor:
                strip = strip.apply_style(CURSOR_STYLE)
            strip = strip.crop_extend(0, width, None)
            self._lines[key] = strip
        return strip

    def line_segments(self, index: int, link: Link, width: int) -> list[Segment]:
        band = self.data.bands.band(link.score)
        marker = "!" if link.flags else " "
        head = [
            Segment(f"{index + 1:>7} "),
            Segment(STATUS_GLYPH[link.status], STATUS_STYLE[link.status]),
            Segment(f" {link.kind:>5}"),
            Segment(marker, Style(color="red3", bold=True)),
            Segment(score_text(link.score), BAND_STYLE[band]),
            Segment(" "),
        ]
        used = sum(cell_len(s.text) for s in head)
        room = max(0, width - used - len(SEPARATOR))
        left, right = room // 2, room - room // 2
        src = self.data.side_text(link.src) or "(no source sentence)"
        tgt = self.data.side_text(link.tgt) or "(no English sentence)"
        if self.data.rejections_of(link):  # a pair of this source was rejected before
            head.append(Segment(REJECTED_MARK, DIM))
            left = max(0, left - cell_len(REJECTED_MARK))
        return [
            *head,
            Segment(fit(src, left), None if link.src else DIM),
            Segment(SEPARATOR, Style(color="grey42")),
            Segment(fit(tgt, right), None if link.tgt else DIM),
        ]

    def on_click(self, event: Click) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < self.rows:
            self.post_message(self.Clicked(row))


class TextPanel(Widget):
    """A fixed-size text panel: new content repaints it without a layout pass (fast keys)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._content: Text = Text()

    @property
    def content(self) -> Text:
        return self._content

    def update(self, content: Text) -> None:
        self._content = content
        self.refresh()

    def render(self) -> Text:
        return self._content


class DetailPanel(TextPanel):
    """The current link in full: every sentence, wrapped, with its MT and position.

    Its size is fixed (no layout pass per key); what does not fit is cut with a pointer
    to the full view (``enter``).
    """

    MORE = "… more: enter shows the whole link"

    def render(self) -> Text:
        width, height = self.content_region.width, self.content_region.height
        if width <= 0 or height <= 1:
            return self._content
        lines = self._content.wrap(self.app.console, width)
        if len(lines) <= height:
            return self._content
        shown = Text("\n").join(lines[: height - 1])
        return shown + Text("\n" + self.MORE, style=Style(color="cyan", italic=True))

    def show(self, data: ReviewData, index: int | None, show_mt: bool = True) -> None:
        if index is None:
            self.update(Text("No link matches the filter.", style="italic"))
            return
        link = data.alignment.links[index]
        text = Text()
        band = data.bands.band(link.score)
        text.append(f"#{index + 1} {link.id}  ", style="bold")
        text.append(f"{link.kind}  ")
        text.append(f"{STATUS_GLYPH[link.status]} {link.status}", STATUS_STYLE[link.status])
        text.append("  score ")
        text.append(score_text(link.score).strip(), BAND_STYLE[band])
        if link.src and not link.tgt and link.score is not None:
            text.append(" (confidence that none exists)", DIM)
        if link.features:
            text.append("  with MT" if link.features.get("mt") else "  no MT", DIM)
        if link.reviewer and link.modified:
            text.append(f"  · {link.reviewer} {link.modified}", DIM)
        self._evidence(text, link, data.weights)
        lang = data.alignment.src_lang.upper()
        for sid in link.src:
            self._sentence(text, data, lang, sid)
            if show_mt and sid in data.mt:
                text.append("\n      MT: ", DIM)
                text.append(data.mt[sid], DIM)
        if not link.src:
            text.append(f"\n{lang}  (no source sentence: 0-{len(link.tgt)})", DIM)
        tlang = data.alignment.tgt_lang.upper()
        for sid in link.tgt:
            self._sentence(text, data, tlang, sid)
        if not link.tgt:
            text.append(f"\n{tlang}  (no English sentence: {len(link.src)}-0)", DIM)
            best = data.best_candidates(link, 1, wait=False)
            if best is None:
                text.append("\n      best candidate: being computed…", DIM)
            for score, sid in best or []:
                text.append("\n      best candidate ", DIM)
                text.append(f"{data.position(sid)} score {score:.2f}", Style(color="cyan"))
                text.append(f" (a links it): {data.text(sid)}", DIM)
        self._rejections(text, data, link)
        for flag in link.flags:
            text.append(f"\n⚠ {flag.kind}: {flag.src} ≠ {flag.tgt}", Style(color="red3", bold=True))
            if flag.detail:
                text.append(f"  ({flag.detail})", DIM)
        if link.note:
            text.append(f"\nnote: {link.note}", Style(color="yellow3"))
        self.update(text)

    @staticmethod
    def _evidence(text: Text, link: Link, weights) -> None:
        """What drives the score (weight x feature, largest first), then the named features."""
        drivers = contributions(link.features, weights)
        if drivers:
            parts = [*drivers[:-1][:4], drivers[-1]]  # the four largest, and the bias
            shown = ", ".join(f"{name} {value:+.1f}" for name, value in parts)
            text.append(f"\nscore driven by: {shown}", DIM)
        named = named_features(link.features)
        if named:  # one line: cut where it would wrap
            text.append("\n" + "; ".join(f"{name} {value:.2f}" for name, value in named), DIM)

    @staticmethod
    def _rejections(text: Text, data: ReviewData, link: Link) -> None:
        """The standing rejections of this link's source, dimmed: never proposed again."""
        for rejection in data.rejections_of(link):
            english = ", ".join(data.position(t) for t in rejection.tgt) or "no counterpart (1-0)"
            who = " ".join(x for x in (rejection.reviewer, rejection.time) if x)
            text.append(f"\n{REJECTED_MARK}rejected: {english}", DIM)
            text.append(f" · {who}" if who else "", DIM)
            text.append(" (never proposed again)", DIM)

    @staticmethod
    def _sentence(text: Text, data: ReviewData, lang: str, sid: str) -> None:
        text.append(f"\n{lang} ", Style(bold=True))
        text.append(f"{data.position(sid)}", Style(color="cyan"))
        if sid in data.alignment.edits:
            text.append(" (edited)", Style(color="magenta"))
        text.append(f"\n      {data.text(sid)}")


class StatusBar(TextPanel):
    """Counts and percentages per status, the first pending link, position, filter, saving."""

    def show(
        self, data: ReviewData, row: int, rows: int, index: int | None, filter_name: str
    ) -> None:
        session = data.session
        counts = session.counts()
        total = max(1, len(data.alignment.links))
        text = Text()
        for status in Status:
            n = counts[status]
            text.append(
                f"{STATUS_GLYPH[status]} {status} {n} ({100 * n / total:.0f}%)  ",
                STATUS_STYLE[status],
            )
        first = session.first_pending()
        text.rstrip()
        text.append("\nfirst pending " + (f"#{first + 1}" if first is not None else "none") + "  ")
        where = f"#{index + 1}" if index is not None else "-"
        text.append(f"at {where} ({row + 1 if rows else 0}/{rows})")
        if filter_name != "all":
            text.append(f"  filter: {filter_name}", Style(color="cyan"))
        text.append("  journaled" if session.dirty else "  saved", DIM)
        self.update(text)
