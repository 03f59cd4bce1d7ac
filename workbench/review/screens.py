"""Modal screens: help, prompt (search, go to), filter, edit, re-link picker."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from workbench.review.actions import ACTIONS, active_keys, key_label
from workbench.review.data import FILTERS, ReviewData
from workbench.review.widgets import (
    BAND_STYLE,
    DIM,
    REJECTED_MARK,
    STATUS_GLYPH,
    STATUS_STYLE,
    fit,
)
from workbench.store.model import Link, Status


class HelpScreen(ModalScreen[None]):
    """Every action with its current keys, generated from the action registry."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keys = active_keys(self.keymap)
        table = Table(title="workbench review — keys", expand=True, show_edge=False)
        table.add_column("keys", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("id (for keymap)", style="grey58", no_wrap=True)
        for action in ACTIONS:
            table.add_row(" ".join(key_label(k) for k in keys[action.id]), action.help, action.id)
        with VerticalScroll(id="help-box", classes="modal-box"):
            yield Static(table)
            yield Static(legend())
            yield Label(
                Text(
                    'Keys are remappable by id: [review] keymap = {approve = "enter,a"} '
                    "in workbench.toml. Esc closes."
                )
            )


def legend() -> Table:
    """What the glyphs and colours of a row mean (README: docs/review.md)."""
    table = Table(title="what a row shows", expand=True, show_edge=False, show_header=False)
    table.add_column("glyph", no_wrap=True)
    table.add_column("meaning")
    for status, meaning in (
        (Status.AUTO, "auto: proposed by the aligner, not reviewed (pending)"),
        (Status.APPROVED, "approved"),
        (Status.REJECTED, "rejected: a negative decision, never proposed again"),
        (Status.FLAGGED, "flagged for a second opinion (pending)"),
    ):
        table.add_row(Text(STATUS_GLYPH[status], STATUS_STYLE[status]), meaning)
    table.add_row(Text("!", "bold red3"), "discrepancy: numbers or dates disagree (details below)")
    table.add_row(
        Text(REJECTED_MARK.strip(), DIM),
        "a pair of this source was rejected (never proposed again)",
    )
    table.add_row("1-1 2-1 1-0", "source sentences - English sentences; 1-0: no counterpart")
    table.add_row(Text("0.82", BAND_STYLE["high"]), "score >= high band (settings score_high)")
    table.add_row(Text("0.55", BAND_STYLE["mid"]), "score in the middle band")
    table.add_row(Text("0.21", BAND_STYLE["low"]), "score < low band (settings score_low)")
    table.add_row(Text("  -", BAND_STYLE["none"]), "no score (nothing to compare)")
    table.add_row(
        "score",
        "the aligner's calibrated probability that the pair is right (1-0: that none "
        "exists); re-computed after every edit of the link",
    )
    table.add_row("ids", "fr-2022-cnw:5 (6/13): id as in files (0-based), 6th of 13 sentences")
    return table


class DetailScreen(ModalScreen[None]):
    """The current link in full, scrollable (for links too long for the detail panel)."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, content: Text) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box detail-box"):
            yield Static(self.content)


class PromptScreen(ModalScreen[str | None]):
    """One line of input (search, go to); Enter submits, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box prompt-box"):
            yield Label(self.title_text)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterScreen(ModalScreen[str | None]):
    """Choose a filter: status, score band, discrepancy flags, link type."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, counts: dict[str, int], current: str) -> None:
        super().__init__()
        self.counts, self.current = counts, current

    def compose(self) -> ComposeResult:
        options = [
            Option(
                f"{'●' if name == self.current else ' '} {name:<12} {desc} ({self.counts.get(name, 0)})",
                id=name,
            )
            for name, (desc, _) in FILTERS.items()
        ]
        with Vertical(classes="modal-box"):
            yield Label("Filter links (Enter chooses, Esc cancels)")
            yield OptionList(*options, id="filter-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(FILTERS).index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditScreen(ModalScreen[tuple[str, str] | None]):
    """Correct one sentence's text: pick the sentence, edit it, ctrl+s saves, Esc discards."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True),
        Binding("enter", "enter", "Choose / save", priority=True),
        Binding("escape", "cancel", "Discard", priority=True),
    ]

    def __init__(self, data: ReviewData, link: Link) -> None:
        super().__init__()
        self.data, self.link = data, link
        lang, tlang = data.alignment.src_lang.upper(), data.alignment.tgt_lang.upper()
        self.sids = [(lang, s) for s in link.src] + [(tlang, t) for t in link.tgt]
        self.current: str | None = self.sids[0][1] if self.sids else None

    def compose(self) -> ComposeResult:
        options = [Option(f"{lang} {self.data.position(sid)}", id=sid) for lang, sid in self.sids]
        with Vertical(classes="modal-box edit-box"):
            if len(self.sids) == 1:
                yield Label("Correct the sentence: Enter or ctrl+s saves, Esc discards")
            else:
                yield Label(
                    "Edit a sentence: choose it (arrows, Enter), correct it, Enter or ctrl+s "
                    "saves, Esc discards"
                )
            yield OptionList(*options, id="edit-sentences")
            yield TextArea(
                self.data.text(self.current) if self.current else "", id="edit-text", soft_wrap=True
            )
            yield Label("", id="edit-original")

    def on_mount(self) -> None:
        self._show_original()
        if len(self.sids) == 1:
            self.query_one(OptionList).display = False
            self.query_one(TextArea).focus()

    def action_enter(self) -> None:
        """Enter chooses the sentence in the list; in the text it saves (a sentence is one
        line: a newline would start another sentence)."""
        if isinstance(self.focused, OptionList):
            self.query_one(TextArea).focus()
        else:
            self.action_save()

    def _show_original(self) -> None:
        label = self.query_one("#edit-original", Label)
        if self.current is not None:
            label.update(
                Text(f"corpus text: {self.data.original(self.current)}", style="grey58 italic")
            )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.current = event.option.id
        if self.current is not None:
            self.query_one(TextArea).text = self.data.text(self.current)
            self._show_original()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        if self.current is None:
            self.dismiss(None)
            return
        self.dismiss((self.current, self.query_one(TextArea).text.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RelinkScreen(ModalScreen[list[str] | None]):
    """Pick English sentence(s) from any English document, ranked by chrF; type to search.

    Enter links the highlighted sentence (plus any marked with ctrl+t); Esc cancels. A
    sentence rejected with this source is dimmed, marked ``⊘ rejected`` and ranked last.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("down", "cursor(1)", "Down", show=False, priority=True),
        Binding("up", "cursor(-1)", "Up", show=False, priority=True),
        Binding("pagedown", "cursor(10)", "Page down", show=False, priority=True),
        Binding("pageup", "cursor(-10)", "Page up", show=False, priority=True),
        Binding("ctrl+t", "mark", "Mark", priority=True),
    ]
    LIMIT = 300

    def __init__(self, data: ReviewData, link: Link) -> None:
        super().__init__()
        self.data, self.link = data, link
        self.rejected = data.rejected_targets(link)
        ranked = data.candidates(link)  # rejected pairs last, each part still by score
        self.ranked = [c for c in ranked if c[1] not in self.rejected] + [
            c for c in ranked if c[1] in self.rejected
        ]
        self.users = data.users()
        self.marked: list[str] = []

    def compose(self) -> ComposeResult:
        source = self.data.side_text(self.link.src) or "(no source sentence)"
        mt = self.data.mt_text(self.link.src)
        with Vertical(classes="modal-box relink-box"):
            yield Label(
                Text(f"Re-link {self.link.id}: {source}", overflow="ellipsis", no_wrap=True)
            )
            if mt:
                yield Label(
                    Text(f"MT: {mt}", style="grey58 italic", overflow="ellipsis", no_wrap=True)
                )
            yield Input(
                placeholder="search English sentences (regex); Enter links, ctrl+t marks several",
                id="relink-search",
            )
            yield OptionList(id="relink-options")
            yield Label("", id="relink-marked")

    def on_mount(self) -> None:
        self.call_after_refresh(self._fill, "")

    def _fill(self, query: str) -> None:
        try:
            pattern = re.compile(query, re.IGNORECASE) if query else None
        except re.error:
            pattern = re.compile(re.escape(query), re.IGNORECASE)
        options = self.query_one(OptionList)
        options.clear_options()
        shown = 0
        for score, sid in self.ranked:
            text = self.data.text(sid)
            if pattern is not None and not any(
                pattern.search(x) for x in (text, sid, self.data.position(sid))
            ):
                continue
            options.add_option(Option(self._prompt(score, sid, text), id=sid))
            shown += 1
            if shown >= self.LIMIT:
                break
        if shown:
            options.highlighted = 0

    def _prompt(self, score: float, sid: str, text: str) -> Text:
        mark = "✓" if sid in self.marked else ("•" if sid in self.link.tgt else " ")
        user = self.users.get(sid)
        used = f" [{user}]" if user and user != self.link.id else ""
        rejection = self.rejected.get(sid)
        if rejection is not None:  # never proposed again: dimmed, with who rejected it
            used += f" {REJECTED_MARK}rejected" + (
                f" by {rejection.reviewer}" * bool(rejection.reviewer)
            )
        head = f"{mark} {score:4.2f} {self.data.position(sid)}{used} "
        # one line per candidate, cut to the box width in terminal cells (Thai-safe)
        width = self.query_one(OptionList).scrollable_content_region.width
        if width < 20:  # not laid out yet: estimate from the screen
            width = min(130, int(self.app.size.width * 0.9)) - 6
        room = width - 3 - cell_len(head)
        body = Text(fit(text, max(10, room)).rstrip())
        if rejection is not None:
            return Text(head, style=DIM) + Text(body.plain, style=DIM)
        return Text(head, style="bold") + body

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def _highlighted(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_mark(self) -> None:
        sid = self._highlighted()
        if sid is None:
            return
        if sid in self.marked:
            self.marked.remove(sid)
        else:
            self.marked.append(sid)
        self.query_one("#relink-marked", Label).update("marked: " + ", ".join(self.marked))
        options = self.query_one(OptionList)
        score = dict((s, sc) for sc, s in self.ranked)[sid]
        options.replace_option_prompt(sid, self._prompt(score, sid, self.data.text(sid)))

    def _choose(self) -> None:
        sid = self._highlighted()
        chosen = list(self.marked)
        if sid is not None and sid not in chosen:
            chosen.append(sid)
        self.dismiss(chosen or None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """A short question with a few answers (Enter chooses, Esc cancels)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(Text(self.title_text, overflow="ellipsis"))
            yield OptionList(*(Option(text, id=key) for key, text in self.choices), id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
