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

import io
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import InputError, WorkbenchError
from workbench.fileio import atomic_write_bytes, atomic_write_text
from workbench.names import validate_file_id
from workbench.translate.distributed import RayJob, open_shard_folder, run_blocks
from workbench.translate.records import read_records

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
    cluster; None: in this process)."""
    from workbench.align.signals.encoder import get_encoder

    started = time.perf_counter()
    records = read_records(Path(input_path))
    output_dir = Path(output_dir)
    if not output_dir.parent.is_dir():
        raise InputError(f"output folder {output_dir.parent} does not exist", output_dir)
    encoder = get_encoder(encoder_name, models_dir)
    if encoder is None:
        raise WorkbenchError("embed needs an encoder (not none)")
    provenance = encoder.provenance()
    open_shard_folder(output_dir, {"encoder": provenance})
    texts = records.texts
    blocks = [texts[i : i + block_lines] for i in range(0, len(texts), block_lines)]
    names = [output_dir / shard_file(encoder.id, block) for block in blocks]
    todo = {i: b for i, b in enumerate(blocks) if not _read_shard(names[i], len(b))}
    stats = EmbedStats(len(texts), len(blocks), len(blocks) - len(todo))

    def finished(index: int, npy: bytes) -> None:
        atomic_write_bytes(names[index], npy)

    if todo and ray is not None:
        args = (encoder_name, str(Path(models_dir).resolve()))
        run_blocks(ray, BlockEncoder, args, todo, finished, "embed ray", progress)
    elif todo:
        _embed_here(encoder, todo, finished, progress)
    index = {
        "encoder": provenance,
        "dim": encoder.dim,
        "count": len(texts),
        "ids": records.ids,
        "shards": [{"file": n.name, "rows": len(b)} for n, b in zip(names, blocks, strict=True)],
    }
    atomic_write_text(output_dir / INDEX, json.dumps(index, ensure_ascii=False) + "\n")
    stats.seconds = time.perf_counter() - started
    return stats


def _embed_here(
    encoder: Any, todo: dict[int, list[str]], finished: Any, progress: bool | None
) -> None:
    from tqdm import tqdm

    bar = tqdm(
        total=sum(len(b) for b in todo.values()),
        unit="sent",
        desc="embed",
        file=sys.stderr,
        disable=None if progress is None else not progress,
        dynamic_ncols=True,
    )
    with bar:
        for index, block in todo.items():
            finished(index, npy_bytes(encoder.encode(block)))
            bar.update(len(block))


def read_index(folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The index of a finished ``embed`` folder and its shard file names (checked as data)."""
    folder = Path(folder)
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
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
