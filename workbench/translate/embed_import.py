"""``workbench embed IN OUT --into-cache``: a finished ``embed`` folder into the aligner's
embedding cache, so that aligning the same sentences encodes none of them again.

Nothing is computed here. The folder's encoder provenance (id, package version, weights
checksum or model revision) must equal the aligner's encoder's, the input must be the file the
shards were made from (each shard's name is a hash of the encoder and its block's texts), and
every shard must hold ``(rows, dim)`` finite float32 unit (or zero) rows. Any failure is one
line (exit 2) and the cache is left as it was: all vectors go in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import InputError, WorkbenchError
from workbench.translate.embed import read_index, shard_file
from workbench.translate.records import read_records


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


def _blocks(texts: list[str], index: dict[str, Any], folder: Path) -> list[list[str]]:
    """The input cut as the index's shards were, or a refusal when counts differ."""
    rows = [int(shard["rows"]) for shard in index["shards"]]
    if sum(rows) != len(texts) or index.get("count", len(texts)) != len(texts):
        raise InputError(
            f"the input has {len(texts)} records, the embeddings {sum(rows)}: not the file "
            "they were made from",
            folder,
        )
    starts = np.cumsum([0, *rows])
    return [texts[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]


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
    index, names = read_index(folder)
    encoder = get_encoder(encoder_name, models_dir)
    if encoder is None:
        raise WorkbenchError("--into-cache needs an encoder (not none)")
    check_provenance(index["encoder"], encoder.provenance(), folder)
    blocks = _blocks(read_records(Path(input_path)).texts, index, folder)
    for number, (name, block) in enumerate(zip(names, blocks, strict=True), 1):
        if shard_file(encoder.id, block) != name:
            raise InputError(
                f"shard {number} ({name}) was made from other sentences: the input is not the "
                "file these embeddings were made from",
                folder,
            )
    cached = CachedEncoder(encoder, cache)
    if not cached.store.usable:
        raise WorkbenchError("embedding cache is not usable; nothing loaded", cache)
    dim = int(index["dim"])

    def batches() -> Iterator[list[tuple[bytes, np.ndarray]]]:
        for name, block in zip(names, blocks, strict=True):
            matrix = read_vectors(folder / name, len(block), dim)
            yield [(cached.key(t), v) for t, v in zip(block, matrix, strict=True)]

    try:
        rows = cached.store.put_all(batches())
    finally:
        cached.close()
    return ImportStats(rows, len(names))
