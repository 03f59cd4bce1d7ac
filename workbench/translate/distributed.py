"""The Ray engine: batch translation scaled out over workers (``--engine ray``).

The driver (``streaming.py``: the input streamed, never all in memory) keeps the cache, the
input order and the output file; the sentences not in the cache are cut into blocks of
``block_lines``, put into the object store one by one, and Ray Data runs
``map_batches`` over the blocks with an actor class that holds one translator per worker (one
per GPU with ``--gpus-per-worker``). Inside a worker a block goes through the same
``translate_texts`` as the local engine (same splitting, batching and decoding), so the output
is the local engine's, byte for byte.

Exactly-once in effect: each finished block is written by the driver as a shard, atomically,
named by a hash of the model/decoding identity and the block's sentences; a re-run after a
crash (driver or worker killed) reads the shards that exist and sends only the missing blocks.
The shard folder records the identity it belongs to and refuses another model's job.
Ray is imported only here, and only when the engine runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from workbench.errors import InputError, WorkbenchError
from workbench.fileio import atomic_write_text
from workbench.jsonlines import dumps_line, split_lines
from workbench.settings import TranslateSettings
from workbench.translate.cache import TranslationCache
from workbench.translate.engine import Engine
from workbench.translate.job import translate_texts

MANIFEST = "manifest.json"
CONNECT_SECONDS = 5.0


def shard_name(identity: str, block: Sequence[str]) -> str:
    digest = hashlib.sha256(identity.encode())
    for text in block:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32] + ".jsonl"


def open_shard_folder(folder: Path, identity: dict[str, Any]) -> None:
    """Create ``folder`` for this job, or accept it when it holds the same job's shards."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            saved = json.loads(manifest.read_text(encoding="utf-8")).get("identity")
        except (ValueError, AttributeError):
            saved = None
        if saved != json.loads(json.dumps(identity)):
            theirs = saved.get("model") if isinstance(saved, dict) else "unknown"
            raise InputError(
                f"shard folder holds another job's shards (model {theirs}, other decoding or "
                "languages); remove it or choose another folder, shards are never mixed",
                folder,
            )
        return
    if folder.exists() and any(folder.iterdir()):
        raise InputError(
            "shard folder is not empty and has no manifest: not a shard folder", folder
        )
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(manifest, json.dumps({"identity": identity}, indent=1) + "\n")


def read_shard(path: Path, block: Sequence[str]) -> list[str] | None:
    """The block's translations from its shard, or None when it is missing or unusable."""
    try:
        rows = [json.loads(line) for line in split_lines(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        return None
    if [r.get("s") for r in rows] != list(block):
        return None
    return [r["t"] for r in rows]


def write_shard(path: Path, block: Sequence[str], translations: Sequence[str]) -> None:
    rows = (dumps_line({"s": s, "t": t}) for s, t in zip(block, translations, strict=True))
    try:
        atomic_write_text(path, "".join(rows))  # records end at "\n" only (U+2028 escaped)
    except OSError as exc:  # disk full, folder gone: nothing half-written is left as a shard
        raise WorkbenchError(f"cannot write the shard: {exc.strerror or exc}", path) from None


def _probe(address: str) -> None:
    """A TCP connection to a ``host:port`` / ``ray://host:port`` address within seconds."""
    url = urlparse(address if "://" in address else f"tcp://{address}")
    if not url.hostname or not url.port:
        raise WorkbenchError(f"Ray address {address!r} is not host:port, ray://host:port or auto")
    try:
        socket.create_connection((url.hostname, url.port), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise WorkbenchError(
            f"Ray cluster at {address} does not answer within {CONNECT_SECONDS:.0f} s ({exc}); "
            "is `ray start --head` running there, and is the port open?"
        ) from None


def import_ray() -> Any:
    """Ray with Ray Data, or one line saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401 - the engine's part of Ray
    except ImportError as exc:
        raise WorkbenchError(
            f'the Ray engine needs Ray Data ({exc.name or exc}): pip install -e ".[ray]"'
        ) from None
    return ray


def connect(address: str | None, cpus: int) -> None:
    """Join the cluster at ``address`` (``auto``, ``host:port``, ``ray://host:port``), or start
    one on this machine with ``cpus`` CPUs; nothing when this process is already connected."""
    if address not in (None, "auto"):
        _probe(address)
    ray = import_ray()

    if ray.is_initialized():
        return
    options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
    if address is None:
        ray.init(num_cpus=cpus, **options)
        return
    try:
        ray.init(address=address, **{k: v for k, v in options.items() if k != "include_dashboard"})
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkbenchError(f"cannot join the Ray cluster at {address}: {first}") from None


class BlockTranslator:
    """The Ray Data actor: one engine (one loaded translator) per worker."""

    def __init__(self, engine: Engine, batch_size: int, batch_tokens: int):
        if engine.model_dir is not None and not Path(engine.model_dir).is_dir():
            engine.model_dir = None  # another machine: found or downloaded there
        self.engine = engine
        self.batch_size, self.batch_tokens = batch_size, batch_tokens
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"index": [], "output": [], "worker": []}
        for index, block in zip(batch["index"], batch["texts"], strict=True):
            texts = json.loads(block)
            with TranslationCache(":memory:") as cache:
                results, _ = translate_texts(
                    texts,
                    self.engine,
                    cache,
                    batch_size=self.batch_size,
                    batch_tokens=self.batch_tokens,
                    progress=False,
                    block_lines=len(texts),
                )
            out["index"].append(int(index))
            out["output"].append(json.dumps([results[t] for t in texts]))
            out["worker"].append(self.worker)
        return out


def worker_threads(settings: TranslateSettings) -> int:
    """CPU threads per worker: the setting, else this machine's cores shared by the workers."""
    from workbench.translate.backends.ctranslate2 import cpu_threads

    return settings.threads or max(1, cpu_threads() // settings.workers)


@dataclass
class RayJob:
    """Where and how wide a Ray job runs (from the [translate] settings or the command line)."""

    address: str | None
    workers: int
    threads: int  # CPU threads per worker
    gpus_per_worker: float = 0.0


def ray_job(settings: TranslateSettings) -> RayJob:
    return RayJob(
        settings.ray_address, settings.workers, worker_threads(settings), settings.gpus_per_worker
    )


def run_blocks(
    job: RayJob,
    actor: type,
    actor_args: tuple[Any, ...],
    blocks: Mapping[int, Sequence[str]] | Iterable[tuple[int, Sequence[str]]],
    on_result: Callable[[int, Any], None],
    desc: str,
    progress: bool | None,
) -> None:
    """Ray Data ``map_batches`` over ``blocks`` (index -> texts, or ``(index, texts)`` pairs
    read one by one) with ``actor(*actor_args)`` on ``job.workers`` workers;
    ``on_result(index, output)`` in the driver as each block finishes. Each block goes into
    the object store as it is read (the driver keeps a reference and its size only). A bar
    shows sentences/s, the ETA and the workers that answered in the last minute. Ray Data
    restarts a worker that dies and sends its block again."""
    ray = import_ray()
    import pyarrow as pa
    from tqdm import tqdm

    connect(job.address, job.threads * job.workers)
    ray.data.DataContext.get_current().enable_progress_bars = False
    pairs = blocks.items() if isinstance(blocks, Mapping) else blocks
    sizes: dict[int, int] = {}
    refs = []
    for index, texts in pairs:
        sizes[index] = len(texts)
        refs.append(ray.put(pa.table({"index": [index], "texts": [json.dumps(list(texts))]})))
    if not refs:
        return
    dataset = ray.data.from_arrow_refs(refs).map_batches(
        actor,
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=min(job.workers, len(refs))),
        num_cpus=job.threads if job.gpus_per_worker == 0 else 1,
        num_gpus=job.gpus_per_worker or None,
        fn_constructor_args=actor_args,
    )
    del refs  # the dataset holds them
    seen: dict[str, float] = {}
    bar = tqdm(
        total=sum(sizes.values()),
        unit="sent",
        desc=desc,
        file=sys.stderr,
        disable=None if progress is None else not progress,
        dynamic_ncols=True,
    )
    with bar:
        for row in dataset.iter_rows():
            index = int(row["index"])
            on_result(index, row["output"])
            now = time.monotonic()
            seen[row["worker"]] = now
            bar.set_postfix_str(f"workers {sum(1 for t in seen.values() if now - t < 60)}")
            bar.update(sizes[index])
    if len(seen) > job.workers:  # a restarted actor answers under a new process id
        tqdm.write(
            f"workbench: warning: {len(seen) - job.workers} Ray worker(s) died and were "
            "replaced; their blocks were sent again",
            file=sys.stderr,
        )


def for_workers(engine: Engine, threads: int) -> Engine:
    """The engine a worker rebuilds: absolute paths (a worker's folder is not the driver's)."""

    def absolute(path: Path | None) -> Path | None:
        return None if path is None else Path(path).resolve()

    spec = replace(engine.spec, path=absolute(engine.spec.path))
    return replace(
        engine,
        spec=spec,
        models_dir=absolute(engine.models_dir),
        model_dir=absolute(engine.model_dir),
        threads=threads,
        _translator=None,
    )
