"""The Ray engine's driver without the whole input in memory.

Three passes over the input, each read record by record:

1. **plan**: every record is checked (a bad one stops the job before any block is sent); the
   distinct non-blank sentences are found in input order (a digest per sentence in a
   temporary SQLite file, the *job store*, in the shard folder), looked up in the cache, and
   the missing ones cut into blocks of ``block_lines``, exactly as the local engine cuts them
   (same blocks, same shard names, same bytes). A block whose shard exists is read back; the
   others go into the job store as blocks to translate.
2. **run**: the blocks to translate are read from the job store one by one and handed to Ray
   (``distributed.run_blocks``): the driver keeps only object references.
3. **write**: the input is read again and each record's translation looked up in the job store;
   the output is written as the lookups come, atomically.

The driver's memory is one chunk of records, one block and a reference per block.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from workbench.errors import WorkbenchError
from workbench.settings import TranslateSettings
from workbench.translate.cache import TranslationCache, cache_key, identity_digest
from workbench.translate.engine import Engine
from workbench.translate.job import JobStats

CHUNK = 2048  # records read, looked up and stored together
_SELECT = 500  # keys per SELECT
SCHEMA = """
CREATE TABLE seen (key TEXT PRIMARY KEY, translation TEXT) WITHOUT ROWID;
CREATE TABLE todo (block INTEGER PRIMARY KEY, name TEXT NOT NULL, texts TEXT NOT NULL)
"""
T = TypeVar("T")


class InputWatch:
    """The input file as a job that reads it more than once first saw it (device, inode, size,
    modification time): each pass ends by checking it is still that file, so that an input
    appended to, truncated, rewritten or replaced between passes stops the job with one line
    instead of giving an output made of two inputs."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.seen = self._now()

    def _now(self) -> tuple[int, ...] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)

    def check(self) -> None:
        if self._now() != self.seen:
            raise WorkbenchError(
                "the input changed while the job ran (written to or replaced); nothing was "
                "written: run the job again when it is complete, finished blocks are kept",
                self.path,
            )

    def records(self) -> Iterator[tuple[Any, str]]:
        """One pass over the input's records, checked once it is read to its end."""
        from workbench.translate.records import iter_records

        yield from iter_records(self.path)
        self.check()


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class JobStore:
    """The job's working set on disk: each distinct sentence's key with its translation once
    known, and the blocks still to translate. ``job-<pid>.sqlite`` in the shard folder,
    removed at the end (one left by a killed job is removed by the next)."""

    def __init__(self, folder: Path):
        from workbench.recovery import owner_alive

        for old in Path(folder).glob("job-*.sqlite"):
            pid = old.stem.removeprefix("job-")
            if pid.isdigit() and not owner_alive(int(pid), old):  # a killed job's (or a
                with contextlib.suppress(OSError):  # pid reused since): a folder is left
                    old.unlink()
        self.path = Path(folder) / f"job-{os.getpid()}.sqlite"
        self.path.unlink(missing_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), isolation_level=None)
            self.db.execute("PRAGMA journal_mode=OFF")  # a scratch file: a crash discards it
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise WorkbenchError(
                f"cannot create the job's working file ({exc})", self.path
            ) from None

    def failed(self, exc: sqlite3.Error) -> WorkbenchError:
        """The one line for a failed read or write of the working file (disk full...)."""
        return WorkbenchError(
            f"the job's working file failed ({exc}); no output was written, finished blocks "
            "are kept",
            self.path,
        )

    @contextlib.contextmanager
    def _sql(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self.failed(exc) from None

    def add_new(self, keys: list[str]) -> set[str]:
        """The keys not seen before (now recorded as seen)."""
        old: set[str] = set()
        with self._sql():
            for start in range(0, len(keys), _SELECT):
                part = keys[start : start + _SELECT]
                sql = f"SELECT key FROM seen WHERE key IN ({','.join('?' * len(part))})"
                old.update(row[0] for row in self.db.execute(sql, part))
            new = [k for k in keys if k not in old]
            self.db.executemany("INSERT INTO seen (key) VALUES (?)", ((k,) for k in new))
        return set(new)

    def set_translations(self, pairs: Iterable[tuple[str, str]]) -> None:
        sql = "UPDATE seen SET translation = ? WHERE key = ?"
        with self._sql():
            self.db.executemany(sql, ((t, k) for k, t in pairs))

    def add_todo(self, block: int, name: str, texts: list[str]) -> None:
        with self._sql():
            self.db.execute("INSERT INTO todo VALUES (?, ?, ?)", (block, name, json.dumps(texts)))

    def todo(self) -> Iterator[tuple[int, list[str]]]:
        """The blocks to translate, one at a time."""
        with self._sql():
            rows = self.db.execute("SELECT block, texts FROM todo ORDER BY block")
        while True:
            with self._sql():
                row = rows.fetchone()
            if row is None:
                return
            yield row[0], json.loads(row[1])

    def todo_count(self) -> int:
        with self._sql():
            return int(self.db.execute("SELECT COUNT(*) FROM todo").fetchone()[0])

    def block(self, block: int) -> tuple[str, list[str]]:
        with self._sql():
            name, texts = self.db.execute(
                "SELECT name, texts FROM todo WHERE block = ?", (block,)
            ).fetchone()
        return name, json.loads(texts)

    def translations(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._sql():
            for start in range(0, len(keys), _SELECT):
                part = keys[start : start + _SELECT]
                marks = ",".join("?" * len(part))
                sql = f"SELECT key, translation FROM seen WHERE key IN ({marks})"
                found.update((k, t) for k, t in self.db.execute(sql, part) if t is not None)
        return found

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes grouped into one transaction (many rows for one commit)."""
        with self._sql():
            self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise
        with self._sql():
            self.db.execute("COMMIT")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Planner:
    """Pass 1: distinct sentences in input order, cache hits, blocks of the missing ones."""

    def __init__(
        self,
        store: JobStore,
        cache: TranslationCache,
        identity: str,
        block_lines: int,
        read_block: Callable[[list[str]], tuple[str, list[str] | None]],
    ):
        self.store, self.cache, self.identity = store, cache, identity
        self.block_lines, self.read_block = block_lines, read_block
        self.stats = JobStats()
        self.blocks = 0  # blocks cut so far (their numbers)
        self.todo = 0  # of which to translate
        self.block: list[str] = []

    def feed(self, texts: Iterable[str]) -> JobStats:
        for chunk in chunked(texts):
            sources = list(dict.fromkeys(t for t in chunk if t.strip()))
            keys = {s: cache_key(self.identity, s) for s in sources}
            with self.store.transaction():
                new = self.store.add_new(list(keys.values()))
                hits = self.cache.get_many(k for k in keys.values() if k in new)
                self.store.set_translations(hits.items())
                self.stats.sentences += len(new)
                self.stats.cached += len(hits)
                for source, key in keys.items():
                    if key in new and key not in hits:
                        self.block.append(source)
                        if len(self.block) == self.block_lines:
                            self._close_block()
        with self.store.transaction():
            self._close_block()
        return self.stats

    def _close_block(self) -> None:
        if not self.block:
            return
        name, found = self.read_block(self.block)
        if found is None:
            self.store.add_todo(self.blocks, name, self.block)
            self.todo += 1
        else:
            keys = [cache_key(self.identity, s) for s in self.block]
            self.store.set_translations(zip(keys, found, strict=True))
            self.stats.cached += len(self.block)
        self.blocks += 1
        self.block = []


def translated_rows(
    records: Iterable[tuple[Any, str]], store: JobStore, identity: str
) -> Iterator[tuple[Any, str, str]]:
    """Pass 3: ``(id, text, translation)`` of each record, in input order."""
    for chunk in chunked(records):
        keys = [cache_key(identity, text) if text.strip() else "" for _, text in chunk]
        found = store.translations([k for k in keys if k])
        for (id_, text), key in zip(chunk, keys, strict=True):
            if key and key not in found:
                raise WorkbenchError(
                    "the input changed while the job ran (a sentence it did not plan); run the "
                    "job again: finished blocks are kept"
                )
            yield id_, text, found.get(key, "")


# --- the Ray job's driver -------------------------------------------------------------------


@contextlib.contextmanager
def planned_and_run(
    texts: Iterable[str],
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    shards: Path,
    progress: bool | None,
) -> Iterator[tuple[JobStore, JobStats]]:
    """Passes 1 and 2 over ``texts``; yields the job store (every translation) and the stats."""
    from workbench.translate.distributed import open_shard_folder, read_shard, shard_name

    started = time.perf_counter()
    identity = identity_digest(engine.identity)
    open_shard_folder(shards, engine.identity)

    def read_block(block: list[str]) -> tuple[str, list[str] | None]:
        name = shard_name(identity, block)
        return name, read_shard(Path(shards) / name, block)

    with JobStore(shards) as store:
        planner = Planner(store, cache, identity, settings.block_lines, read_block)
        stats = planner.feed(texts)
        if planner.todo:
            stats.translated = _send_blocks(engine, settings, shards, store, cache, progress)
        stats.seconds = time.perf_counter() - started
        yield store, stats


def _send_blocks(
    engine: Engine,
    settings: TranslateSettings,
    shards: Path,
    store: JobStore,
    cache: TranslationCache,
    progress: bool | None,
) -> int:
    """Pass 2: the blocks to translate to the workers; each finished block's shard written as
    it comes, its translations into the job store and the cache. Returns the sentences done."""
    from workbench.translate.distributed import (
        BlockTranslator,
        connect,
        for_workers,
        ray_job,
        run_blocks,
        write_shard,
    )

    job = ray_job(settings)
    connect(job.address, job.threads * job.workers)  # a bad address fails before any download
    engine.prepare()  # download and convert once, here, not in every worker
    identity = identity_digest(engine.identity)
    durable = str(cache.path) != ":memory:"  # --no-cache: the job store is enough
    done = [0]

    def finished(index: int, output: str) -> None:
        translations = json.loads(output)
        name, block = store.block(index)
        write_shard(Path(shards) / name, block, translations)
        keys = [cache_key(identity, s) for s in block]
        store.set_translations(zip(keys, translations, strict=True))
        if durable:
            rows = zip(keys, block, translations, strict=True)
            cache.put_many(identity, list(rows))
        done[0] += len(block)

    run_blocks(
        job,
        BlockTranslator,
        (for_workers(engine, job.threads), settings.batch_size, settings.batch_tokens),
        store.todo(),
        finished,
        f"{engine.src_lang}→{engine.tgt_lang} ray",
        progress,
    )
    return done[0]


def translate_texts_ray(
    texts: Sequence[str],
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    shards: Path,
    progress: bool | None = None,
) -> tuple[dict[str, str], JobStats]:
    """Translate ``texts`` on Ray; returns ``{source: translation}`` like ``translate_texts``
    (the corpus job, whose texts are in memory anyway)."""
    with planned_and_run(texts, engine, cache, settings, shards, progress) as (store, stats):
        identity = identity_digest(engine.identity)
        distinct = ((None, t) for t in dict.fromkeys(texts))
        results = {text: t for _, text, t in translated_rows(distinct, store, identity)}
    return results, stats


def translate_file_ray(
    input_path: Path,
    output_path: Path,
    engine: Engine,
    cache: TranslationCache,
    settings: TranslateSettings,
    shards: Path,
    progress: bool | None = None,
) -> JobStats:
    """``translate_file`` on Ray with the input streamed (see the module's docstring)."""
    from workbench.translate.records import record_kind, write_record_rows

    watch = InputWatch(input_path)
    texts = (text for _, text in watch.records())
    with planned_and_run(texts, engine, cache, settings, shards, progress) as (store, stats):
        rows = translated_rows(watch.records(), store, identity_digest(engine.identity))
        write_record_rows(output_path, record_kind(input_path), rows)
    return stats
