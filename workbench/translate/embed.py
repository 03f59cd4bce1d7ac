"""``workbench embed``: sentence embeddings of a big file, in shards, on the local or the Ray engine.

The input (one sentence per line, JSONL or Parquet records, see ``records``) is cut into
blocks; each block's unit vectors (float32, ``(rows, dim)``) are written atomically as
``<hash>.npy`` in the output folder, the hash covering the encoder and the block's texts, so a
re-run computes only the missing shards. ``manifest.json`` (written first) names the encoder
and refuses another encoder's job; ``embeddings.json`` (written last) lists the shards in input
order with the ids: :func:`load_embeddings` reads them back as one matrix (the comparable
miner's input).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import InputError, WorkbenchError
from workbench.fileio import atomic_write_bytes, atomic_writer
from workbench.names import validate_file_id
from workbench.translate.distributed import MANIFEST, RayJob, open_shard_folder
from workbench.translate.streaming import InputWatch, JobStore, chunked

INDEX = "embeddings.json"


@dataclass
class EmbedStats:
    sentences: int = 0
    blocks: int = 0
    reused: int = 0  # blocks found as shards from an earlier run
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.sentences} sentences in {self.blocks} shards ({self.reused} from an earlier "
            f"run), {self.seconds:.1f} s"
        )


def shard_file(encoder_id: str, block: Sequence[str]) -> str:
    import hashlib

    digest = hashlib.sha256(encoder_id.encode())
    for text in block:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32] + ".npy"


def npy_bytes(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(matrix, dtype=np.float32))
    return buffer.getvalue()


def _read_shard(path: Path, rows: int) -> bool:
    try:
        return np.load(path, mmap_mode="r").shape[0] == rows
    except (OSError, ValueError):
        return False


class BlockEncoder:
    """The Ray Data actor: one loaded encoder per worker."""

    def __init__(self, name: str, models_dir: str):
        from workbench.align.signals.encoder import get_encoder

        self.encoder = get_encoder(name, Path(models_dir))
        import os
        import socket

        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"index": [], "output": [], "worker": []}
        for index, block in zip(batch["index"], batch["texts"], strict=True):
            out["index"].append(int(index))
            out["output"].append(npy_bytes(self.encoder.encode(json.loads(block))))
            out["worker"].append(self.worker)
        return out


@dataclass
class Plan:
    """Pass 1's result: each shard's ``(file name, rows)`` in input order, and the rows of the
    shards to compute (their blocks wait in the job store)."""

    count: int = 0
    shards: list[tuple[str, int]] = field(default_factory=list)
    todo_rows: int = 0


def blocks_of(texts: Iterable[str], block_lines: int) -> Iterator[list[str]]:
    """The input cut into blocks of ``block_lines`` records (blank ones included), the last
    one shorter: the shards' blocks."""
    return chunked(texts, block_lines)


def plan_shards(
    texts: Iterable[str], encoder_id: str, block_lines: int, folder: Path, store: JobStore
) -> Plan:
    """Pass 1: every record read (a bad one stops the job before anything is encoded); a
    block whose shard exists is kept, the others go into the job store as blocks to encode."""
    plan = Plan()
    for block in blocks_of(texts, block_lines):
        name = shard_file(encoder_id, block)
        if not _read_shard(folder / name, len(block)):
            with store.transaction():
                store.add_todo(len(plan.shards), name, block)
            plan.todo_rows += len(block)
        plan.shards.append((name, len(block)))
        plan.count += len(block)
    return plan


def checked_ids(
    records: Iterable[tuple[Any, str]], plan: Plan, encoder_id: str, block_lines: int
) -> Iterator[Any]:
    """Pass 3: the ids in input order, each block checked against the plan (the same
    sentences, hence the same shard) as it is read."""
    shards = iter(plan.shards)
    for block in chunked(records, block_lines):
        _check_block(next(shards, None), encoder_id, [text for _, text in block])
        yield from (id_ for id_, _ in block)
    if next(shards, None) is not None:
        raise _changed()


def _check_block(shard: tuple[str, int] | None, encoder_id: str, texts: list[str]) -> None:
    if shard is None or shard[0] != shard_file(encoder_id, texts):
        raise _changed()


def _changed() -> WorkbenchError:
    return WorkbenchError(
        "the input changed while the job ran (other records than it planned); run the job "
        "again: finished shards are kept"
    )


def write_index(path: Path, head: dict[str, Any], ids: Iterable[Any], plan: Plan) -> None:
    """``embeddings.json`` with the ids written as they come, atomically: the bytes of
    ``json.dumps({**head, "ids": [...], "shards": [...]}, ensure_ascii=False) + "\\n"``."""
    shards = [{"file": name, "rows": rows} for name, rows in plan.shards]
    with atomic_writer(path) as handle:
        handle.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "ids": [')
        for number, chunk in enumerate(chunked(ids)):
            items = ", ".join(json.dumps(id_, ensure_ascii=False) for id_ in chunk)
            handle.write(", " + items if number else items)
        handle.write('], "shards": ' + json.dumps(shards, ensure_ascii=False) + "}\n")


def embed_file(
    input_path: Path,
    output_dir: Path,
    encoder_name: str,
    models_dir: Path,
    block_lines: int,
    ray: RayJob | None = None,
    progress: bool | None = None,
) -> EmbedStats:
    """Embed every record of ``input_path`` into shards under ``output_dir`` (``ray``: on a Ray
    cluster; None: in this process). The input is streamed: read once to plan the shards,
    once more for the ids of the index; the blocks to encode wait in a scratch SQLite file."""
    from workbench.align.signals.encoder import get_encoder

    started = time.perf_counter()
    input_path, output_dir = Path(input_path), Path(output_dir)
    if not output_dir.parent.is_dir():
        raise InputError(f"output folder {output_dir.parent} does not exist", output_dir)
    encoder = get_encoder(encoder_name, models_dir)
    if encoder is None:
        raise WorkbenchError("embed needs an encoder (not none)")
    provenance = encoder.provenance()
    created = not output_dir.exists()
    open_shard_folder(output_dir, {"encoder": provenance})
    watch = InputWatch(input_path)
    with JobStore(output_dir) as store:
        try:
            texts = (text for _, text in watch.records())
            plan = plan_shards(texts, encoder.id, block_lines, output_dir, store)
        except BaseException:
            if created:  # a bad input leaves no folder behind, as before it was read whole
                store.close()
                _remove_new_folder(output_dir)
            raise
        stats = EmbedStats(plan.count, len(plan.shards), len(plan.shards) - store.todo_count())

        def finished(index: int, npy: bytes) -> None:
            atomic_write_bytes(output_dir / plan.shards[index][0], npy)

        if plan.todo_rows and ray is not None:
            from workbench.translate.distributed import run_blocks

            args = (encoder_name, str(Path(models_dir).resolve()))
            run_blocks(ray, BlockEncoder, args, store.todo(), finished, "embed ray", progress)
        elif plan.todo_rows:
            _embed_here(encoder, store.todo(), plan.todo_rows, finished, progress)
    head = {"encoder": provenance, "dim": encoder.dim, "count": plan.count}
    ids = checked_ids(watch.records(), plan, encoder.id, block_lines)
    write_index(output_dir / INDEX, head, ids, plan)
    stats.seconds = time.perf_counter() - started
    return stats


def _remove_new_folder(folder: Path) -> None:
    (folder / MANIFEST).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _embed_here(
    encoder: Any,
    blocks: Iterable[tuple[int, list[str]]],
    rows: int,
    finished: Callable[[int, bytes], None],
    progress: bool | None,
) -> None:
    from tqdm import tqdm

    bar = tqdm(
        total=rows,
        unit="sent",
        desc="embed",
        file=sys.stderr,
        disable=None if progress is None else not progress,
        dynamic_ncols=True,
    )
    with bar:
        for index, block in blocks:
            finished(index, npy_bytes(encoder.encode(block)))
            bar.update(len(block))


_SIGNIFICANT = re.compile(r'["\\\[\]{}]')
_IDS_KEY = re.compile(r'"ids"\s*:\s*$')


def index_text_without_ids(path: Path, slice_chars: int = 1 << 16) -> str:
    """The index's text read in slices, its top-level ``"ids"`` array left empty: the one part
    that grows with the input, which ``--into-cache`` does not need."""
    kept: list[str] = []
    tail = ""  # the last kept characters, where the "ids" key is looked for
    depth, in_string, escaped, skipping, offset = 0, False, -1, False, 0
    with open(path, encoding="utf-8") as handle:
        while chunk := handle.read(slice_chars):
            start = 0  # what of this slice is kept begins here
            for match in _SIGNIFICANT.finditer(chunk):
                char, at = match.group(), offset + match.start()
                if in_string:
                    if at != escaped:
                        escaped = at + 1 if char == "\\" else escaped
                        in_string = char != '"'
                elif char == '"':
                    in_string = True
                elif char in "[{":
                    depth += 1
                    before = chunk[start : match.start()]
                    if depth == 2 and char == "[" and _IDS_KEY.search(tail + before):
                        kept.append(chunk[start : match.end()])
                        skipping, start = True, match.end()
                else:
                    if skipping and depth == 2:
                        skipping, start = False, match.start()
                    depth -= 1
            if not skipping:
                kept.append(chunk[start:])
                tail = (tail + chunk[start:])[-64:]
            offset += len(chunk)
    return "".join(kept)


def read_index(folder: Path, ids: bool = True) -> tuple[dict[str, Any], list[str]]:
    """The index of a finished ``embed`` folder and its shard file names (checked as data);
    ``ids=False``: without the ids (read in slices, an empty list in their place)."""
    folder = Path(folder)
    try:
        if ids:
            index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        else:
            index = json.loads(index_text_without_ids(folder / INDEX))
    except FileNotFoundError:
        raise InputError(f"no {INDEX}: not a finished embed folder", folder) from None
    except (ValueError, RecursionError):
        raise InputError(f"{INDEX} is not valid JSON", folder / INDEX) from None
    try:
        names = [shard["file"] for shard in index["shards"]]
        [int(shard["rows"]) for shard in index["shards"]]
        index["ids"], index["dim"], index["encoder"]
    except (KeyError, TypeError, ValueError):
        raise InputError("not an embed index (shards, ids, dim, encoder)", folder / INDEX) from None
    for name in names:  # names read from a file are data: one plain file in this folder
        validate_file_id("shard file name", name, folder / INDEX)
    return index, names


def load_embeddings(folder: Path) -> tuple[list[Any], np.ndarray, dict[str, Any]]:
    """``(ids, matrix (n, dim) float32, encoder provenance)`` of a finished ``embed`` folder."""
    folder = Path(folder)
    index, names = read_index(folder)
    parts = [np.load(folder / name) for name in names]
    matrix = np.concatenate(parts) if parts else np.zeros((0, index["dim"]), np.float32)
    return index["ids"], matrix, index["encoder"]
