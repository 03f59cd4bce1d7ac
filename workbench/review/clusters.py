"""The cluster review screen (``workbench review alignments/clusters.jsonl``).

One cluster at a time: every member (document, language, edition, member score, the text
and its MT dimmed beneath), then the fact timeline. The app only renders and calls
:class:`~workbench.store.cluster_review.ClusterReview` operations, which journal each
decision before the screen shows it. On quit the file is saved and the reviewed clusters'
implied links are written into the existing pairwise files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from workbench.corpus.model import Corpus
from workbench.errors import WorkbenchError
from workbench.store.cluster_review import ClusterReview
from workbench.store.model import Status


@dataclass(frozen=True)
class ClusterAction:
    keys: str
    action: str
    description: str


# The registry of cluster-review actions: key(s) -> app action (no if-chains).
CLUSTER_ACTIONS = (
    ClusterAction("j,right", "next", "next"),
    ClusterAction("k,left", "previous", "previous"),
    ClusterAction("down", "member(1)", "member"),
    ClusterAction("up", "member(-1)", "member"),
    ClusterAction("a", "decide('approve')", "approve"),
    ClusterAction("x", "decide('reject')", "reject"),
    ClusterAction("f", "decide('flag')", "flag"),
    ClusterAction("d", "remove", "remove member"),
    ClusterAction("s", "split", "split member off"),
    ClusterAction("m", "ask('move')", "move member to"),
    ClusterAction("g", "ask('merge')", "merge with"),
    ClusterAction("u", "undo", "undo"),
    ClusterAction("ctrl+r", "redo", "redo"),
    ClusterAction("q", "quit_review", "save & quit"),
)


class AskCluster(ModalScreen[str | None]):
    """One line: a cluster id (empty: a new cluster, for a move)."""

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        yield Static(self.prompt)
        yield Input(placeholder="C0001", id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def key_escape(self) -> None:
        self.dismiss(None)


class ClusterApp(App[None]):
    TITLE = "workbench review: clusters"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding(a.keys, a.action, a.description) for a in CLUSTER_ACTIONS]

    def __init__(
        self,
        review: ClusterReview,
        corpus: Corpus,
        mt: dict[str, str] | None = None,
        alignments: Path | None = None,
    ) -> None:
        super().__init__()
        self.review = review
        self.corpus = corpus
        self.mt = mt or {}
        self.alignments = alignments
        self.index = 0
        self.selected = 0
        self.message = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="cluster")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()

    # --- rendering ------------------------------------------------------------------------

    def current(self):
        clusters = self.review.clusters.clusters
        if not clusters:
            return None
        self.index = max(0, min(self.index, len(clusters) - 1))
        return clusters[self.index]

    def render_cluster(self) -> str:
        from workbench.align.cluster.report import facts_of

        cluster = self.current()
        if cluster is None:
            return "No clusters."
        total = len(self.review.clusters.clusters)
        score = "-" if cluster.score is None else f"{cluster.score:.2f}"
        lines = [f"[b]{cluster.id}[/b]  {self.index + 1}/{total}  {cluster.status}  score {score}"]
        self.selected = max(0, min(self.selected, len(cluster.members) - 1))
        for number, member in enumerate(cluster.members):
            info = self.review.clusters.documents[member.doc]
            mark = ">" if number == self.selected else " "
            mscore = "-" if member.score is None else f"{member.score:.2f}"
            lines.append(
                f"{mark} [b]{escape(member.doc)}[/b] {info.lang} {info.edition or '-'} ({mscore})"
            )
            text = " ".join(self.corpus.sentence(s).text for s in member.ids)
            lines.append(f"    {escape(text)}")
            mt = " ".join(self.mt[s] for s in member.ids if s in self.mt)
            if mt:
                lines.append(f"    [dim]{escape(mt)}[/dim]")
        facts = [
            f for f in facts_of(cluster, self.review.clusters, self.corpus) if f.label != "single"
        ]
        if facts:
            lines.append("")
            lines.append("[b]Facts[/b]")
        for fact in facts:
            values = "; ".join(
                f"{v.doc} {v.edition}: {v.text} = {v.qualifier}{v.key}" for v in fact.values
            )
            lines.append(f"  {fact.kind} [i]{fact.label}[/i]: {escape(values)}")
        return "\n".join(lines)

    def refresh_view(self) -> None:
        self.query_one("#cluster", Static).update(self.render_cluster())
        self.query_one("#status", Static).update(escape(self.message))

    # --- actions --------------------------------------------------------------------------

    def _do(self, operation) -> None:
        try:
            operation()
            self.message = ""
        except WorkbenchError as exc:
            self.message = str(exc)
        self.refresh_view()

    def action_next(self) -> None:
        self.index += 1
        self.selected = 0
        self.refresh_view()

    def action_previous(self) -> None:
        self.index = max(0, self.index - 1)
        self.selected = 0
        self.refresh_view()

    def action_member(self, step: int) -> None:
        self.selected += step
        self.refresh_view()

    def action_decide(self, what: str) -> None:
        cluster = self.current()
        if cluster is None:
            return
        operations = {
            "approve": self.review.approve,
            "reject": self.review.reject,
            "flag": lambda cid: self.review.set_status(cid, Status.FLAGGED),
        }
        self._do(lambda: operations[what](cluster.id))

    def _member_doc(self) -> str | None:
        cluster = self.current()
        return None if cluster is None else cluster.members[self.selected].doc

    def action_remove(self) -> None:
        cluster, doc = self.current(), self._member_doc()
        if cluster is not None and doc is not None:
            self._do(lambda: self.review.remove_member(cluster.id, doc))

    def action_split(self) -> None:
        cluster, doc = self.current(), self._member_doc()
        if cluster is not None and doc is not None:
            self._do(lambda: self.review.split(cluster.id, [doc]))

    def action_ask(self, what: str) -> None:
        cluster, doc = self.current(), self._member_doc()
        if cluster is None or doc is None:
            return
        prompt = (
            f"Move {doc}'s member of {cluster.id} to which cluster? (empty: a new one)"
            if what == "move"
            else f"Merge which cluster into {cluster.id}?"
        )

        def answer(value: str | None) -> None:
            if value is None:
                return
            if what == "move":
                self._do(lambda: self.review.move_member(cluster.id, doc, value or None))
            else:
                self._do(lambda: self.review.merge(cluster.id, value))

        self.push_screen(AskCluster(prompt), answer)

    def action_undo(self) -> None:
        self._do(self.review.undo)

    def action_redo(self) -> None:
        self._do(self.review.redo)

    def action_quit_review(self) -> None:
        # the pairwise files first, then a journal record that they are written, then the
        # save: a kill anywhere replays the journal and writes nothing twice. A pairwise file
        # under review refuses the quit (one line): nothing written, every decision kept.
        if self.alignments is not None:
            try:
                written = self.review.write_pairwise(self.alignments)
            except WorkbenchError as exc:
                self.message = f"not quit: {' '.join(str(exc).split())}; q again once it is free"
                self.refresh_view()
                return
            self.message = ", ".join(f"{p.name}: {n}" for p, n in written.items())
        self.review.save()
        self.review.close()
        self.exit()
