"""``workbench embed IN OUT --into-cache``: a finished ``embed`` folder into the aligner's
embedding cache, so that aligning the same sentences encodes none of them again.

Nothing is computed here. The folder's encoder provenance (id, package version, weights
checksum or model revision) must equal the aligner's encoder's, the input must be the file the
shards were made from (each shard's name is a hash of the encoder and its block's texts), and
every shard must hold ``(rows, dim)`` finite float32 unit (or zero) rows. Any failure is one
line (exit 2) and the cache is left as it was: all vectors go in one transaction.

The input is streamed (never whole in memory): a first pass checks it against the index (counts
and every shard's name) before the cache is opened; a second, inside the transaction, reads it
again with the shards and stores one shard's vectors at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import InputError, WorkbenchError
from workbench.translate.embed import read_index, shard_file
from workbench.translate.streaming import InputWatch


@dataclass
class ImportStats:
    rows: int = 0
    shards: int = 0

    def line(self, cache: Path) -> str:
        return (
            f"{self.rows} vectors from {self.shards} shards loaded into {cache}; "
            "align and run take them from there"
        )


def describe(provenance: Any) -> str:
    """An encoder's provenance in a few words: id, package, weights or revision."""
    if not isinstance(provenance, dict):
        return repr(provenance)
    parts = [str(provenance.get("id", "unknown encoder"))]
    parts += [str(provenance[k]) for k in ("package", "model") if provenance.get(k)]
    if provenance.get("weights_sha256"):
        parts.append(f"weights {str(provenance['weights_sha256'])[:12]}…")
    if provenance.get("revision"):
        parts.append(f"revision {str(provenance['revision'])[:12]}")
    return ", ".join(parts)


def check_provenance(theirs: Any, ours: dict[str, Any], folder: Path) -> None:
    """Refuse vectors of another encoder (or another version or weights of it)."""
    import json

    if theirs != json.loads(json.dumps(ours)):
        raise InputError(
            f"embeddings made by {describe(theirs)}, the aligner's encoder is {describe(ours)}: "
            "not loaded (re-run workbench embed with this encoder)",
            folder,
        )


def shard_blocks(
    input_path: Path | InputWatch,
    index: dict[str, Any],
    names: list[str],
    encoder_id: str,
    folder: Path,
) -> Iterator[tuple[str, list[str]]]:
    """``(shard file, its block)`` with the input streamed and cut as the index's shards
    were; a refusal when the counts differ or a block is not its shard's (its name is a hash
    of the encoder and the block's texts)."""
    rows = [int(shard["rows"]) for shard in index["shards"]]
    watch = input_path if isinstance(input_path, InputWatch) else InputWatch(input_path)
    records = watch.records()
    texts = (text for _, text in records)
    done = 0
    for number, (name, count) in enumerate(zip(names, rows, strict=True), 1):
        block = list(islice(texts, count))
        done += len(block)
        if len(block) < count or shard_file(encoder_id, block) != name:
            total = done + sum(1 for _ in texts)
            if total != sum(rows) or index.get("count", total) != total:
                raise _other_count(total, rows, folder)  # the refusal the counts give first
            raise InputError(
                f"shard {number} ({name}) was made from other sentences: the input is not the "
                "file these embeddings were made from",
                folder,
            )
        yield name, block
    rest = sum(1 for _ in texts)
    if rest or index.get("count", sum(rows)) != sum(rows):
        raise _other_count(sum(rows) + rest, rows, folder)


def _other_count(records: int, rows: list[int], folder: Path) -> InputError:
    return InputError(
        f"the input has {records} records, the embeddings {sum(rows)}: not the file "
        "they were made from",
        folder,
    )


def read_vectors(path: Path, rows: int, dim: int) -> np.ndarray:
    """A shard's rows, or one line naming what is wrong with it."""
    try:
        matrix = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InputError("shard missing: re-run workbench embed to finish the job", path) from None
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"damaged shard ({exc}); re-run workbench embed", path) from None
    if matrix.dtype != np.float32 or matrix.shape != (rows, dim):
        raise InputError(
            f"damaged shard: {matrix.dtype} {matrix.shape}, expected float32 ({rows}, {dim})",
            path,
        )
    norms = np.linalg.norm(matrix, axis=1) if rows else np.zeros(0)
    if not np.all(np.isfinite(norms)) or np.any((np.abs(norms - 1) > 1e-3) & (norms != 0)):
        raise InputError("damaged shard: rows that are not unit vectors", path)
    return matrix


def import_embeddings(
    input_path: Path, folder: Path, encoder_name: str, models_dir: Path, cache: Path | None
) -> ImportStats:
    """Load the vectors of the finished embed ``folder`` (made from ``input_path``) into the
    embedding cache at ``cache``, keyed as the aligner's ``CachedEncoder`` keys them."""
    from workbench.align.signals.embed_cache import CachedEncoder
    from workbench.align.signals.encoder import get_encoder

    folder = Path(folder)
    if cache is None:
        raise WorkbenchError("[align] embedding_cache is off: there is no cache to load into")
    index, names = read_index(folder, ids=False)
    encoder = get_encoder(encoder_name, models_dir)
    if encoder is None:
        raise WorkbenchError("--into-cache needs an encoder (not none)")
    check_provenance(index["encoder"], encoder.provenance(), folder)
    watch = InputWatch(input_path)
    for _ in shard_blocks(watch, index, names, encoder.id, folder):
        pass  # the whole input checked before the cache is opened
    cached = CachedEncoder(encoder, cache, strict=True)  # one line if it cannot be opened
    dim = int(index["dim"])

    def batches() -> Iterator[list[tuple[bytes, np.ndarray]]]:
        for name, block in shard_blocks(watch, index, names, encoder.id, folder):
            matrix = read_vectors(folder / name, len(block), dim)
            yield [(cached.key(t), v) for t, v in zip(block, matrix, strict=True)]

    try:
        rows = cached.store.put_all(batches())
    finally:
        cached.close()
    return ImportStats(rows, len(names))
