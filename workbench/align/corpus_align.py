"""``workbench align`` over the ingested corpus: one alignment file per source language.

Each non-English language of the corpus is mined against every English document in
comparable mode (:mod:`workbench.align.comparable`), with the stored machine translations
when they exist (anchors only otherwise), and written to ``alignments/<src>-<tgt>.align.jsonl``
with status ``auto``. Re-running keeps every reviewer decision: approved and flagged links are
fixed (their sentences are not mined again); rejected pairs are standing rejections
(``Alignment.rejected``): never proposed again, while their sentences are mined afresh, so a
rejected source gets a new proposal (another English sentence, or 1-0) in place of its rejected
row; ``auto`` links are replaced (:func:`realign`). Links are written in article order
(``workbench.store.order``).

Source statements with no counterpart are written as 1-0 links (status ``auto``, score =
confidence that there is no counterpart) so the reviewer sees and can confirm them; English
statements with no counterpart are only counted (every English article would otherwise fill
every file with 0-1 links).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.align.comparable import Item, MiningConfig, MiningResult, Proposal, mine
from workbench.corpus.model import Corpus, Document, split_sentence_id
from workbench.corpus.translations import DocumentTranslations, translations_path
from workbench.errors import ConfigError, InputError, WorkbenchError
from workbench.fileio import atomic_group
from workbench.jsonlines import split_lines
from workbench.jsontext import parse_json_object
from workbench.names import validate_file_id
from workbench.settings import AlignSettings, Settings
from workbench.store.files import SUFFIX, dumps_line, header_dict, load_alignment
from workbench.store.model import (
    Alignment,
    Link,
    Pair,
    Rejection,
    Status,
    highest_number,
    now_iso,
    pair_of,
    sorted_rejections,
)
from workbench.store.order import article_order

MODE = "comparable"


@dataclass
class LanguageRun:
    """What one source language's alignment holds, for the summary."""

    src_lang: str
    path: Path | None
    alignment: Alignment
    with_mt: bool
    mt_docs: list[str] = field(default_factory=list)
    kept: int = 0
    encoder: str | None = None  # the sentence encoder's id, None: no encoder
    # what became of the file: written, unchanged (not rewritten), reviewed (left as it is by
    # the main job), dry-run (nothing written)
    outcome: str = "written"
    mt_off: bool = False  # translations exist for its documents but MT is off (--no-mt)


def mining_config(settings: AlignSettings) -> MiningConfig:
    return MiningConfig(
        k=settings.comparable_k,
        threshold=settings.comparable_threshold,
        edition_prior=settings.edition_prior,
        merge=settings.merge_adjacent,
    )


def open_encoder(settings: AlignSettings, models_dir: Path = Path("models")) -> Any:
    """The configured sentence encoder behind the embedding cache (None: ``encoder = none``)."""
    from workbench.align.signals import semantic

    return semantic.open_encoder(settings.encoder, settings.embedding_cache, models_dir)


def _warn_unread(unread: dict[str, str], encoder: Any) -> None:
    """Once per document the encoder cannot read: it is paired on the other signals."""
    for doc, lang in sorted(unread.items()):
        print(
            f"workbench: warning: {doc}: the sentence encoder {encoder.id} was not trained on "
            f"{lang!r}; its statements are paired on MT and anchors only",
            file=sys.stderr,
        )


def settings_provenance(settings: AlignSettings) -> dict[str, Any]:
    return {
        key: value
        for key, value in settings.model_dump(mode="json").items()
        if not key.startswith("_")
    }


# --- input checks -------------------------------------------------------------------------------


def check_documents(
    corpus: Corpus,
    documents: list[Document],
    settings: AlignSettings,
    languages: list[str] | tuple[str, ...] = (),
) -> None:
    """Refuse what would make a meaningless alignment: no sentences, runaway sentences, wrong
    language. ``languages``: the configured ones (``[corpus] languages``), besides the corpus's."""
    from workbench.corpus.langid import detect_language

    known = {d.language for d in corpus.documents} | set(languages)
    for doc in documents:
        if not doc.sentences:
            raise InputError("document has no sentences to align", doc.path)
        for sentence in doc.sentences:
            if len(sentence.text) > settings.max_sentence_chars:
                line = doc.raw.count("\n", 0, sentence.start) + 1
                raise InputError(
                    f"sentence {sentence.id} is {len(sentence.text):,} characters, over "
                    f"align.max_sentence_chars = {settings.max_sentence_chars:,} (segmentation failed? "
                    "split the paragraph or raise the limit in workbench.toml)",
                    doc.path,
                    line,
                )
        body = " ".join(s.text for s in doc.sentences)
        detected = detect_language(body)
        # only a clash with another language of this corpus is an error: a rare detection
        # outside the corpus languages is more likely a misdetection of a short article
        if detected != doc.language and detected in known:
            raise InputError(
                f"document {doc.id} is declared {doc.language!r} but its text reads as {detected!r}; "
                "fix the language in manifest.toml",
                doc.path,
            )


def check_translations(
    corpus: Corpus, translations: dict[str, DocumentTranslations], tgt_lang: str
) -> None:
    """Each translations file must belong to a corpus document and translate its sentences as segmented now."""
    for doc_id, doc_tr in translations.items():
        path = translations_path(corpus.root, doc_id, tgt_lang)
        try:
            doc = corpus.document(doc_id)
        except KeyError:
            raise InputError(
                f"translations for {doc_id!r}, which is not a corpus document", path
            ) from None
        if doc.language == tgt_lang:
            raise InputError(
                f"translations into {tgt_lang!r} of a document already in {tgt_lang!r}", path
            )
        sources = _recorded_sources(path)
        for number, (sid, source) in enumerate(sources, start=2):
            if not corpus.has_sentence(sid) or split_sentence_id(sid)[0] != doc_id:
                raise InputError(f"sentence id {sid!r} is not a sentence of {doc_id}", path, number)
            if source is not None and source != corpus.sentence(sid).text:
                raise InputError(
                    f"source text of {sid} differs from the corpus (stale translations? "
                    "re-run workbench translate)",
                    path,
                    number,
                )
        for sid, english in doc_tr.by_sentence.items():
            if not isinstance(english, str) or not english.strip():
                raise InputError(f"empty translation for {sid}", path)


def _recorded_sources(path: Path) -> list[tuple[str, str | None]]:
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(split_lines(path.read_text(encoding="utf-8"))[1:], 2):
        if line.strip():  # split at "\n" only; a damaged line is one error naming it
            record = parse_json_object(line, path, number)
            out.append((record.get("id"), record.get("source")))
    return out


# --- alignment ----------------------------------------------------------------------------------


def _items(
    documents: list[Document],
    translations: dict[str, DocumentTranslations] | None,
    edits: dict[str, str] | None = None,
) -> list[Item]:
    """Mining items of ``documents``; a reviewer's corrected text (``edits``) replaces the original."""
    edits = edits or {}
    items = []
    for doc in documents:
        by_sentence = (
            translations[doc.id].by_sentence if translations and doc.id in translations else {}
        )
        for s in doc.sentences:
            items.append(
                Item(
                    s.id,
                    doc.id,
                    s.index,
                    edits.get(s.id, s.text),
                    doc.language,
                    by_sentence.get(s.id),
                    doc.edition,
                )
            )
    return items


def _link(proposal: Proposal, link_id: str) -> Link:
    return Link(
        id=link_id,
        src=list(proposal.src),
        tgt=list(proposal.tgt),
        status=Status.AUTO,
        score=round(float(proposal.score), 4),
        features={key: round(float(value), 4) for key, value in proposal.features.items()},
        flags=list(proposal.flags),
    )


def realign(
    alignment: Alignment,
    corpus: Corpus,
    translations: dict[str, DocumentTranslations],
    settings: AlignSettings | Settings,
    encoder: Any = "settings",
) -> Alignment:
    """Replace the ``auto`` links of ``alignment``, keeping every reviewer decision fixed.

    Approved and flagged links stay as they are and their sentences are not mined again.
    Rejected pairs (the ``rejected`` list and rejected rows) are never proposed again; a
    rejected row becomes an entry of that list and its sentences are mined afresh (one row
    per source sentence: the new proposal; the rejected row stays only when no allowed
    proposal covers any of its source sentences). Sentence
    text a reviewer corrected (``alignment.edits``) is used instead of the original (the stored
    MT still translates the original). Returns
    a new :class:`Alignment` (the argument is not changed); link ids of kept links are kept,
    a new link identical to an old ``auto`` link keeps that link's id.

    ``encoder``: the sentence encoder (a ``CachedEncoder``; None: none); by default the one
    ``settings`` names, opened once per process (an unchanged corpus is never re-encoded).
    """
    models_dir = Path("models")
    if isinstance(settings, Settings):  # the whole settings object is accepted too
        settings, models_dir = settings.align, settings.paths.models
    if isinstance(encoder, str):
        encoder = open_encoder(settings, models_dir)
    _warn_stale(alignment, corpus)
    src_docs = corpus.by_language(alignment.src_lang)
    tgt_docs = corpus.by_language(alignment.tgt_lang)
    rows = decided_rows(alignment)
    kept = [link for link in rows if link.status in (Status.APPROVED, Status.FLAGGED)]
    fixed, forbidden = _reviewed_sentences(kept), _rejected_pairs(alignment)
    use_mt = translations if settings.use_mt else {}
    src_items = [i for i in _items(src_docs, use_mt, alignment.edits) if i.id not in fixed]
    tgt_items = [i for i in _items(tgt_docs, None, alignment.edits) if i.id not in fixed]
    result: MiningResult = mine(
        src_items, tgt_items, mining_config(settings), forbidden, encoder=encoder
    )
    _warn_unread(result.unread, encoder)
    new_links = _new_links(result, rows, forbidden)
    stay = _uncovered_rejected_rows(rows, [*kept, *new_links])
    kept += stay
    links = article_order([*kept, *new_links], [d.id for d in src_docs], [d.id for d in tgt_docs])
    mt_used = {doc.id: translations[doc.id] for doc in src_docs if doc.id in use_mt}
    return Alignment(
        src_lang=alignment.src_lang,
        tgt_lang=alignment.tgt_lang,
        src_docs=[d.id for d in src_docs],
        tgt_docs=[d.id for d in tgt_docs],
        provenance=_provenance(settings, mt_used, encoder, result.with_mt, len(kept)),
        edits=dict(alignment.edits),
        links=links,
        rejected=standing_rejections(alignment),
    )


def _provenance(
    settings: AlignSettings,
    mt_used: dict[str, DocumentTranslations],
    encoder: Any,
    with_mt: bool,
    kept: int,
) -> dict[str, Any]:
    """A realigned file's provenance; ``mt_used``: the translations its source documents used."""
    mt_provenance = {doc_id: doc_tr.provenance for doc_id, doc_tr in mt_used.items()}
    return {
        "workbench": __version__,
        "created": now_iso(),
        "aligner": {"mode": MODE, "settings": settings_provenance(settings)},
        "mt": mt_provenance or None,
        "encoder": encoder.provenance() if encoder is not None else None,
        "similarity": _signals(with_mt, encoder),
        "segmenter": _segmenter(),
        "kept_reviewer_links": kept,
    }


def _warn_stale(alignment: Alignment, corpus: Corpus) -> None:
    """Warn once when reviewed links name sentences the corpus no longer has (they are kept)."""
    stale = sorted(
        {
            sid
            for link in alignment.links
            if link.status != Status.AUTO
            for sid in (*link.src, *link.tgt)
        }
        - {s.id for s in corpus.sentences()}
    )
    if stale:
        print(
            f"workbench: warning: {len(stale)} sentence(s) of reviewed links are no longer in the corpus "
            f"(e.g. {stale[0]}); those links are kept as they are",
            file=sys.stderr,
        )


def decided_rows(alignment: Alignment) -> list[Link]:
    """The links with the status the reviewer decided (``export.records.as_decided``, the
    rule of status and export): a row holding a pair of the ``rejected`` list is rejected,
    whatever its row says (a hand-edited file), so it is no anchor."""
    listed = {r.pair for r in alignment.rejected}
    return [
        replace(link, status=Status.REJECTED)
        if link.status != Status.REJECTED and pair_of(link) in listed
        else link
        for link in alignment.links
    ]


def _reviewed_sentences(kept: list[Link]) -> set[str]:
    """Sentences of approved and flagged links, not mined again (rejected ones are)."""
    return {sid for link in kept for sid in (*link.src, *link.tgt)}


def _rejected_pairs(alignment: Alignment) -> set[Pair]:
    """The exact (source, English) pairs a reviewer rejected, listed or as rows: never
    proposed again."""
    return alignment.rejected_pairs()


def standing_rejections(alignment: Alignment) -> list[Rejection]:
    """``alignment.rejected`` plus a rejection for every rejected row not listed yet (files
    written before the list existed), in file order."""
    listed = {r.pair for r in alignment.rejected}
    rows = {
        pair_of(link): Rejection.of_link(link)
        for link in alignment.links
        if link.status == Status.REJECTED and pair_of(link) not in listed
    }
    return sorted_rejections([*alignment.rejected, *rows.values()])


def _uncovered_rejected_rows(old_links: list[Link], links: list[Link]) -> list[Link]:
    """Rejected rows none of whose source sentences has a row in ``links`` (every proposal
    for them was a rejected pair): kept as they are, so that no source sentence loses its row."""
    covered = {sid for link in links for sid in link.src}
    return [
        link
        for link in old_links
        if link.status == Status.REJECTED and link.src and not covered & set(link.src)
    ]


def _new_links(
    result: MiningResult,
    old_links: list[Link],
    forbidden: set[Pair],
) -> list[Link]:
    """Links of the mined proposals (1-1.. and 1-0), less the rejected pairs; a proposal identical
    to an old ``auto`` link keeps its id and creation time, a new one gets the next free id."""
    old_auto = {
        (tuple(link.src), tuple(link.tgt)): link for link in old_links if link.status == Status.AUTO
    }
    counter = highest_number((link.id for link in old_links), "L")
    new_links: list[Link] = []
    for proposal in [*result.links, *result.unmatched]:
        key = (tuple(proposal.src), tuple(proposal.tgt))
        if key in forbidden:
            continue
        if not proposal.tgt:  # 1-0: confidence that there is no counterpart
            features = proposal.features
            proposal.score = round(
                features.get("no_counterpart", 1.0 - features.get("best_score", 0.0)), 4
            )
        previous = old_auto.get(key)
        if previous is not None:
            link = _link(proposal, previous.id)
            link.created = previous.created
        else:
            counter += 1
            link = _link(proposal, f"L{counter:05d}")
        new_links.append(link)
    return new_links


def _signals(with_mt: bool, encoder: Any) -> str:
    """The signals a run's links rest on, in words (provenance and summary)."""
    parts = [f"encoder {encoder.id}"] if encoder is not None else []
    parts.append("chrF of the English MT" if with_mt else "no MT")
    return ", ".join([*parts, "anchors (numbers, dates, names)"])


def _segmenter() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"th": "pythainlp crfcut + statement merge", "latin": "pysbd"}
    for package in ("pythainlp", "pysbd"):
        with contextlib.suppress(PackageNotFoundError):
            out[package] = version(package)
    return out


def write_alignment(handle, alignment: Alignment) -> None:
    handle.write(dumps_line(header_dict(alignment)))
    for link in alignment.links:
        handle.write(dumps_line(link.to_dict()))


def alignment_path(folder: Path, src_lang: str, tgt_lang: str) -> Path:
    validate_file_id("language", src_lang)  # part of the file name: never a path
    validate_file_id("language", tgt_lang)
    return Path(folder) / f"{src_lang}-{tgt_lang}{SUFFIX}"


def check_corpus_mode(name: str) -> None:
    """Refuse a mode of the registry (:mod:`workbench.align.modes`) that cannot align a corpus."""
    from workbench.align.modes import MODES

    mode = MODES.get(name)
    if mode is None or not mode.corpus:
        runs = ", ".join(n for n, m in MODES.items() if m.corpus)
        what = "an unknown mode" if mode is None else "a two-file mode (workbench align-pair)"
        raise ConfigError(
            f"align.mode = {name!r} is {what}; workbench align over the corpus runs {runs}"
        )


def align_corpus(
    corpus: Corpus,
    translations: dict[str, DocumentTranslations],
    settings: AlignSettings,
    out_dir: Path,
    tgt_lang: str = "en",
    write: bool = True,
    languages: list[str] | tuple[str, ...] = (),
    guard: Callable[[Path], None] | None = None,
    models_dir: Path = Path("models"),
    keep_reviewed: bool = False,
) -> list[LanguageRun]:
    """Align every source language of ``corpus`` with ``tgt_lang``; write one file per language.

    Everything is checked and computed before anything is written, so bad input leaves the
    existing files untouched; each file is then replaced atomically. ``guard(path)`` is the
    caller's policy for a file it may not replace (e.g. one under review): it raises, before
    anything is computed.

    A file whose new content differs from the old only in ``provenance.created`` is not
    rewritten (a re-run over an unchanged corpus leaves every file byte-identical); with
    ``keep_reviewed`` (the main job) a file holding reviewer decisions is left as it is.
    """
    check_corpus_mode(settings.mode)
    if not corpus.by_language(tgt_lang):
        raise InputError(f"the corpus has no {tgt_lang!r} documents to align with", corpus.root)
    check_documents(corpus, corpus.documents, settings, languages)
    check_translations(corpus, translations, tgt_lang)
    src_langs = sorted({d.language for d in corpus.documents if d.language != tgt_lang})
    out_dir = Path(out_dir)
    encoder = open_encoder(settings, models_dir) if src_langs else None
    runs: list[LanguageRun] = []
    for src_lang in src_langs:
        path = alignment_path(out_dir, src_lang, tgt_lang)
        busy = write and guard is not None and _refused_by_guard(guard, path, keep_reviewed)
        previous = _load_previous(path, src_lang, tgt_lang)
        if keep_reviewed and (busy or is_reviewed(previous)):
            runs.append(_left_for_review(src_lang, path, previous, encoder))
            continue
        aligned = realign(previous, corpus, translations, settings, encoder)
        run = _aligned_run(src_lang, path, aligned, encoder)
        run.mt_off = not settings.use_mt and any(
            d.id in translations for d in corpus.by_language(src_lang)
        )
        if not write:
            run.outcome = "dry-run"
        elif path.exists() and same_apart_from_created(previous, aligned):
            run.outcome = "unchanged"
        runs.append(run)
    _write_changed(runs, out_dir)
    return runs


def _refused_by_guard(guard: Callable[[Path], None], path: Path, keep_reviewed: bool) -> bool:
    """Whether ``guard`` refuses ``path`` (under review): the main job (``keep_reviewed``) then
    leaves it to the reviewer; any other caller gets the guard's error."""
    try:
        guard(path)
    except WorkbenchError:
        if not keep_reviewed:
            raise
        return True
    return False


def _load_previous(path: Path, src_lang: str, tgt_lang: str) -> Alignment:
    """The alignment file at ``path`` (an empty one when there is none), checked for its pair."""
    previous = load_alignment(path) if path.exists() else Alignment(src_lang, tgt_lang)
    if previous.src_lang != src_lang or previous.tgt_lang != tgt_lang:
        raise InputError(
            f"holds {previous.src_lang}-{previous.tgt_lang} links, expected {src_lang}-{tgt_lang}",
            path,
        )
    return previous


def _left_for_review(src_lang: str, path: Path, previous: Alignment, encoder: Any) -> LanguageRun:
    """The run of a file the main job leaves as it is (reviewed or under review)."""
    mt_docs = sorted(previous.provenance.get("mt") or {})
    enc_id = encoder.id if encoder is not None else None
    return LanguageRun(src_lang, path, previous, bool(mt_docs), mt_docs, 0, enc_id, "reviewed")


def _aligned_run(src_lang: str, path: Path, aligned: Alignment, encoder: Any) -> LanguageRun:
    """The run of a freshly realigned file (outcome ``written`` until decided otherwise)."""
    mt_docs = sorted(aligned.provenance.get("mt") or {})
    kept = aligned.provenance["kept_reviewer_links"]
    enc_id = encoder.id if encoder is not None else None
    return LanguageRun(src_lang, path, aligned, bool(mt_docs), mt_docs, kept, enc_id)


def _write_changed(runs: list[LanguageRun], out_dir: Path) -> None:
    """Write every run whose outcome is ``written``, all files or none."""
    changed = [run for run in runs if run.outcome == "written"]
    if changed:
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_group() as group:  # every language's file, or none
            for run in changed:
                write_alignment(group.open(run.path), run.alignment)


def is_reviewed(alignment: Alignment) -> bool:
    """Whether a reviewer decided or corrected anything in ``alignment``."""
    return (
        bool(alignment.edits)
        or bool(alignment.rejected)
        or any(link.status != Status.AUTO for link in alignment.links)
    )


def same_apart_from_created(old: Alignment, new: Alignment) -> bool:
    """Whether ``new`` would write what ``old`` holds, apart from ``provenance.created``."""

    def content(alignment: Alignment) -> list[Any]:
        header = header_dict(alignment)
        header["provenance"] = {k: v for k, v in alignment.provenance.items() if k != "created"}
        return [header, *(link.to_dict() for link in alignment.links)]

    return content(old) == content(new)


# --- coverage summary ---------------------------------------------------------------------------


def coverage_rows(corpus: Corpus, alignment: Alignment) -> list[dict[str, Any]]:
    """Per source document: statements, paired (by English document), no counterpart, discrepancies."""
    rows = []
    for doc_id in alignment.src_docs:
        doc = corpus.document(doc_id)
        paired: dict[str, set[str]] = {}
        paired_src: set[str] = set()
        flagged: set[str] = set()
        for link in alignment.links:
            if link.status == Status.REJECTED or not link.tgt:
                continue
            mine_src = [s for s in link.src if split_sentence_id(s)[0] == doc_id]
            if not mine_src:
                continue
            paired_src.update(mine_src)
            for t in link.tgt:
                paired.setdefault(split_sentence_id(t)[0], set()).update(mine_src)
            if link.flags:
                flagged.update(mine_src)
        rows.append(
            {
                "doc": doc_id,
                "statements": len(doc.sentences),
                "paired": len(paired_src),
                "by_english_doc": {k: len(v) for k, v in sorted(paired.items())},
                "no_counterpart": len(doc.sentences) - len(paired_src),
                "discrepancies": len(flagged),
            }
        )
    return rows


def _mt_words(alignment: Alignment) -> str:
    """'MT <model>@<revision> of <date> for <documents>' from the alignment's MT provenance:
    stored translations name the model and the day they were made (they may predate it)."""
    mt = alignment.provenance.get("mt") or {}
    made = {
        f"{p.get('model', '?')}@{str(p.get('revision', '?'))[:12]}"
        + (f" of {str(p['created'])[:10]}" if p.get("created") else "")
        for p in mt.values()
        if isinstance(p, dict)
    }
    return f"MT {' + '.join(sorted(made)) or '?'} for {', '.join(sorted(mt))}"


def print_summary(corpus: Corpus, runs: list[LanguageRun], file=None) -> None:
    file = file or sys.stdout
    if not runs:
        print("align: no documents outside the target language; nothing to align", file=file)
    for run in runs:
        _print_run(corpus, run, file)


_WHERE = {
    "written": " -> {path}",
    "unchanged": ": {path} unchanged (not rewritten)",
    "dry-run": " (dry run: nothing written)",
    "reviewed": ": {path} is reviewed or under review; left as it is by the main "
    "job (re-align it with `workbench align` or R in `workbench review`)",
}


def _print_run(corpus: Corpus, run: LanguageRun, file) -> None:
    """One language's summary: signals, file outcome, coverage per document, English, links."""
    al = run.alignment
    where = _WHERE[run.outcome].format(path=run.path)
    print(f"align {al.src_lang}-{al.tgt_lang} ({MODE}; {_signal_words(run)}){where}", file=file)
    if run.kept:
        print(f"  kept {run.kept} reviewer decisions; re-aligned the rest", file=file)
    for row in coverage_rows(corpus, al):
        spread = ", ".join(f"{doc} {n}" for doc, n in row["by_english_doc"].items()) or "none"
        print(
            f"  {row['doc']}: {row['statements']} statements, {row['paired']} paired ({spread}), "
            f"{row['no_counterpart']} without counterpart, {row['discrepancies']} with discrepancies",
            file=file,
        )
    english = [s.id for doc_id in al.tgt_docs for s in corpus.document(doc_id).sentences]
    used = {t for link in al.links if link.status != Status.REJECTED for t in link.tgt}
    paired_en = sum(1 for sid in english if sid in used)
    print(
        f"  English: {paired_en} of {len(english)} statements paired with {al.src_lang}, "
        f"{len(english) - paired_en} without counterpart (counted, not written as 0-1 links)",
        file=file,
    )
    print(f"  links: {_link_counts(al)}", file=file)


def _signal_words(run: LanguageRun) -> str:
    """'encoder X, MT ... | no MT, anchors': what a run's links rest on."""
    how = [f"encoder {run.encoder}" if run.encoder else "no encoder"]
    how.append(
        _mt_words(run.alignment)
        if run.with_mt
        else "MT not used (use_mt off, --no-mt)"
        if run.mt_off
        else "no MT"
    )
    how.append("anchors")
    return ", ".join(how)


def _link_counts(alignment: Alignment) -> str:
    """'1-0 2, 1-1 11 (auto 13)': links by kind, then by status."""
    kinds: dict[str, int] = {}
    for link in alignment.links:
        kinds[link.kind] = kinds.get(link.kind, 0) + 1
    kinds_text = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    status_text = ", ".join(f"{s} {n}" for s, n in alignment.counts().items() if n)
    return f"{kinds_text} ({status_text})"


def run_align(
    settings: Settings,
    write: bool = True,
    corpus: Corpus | None = None,
    guard: Callable[[Path], None] | None = None,
    keep_reviewed: bool = False,
) -> list[LanguageRun]:
    """The align stage as the CLI and the main job run it: ingest, load translations, align,
    summary. ``guard``: the caller's check of each file before it is replaced;
    ``keep_reviewed``: leave files with reviewer decisions as they are (the main job)."""
    from workbench.corpus.ingest import ingest
    from workbench.corpus.translations import load_translations

    corpus = corpus or ingest(settings.paths.corpus, settings.corpus)
    tgt_lang = settings.corpus.target_language
    translations = load_translations(corpus.root, tgt_lang)
    runs = align_corpus(
        corpus,
        translations,
        settings.align,
        settings.paths.alignments,
        tgt_lang,
        write,
        languages=settings.corpus.languages,
        guard=guard,
        models_dir=settings.paths.models,
        keep_reviewed=keep_reviewed,
    )
    print_summary(corpus, runs)
    return runs
