"""The two jobs behind the commands: the corpus (``translate``) and a plain file (``translate-file``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.corpus.model import Corpus, Document
from workbench.corpus.translations import save_document_translations
from workbench.errors import InputError, WorkbenchError
from workbench.settings import Settings, TranslateSettings
from workbench.translate.cache import TranslationCache
from workbench.translate.engine import Engine, make_engine
from workbench.translate.job import JobStats, translate_texts
from workbench.translate.locate import download_refused, find_local, pull
from workbench.translate.registry import load_registry, resolve_spec


@dataclass
class JobOptions:
    """Per-job choices that are not settings."""

    model: str | None = None  # registry name, hub id, local folder, or the command
    use_cache: bool = True
    progress: bool | None = None  # None: a bar when stderr is a terminal
    shards: Path | None = None  # Ray engine: the shard folder (default: beside the output)


@dataclass
class CorpusReport:
    written: list[Path] = field(default_factory=list)
    stats: dict[str, JobStats] = field(default_factory=dict)  # by source language


def open_cache(settings: TranslateSettings, use_cache: bool) -> TranslationCache:
    return TranslationCache(settings.cache if use_cache else ":memory:")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def select_documents(corpus: Corpus, tgt_lang: str, doc_ids: Sequence[str] = ()) -> list[Document]:
    """Documents to translate: those named (or all), minus those already in ``tgt_lang``."""
    known = {d.id for d in corpus.documents}
    unknown = [d for d in doc_ids if d not in known]
    if unknown:
        raise InputError(
            f"no document with id {', '.join(map(repr, unknown))} in the corpus", corpus.root
        )
    wanted = set(doc_ids) or known
    return [d for d in corpus.documents if d.id in wanted and d.language != tgt_lang]


class _DocumentWriter:
    """Writes each document's translations file as soon as its last sentence is translated."""

    def __init__(
        self,
        corpus: Corpus,
        docs: list[Document],
        tgt_lang: str,
        provenance: dict,
        report: CorpusReport,
    ):
        self.corpus, self.docs, self.tgt_lang, self.report = corpus, docs, tgt_lang, report
        self.provenance = provenance
        self.known: dict[str, str] = {}
        self.waiting = {d.id: {s.text for s in d.sentences} for d in docs}

    def __call__(self, finished: dict[str, str]) -> None:
        self.known.update(finished)
        for doc in self.docs:
            left = self.waiting.get(doc.id)
            if left is None:
                continue
            left.difference_update(finished)
            if not left:
                del self.waiting[doc.id]
                records = [(s.id, s.text, self.known[s.text]) for s in doc.sentences]
                provenance = {**self.provenance, "created": _now()}
                path = save_document_translations(
                    self.corpus.root, doc.id, self.tgt_lang, records, provenance
                )
                self.report.written.append(path)


def translate_corpus(
    corpus: Corpus,
    settings: TranslateSettings,
    models_dir: Path,
    tgt_lang: str,
    doc_ids: Sequence[str] = (),
    options: JobOptions | None = None,
    echo: Callable[[str], None] = print,
) -> CorpusReport:
    """Translate every sentence of the selected documents; each document's translations file
    (``corpus/translations/<doc>.<tgt>.jsonl``) is written as soon as its last sentence is done."""
    options = options or JobOptions()
    report = CorpusReport()
    documents = select_documents(corpus, tgt_lang, doc_ids)
    languages = list(dict.fromkeys(d.language for d in documents))
    with open_cache(settings, options.use_cache) as cache:
        for language in languages:
            docs = [d for d in documents if d.language == language]
            engine = make_engine(language, tgt_lang, settings, models_dir, options.model)
            writer = _DocumentWriter(corpus, docs, tgt_lang, engine.provenance(), report)
            try:
                _, stats = run_texts(
                    [s.text for d in docs for s in d.sentences],
                    engine,
                    cache,
                    settings,
                    _with_shards(options, settings, corpus, f"{language}-{tgt_lang}"),
                    [s.id for d in docs for s in d.sentences],
                    on_done=writer,
                )
            finally:
                engine.close()
            report.stats[language] = stats
            echo(
                f"{language}→{tgt_lang} ({engine.spec.model_id}, {engine.backend.name}): {stats.line()}"
            )
    return report


def _with_shards(
    options: JobOptions, settings: TranslateSettings, corpus: Corpus, pair: str
) -> JobOptions:
    """The corpus job's shard folder for one language pair (Ray engine): beside the cache."""
    if options.shards is not None:
        return options
    shards = Path(settings.cache).parent / "shards" / f"{Path(corpus.root).resolve().name}.{pair}"
    return JobOptions(options.model, options.use_cache, options.progress, shards)


def read_lines(path: Path) -> list[str]:
    """One sentence per line; refuses a missing, binary, non-UTF-8 or empty file."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("input file does not exist", path) from None
    except IsADirectoryError:
        raise InputError("input is a folder, not a file", path) from None
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes), not one sentence per line", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte {exc.start}); convert it, e.g. with iconv -t UTF-8", path
        ) from None
    if not text.strip():
        raise InputError("empty input file: no sentence to translate", path)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _run_local(
    texts: Sequence[str],
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    options: JobOptions,
    labels: Sequence[str] | None = None,
    on_done: Callable[[dict[str, str]], None] | None = None,
) -> tuple[dict[str, str], JobStats]:
    return translate_texts(
        texts,
        engine,
        cache,
        batch_size=settings.batch_size,
        batch_tokens=settings.batch_tokens,
        labels=labels,
        progress=options.progress,
        on_done=on_done,
        block_lines=settings.block_lines,
    )


def _run_ray(
    texts: Sequence[str],
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    options: JobOptions,
    labels: Sequence[str] | None = None,
    on_done: Callable[[dict[str, str]], None] | None = None,
) -> tuple[dict[str, str], JobStats]:
    from workbench.translate.streaming import translate_texts_ray

    assert options.shards is not None
    results, stats = translate_texts_ray(
        texts, engine, cache, settings, options.shards, progress=options.progress
    )
    if on_done:
        on_done(results)
    return results, stats


# the engines a batch job runs on (settings.translate.engine, --engine)
ENGINES = {"local": _run_local, "ray": _run_ray}


def run_texts(
    texts: Sequence[str],
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    options: JobOptions,
    labels: Sequence[str] | None = None,
    on_done: Callable[[dict[str, str]], None] | None = None,
) -> tuple[dict[str, str], JobStats]:
    """Translate ``texts`` on the chosen engine: ``{source: translation}`` and what was done."""
    return ENGINES[settings.engine](texts, engine, cache, settings, options, labels, on_done)


def translate_file(
    input_path: Path,
    output_path: Path,
    src_lang: str,
    tgt_lang: str,
    settings: TranslateSettings,
    models_dir: Path,
    options: JobOptions | None = None,
) -> JobStats:
    """Translate a file (one sentence per line, JSONL or Parquet records; see ``records``) into a
    line-parallel file or JSONL records, in input order.

    Each finished batch (Ray: block) is committed to the cache on disk (Ray: and to a shard);
    the output file is written atomically once every line is done, so a killed job leaves no
    partial output and a re-run takes the finished work from the cache."""
    from workbench.translate.records import read_records, write_records

    options = options or JobOptions()
    input_path, output_path = Path(input_path), Path(output_path)
    streamed = settings.engine == "ray"  # the input streamed: never all of it in this process
    records = None if streamed else read_records(input_path)
    if streamed and not input_path.exists():
        raise InputError("input file does not exist", input_path)
    if not output_path.parent.is_dir():
        raise InputError(f"output folder {output_path.parent} does not exist", output_path)
    engine = make_engine(src_lang, tgt_lang, settings, models_dir, options.model)
    if options.shards is None:
        options.shards = output_path.with_name(output_path.name + ".shards")
    with open_cache(settings, options.use_cache) as cache:
        try:
            if streamed:
                from workbench.translate.streaming import translate_file_ray

                return translate_file_ray(
                    input_path,
                    output_path,
                    engine,
                    cache,
                    settings,
                    options.shards,
                    options.progress,
                )
            assert records is not None
            results, stats = run_texts(
                records.texts, engine, cache, settings, options, records.labels(input_path)
            )
        finally:
            engine.close()
    write_records(output_path, records, [results[t] for t in records.texts])
    return stats


def _going_on_with(corpus: Corpus, languages: list[str], tgt_lang: str) -> str:
    """What the job aligns with for ``languages`` that have no model: translations stored
    by an earlier run (possibly of older text or another model), or none."""
    from workbench.corpus.translations import translations_path

    stored = [
        d.id
        for d in corpus.documents
        if d.language in languages and translations_path(corpus.root, d.id, tgt_lang).exists()
    ]
    if not stored:
        return "continuing without machine translation"
    return (
        f"continuing with the translations stored earlier for {', '.join(stored)} (not "
        "refreshed: the align summary names their model and date)"
    )


def translate_if_available(
    corpus: Corpus, settings: Settings, echo: Callable[[str], None] = print
) -> None:
    """The main job's step: translate with the registered models, downloading (and converting)
    those not on this machine when the hub can be reached; for pairs without a model, say in one
    line that the job goes on without machine translation."""
    tsettings, tgt_lang = settings.translate, settings.corpus.target_language
    languages = list(dict.fromkeys(d.language for d in corpus.documents if d.language != tgt_lang))
    ready, missing = [], []
    refused: list[str | None] = []  # why downloads cannot happen (asked once, when first needed)
    for language in languages:
        try:
            spec = resolve_spec(
                load_registry(tsettings.registry), language, tgt_lang, None, tsettings.backend
            )
            if spec.command is None and find_local(spec, settings.paths.models) is None:
                if not refused:
                    refused.append(download_refused())
                if refused[0] is not None:
                    missing.append(f"{language}→{tgt_lang} ({spec.model_id}: {refused[0]})")
                    continue
                pull(spec, settings.paths.models)
        except WorkbenchError as exc:
            missing.append(f"{language}→{tgt_lang} ({exc})")
            continue
        ready.append(language)
    if missing:
        echo(
            f"translate: no local MT model for {'; '.join(missing)}; "
            + _going_on_with(corpus, [lang for lang in languages if lang not in ready], tgt_lang)
            + " (bring models with `workbench models pull`, see docs/translation.md)"
        )
    if not ready:
        return
    doc_ids = [d.id for d in corpus.documents if d.language in ready]
    try:
        translate_corpus(corpus, tsettings, settings.paths.models, tgt_lang, doc_ids, echo=echo)
    except (WorkbenchError, RuntimeError) as exc:  # RuntimeError: torch/CTranslate2 at run time
        echo(f"translate: {exc}; continuing without machine translation")
