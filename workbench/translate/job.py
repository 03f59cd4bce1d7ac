"""Batch translation jobs: cache first, then the model over what is missing.

Sentences not in the cache are split when longer than the model's input, sorted by length,
grouped into batches under a sentence and a token budget, translated, and each batch is
committed to the cache before the next starts: a kill loses at most the batch in flight and a
re-run translates only the rest. A progress bar (sentences/s, ETA) goes to stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tqdm import tqdm

from workbench.translate.backends import Translator
from workbench.translate.cache import TranslationCache, cache_key, identity_digest
from workbench.translate.engine import Engine
from workbench.translate.split import join_pieces, split_to_fit


@dataclass
class JobStats:
    sentences: int = 0  # distinct non-empty inputs
    cached: int = 0  # found in the cache
    translated: int = 0  # translated by the model in this run
    split: int = 0  # longer than the model's input, translated in pieces
    seconds: float = 0.0

    def line(self) -> str:
        text = f"{self.sentences} sentences: {self.cached} from the cache, {self.translated} translated"
        if self.split:
            text += f" ({self.split} split at clause boundaries)"
        return text + f", {self.seconds:.1f} s"


def make_batches(lengths: Sequence[int], batch_size: int, batch_tokens: int) -> list[list[int]]:
    """Indices sorted by length (longest first), grouped so that each batch holds at most
    ``batch_size`` items and at most ``batch_tokens`` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for index in order:
        batch = batches[-1] if batches else None
        # longest first: the batch's first item sets its padded width
        if (
            batch
            and len(batch) < batch_size
            and (len(batch) + 1) * max(lengths[batch[0]], 1) <= batch_tokens
        ):
            batch.append(index)
        else:
            batches.append([index])
    return batches


def warn(message: str) -> None:
    tqdm.write(f"workbench: warning: {message}", file=sys.stderr)


def translate_texts(
    texts: Sequence[str],
    engine: Engine,
    cache: TranslationCache,
    *,
    batch_size: int,
    batch_tokens: int,
    labels: Sequence[str] | None = None,
    progress: bool | None = None,
    on_done: Callable[[dict[str, str]], None] | None = None,
    block_lines: int | None = None,
) -> tuple[dict[str, str], JobStats]:
    """Translate ``texts``; returns ``{source: translation}`` and what was done.

    ``on_done`` gets ``{source: translation}`` for what is finished: once for what the cache
    held, then after each committed batch. ``progress=None``: a bar when stderr is a terminal.
    ``labels`` name the inputs in warnings (sentence ids, line numbers). ``block_lines``: the
    missing sentences are split, sorted and batched within blocks of that many, in order, as
    the Ray engine's workers do: batch composition moves int8 results, so the same blocks give
    the same bytes on either engine.
    """
    started = time.perf_counter()
    job = _Job(
        engine, cache, identity_digest(engine.identity), batch_size, batch_tokens, progress, on_done
    )
    sources = list(dict.fromkeys(t for t in texts if t.strip()))
    job.results.update({t: "" for t in texts if not t.strip()})
    job.keys = {s: cache_key(job.identity, s) for s in sources}
    hits = cache.get_many(job.keys.values())
    job.results.update({s: hits[job.keys[s]] for s in sources if job.keys[s] in hits})
    missing = [s for s in sources if job.keys[s] not in hits]
    job.stats = JobStats(sentences=len(sources), cached=len(sources) - len(missing))
    if on_done:
        on_done(dict(job.results))
    if missing:
        job.translator = engine.translator()
        label_of = dict(zip(texts, labels or (), strict=False))
        step = block_lines or len(missing)
        with job.bar(len(missing)) as bar:
            for start in range(0, len(missing), step):
                block = missing[start : start + step]
                job.run(block, job.split_long(block, label_of), bar)
    job.stats.seconds = time.perf_counter() - started
    return job.results, job.stats


@dataclass
class _Job:
    """The state of one call of :func:`translate_texts`."""

    engine: Engine
    cache: TranslationCache
    identity: str
    batch_size: int
    batch_tokens: int
    progress: bool | None
    on_done: Callable[[dict[str, str]], None] | None
    translator: Translator | None = None
    keys: dict[str, str] = field(default_factory=dict)  # source -> cache key
    results: dict[str, str] = field(default_factory=dict)
    stats: JobStats = field(default_factory=JobStats)

    def split_long(self, missing: list[str], label_of: dict[str, str]) -> dict[str, list[str]]:
        """The pieces of each sentence over the model's input limit (warned about, never cut)."""
        assert self.translator is not None
        limit = self.translator.max_input_tokens
        pieces_of: dict[str, list[str]] = {}
        if not limit:
            return pieces_of
        for source, length in zip(missing, self.translator.count_tokens(missing), strict=True):
            if length > limit:
                pieces_of[source] = split_to_fit(source, self.translator.count_tokens, limit)
                self.stats.split += 1
                name = label_of.get(source) or repr(source[:40] + "…")
                warn(
                    f"{name} has {length} tokens, over the model's input of {limit}: translated "
                    f"in {len(pieces_of[source])} pieces split at clause boundaries"
                )
        return pieces_of

    def bar(self, total: int) -> tqdm:
        return tqdm(
            total=total,
            unit="sent",
            desc=f"{self.engine.src_lang}→{self.engine.tgt_lang}",
            file=sys.stderr,
            disable=None if self.progress is None else not self.progress,
            dynamic_ncols=True,
        )

    def run(self, missing: list[str], pieces_of: dict[str, list[str]], bar: tqdm) -> None:
        """Translate the missing sentences (or their pieces) batch by batch, committing each."""
        assert self.translator is not None
        units_of = {s: pieces_of.get(s, [s]) for s in missing}
        unit_keys = {u: cache_key(self.identity, u) for units in units_of.values() for u in units}
        # pieces of split sentences may be cached from an interrupted run
        found = self.cache.get_many(unit_keys.values()) if pieces_of else {}
        done = {u: found[k] for u, k in unit_keys.items() if k in found}
        remaining = {s: set(units) - done.keys() for s, units in units_of.items()}
        users: dict[str, list[str]] = {}  # unit -> the sentences waiting for it
        for source, left in remaining.items():
            for unit in left:
                users.setdefault(unit, []).append(source)
        todo = list(users)

        def finish(sources: list[str], rows: list[tuple[str, str, str]]) -> None:
            for source in sources:
                if source in pieces_of:  # the whole sentence too: a re-run needs no tokenizer
                    self.results[source] = join_pieces([done[u] for u in pieces_of[source]])
                    rows.append((self.keys[source], source, self.results[source]))
                else:
                    self.results[source] = done[source]
            self.cache.put_many(self.identity, rows)
            self.stats.translated += len(sources)
            bar.update(len(sources))
            if self.on_done and sources:
                self.on_done({s: self.results[s] for s in sources})

        finish([s for s, left in remaining.items() if not left], [])
        lengths = self.translator.count_tokens(todo) if todo else []
        for batch in make_batches(lengths, self.batch_size, self.batch_tokens):
            units = [todo[i] for i in batch]
            outputs = self.translator.translate_batch(units)
            finished = []
            for unit, output in zip(units, outputs, strict=True):
                done[unit] = output
                for source in users[unit]:
                    remaining[source].discard(unit)
                    if not remaining[source]:
                        finished.append(source)
            finish(finished, [(unit_keys[u], u, t) for u, t in zip(units, outputs, strict=True)])
