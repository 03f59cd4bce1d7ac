"""The embedding cache: every sentence vector, durable, keyed by encoder identity and text.

Like the translation cache (:mod:`workbench.translate.cache`): SQLite in WAL mode, each batch
one transaction, so a killed run loses at most the batch in flight and a re-run encodes only
the texts it has not seen. The key is a SHA-256 of the encoder's provenance (id, package
version, weights checksum or model revision) and the text; a vector is stored as float32
bytes. A damaged cache file is reported once and bypassed (nothing is overwritten: delete the
file to start a new cache). Within one run a text is never encoded twice (an in-memory map).
The language check of parallel mode (is the text in one of the encoder's languages?) keeps
its answers in the same file, so a warm run loads neither the encoder's weights nor the
language identifier.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from workbench.align.signals.encoder import Encoder
from workbench.errors import WorkbenchError
from workbench.sqlitefile import open_shared

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key BLOB PRIMARY KEY,
    vector BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS languages (
    key BLOB PRIMARY KEY,
    language TEXT NOT NULL
) WITHOUT ROWID
"""
_CHUNK = 500  # keys per SELECT
_SLICE = 4096  # texts encoded and committed together (a kill loses one slice at most)


def _warn(message: str, path: str | Path) -> None:
    print(f"workbench: warning: {path}: {message}", file=sys.stderr)


class EmbeddingStore:
    """``get_many`` / ``put_many`` over one SQLite file; ``None`` path: memory only. ``strict``:
    a cache that cannot be opened (damaged, locked, not a file) is a one-line error, not a
    warning and a run without it (``embed --into-cache``, whose whole point is the cache)."""

    def __init__(self, path: str | Path | None, strict: bool = False):
        self.path = path
        self._db: sqlite3.Connection | None = None
        if path is None:
            return
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = open_shared(path)
            db.executescript(SCHEMA)
            db.execute("SELECT COUNT(*) FROM embeddings LIMIT 1").fetchone()
            self._db = db
        except (sqlite3.DatabaseError, OSError) as exc:
            if strict:
                raise WorkbenchError(
                    f"embedding cache not usable ({exc}); nothing loaded, it is unchanged", path
                ) from None
            _warn(f"embedding cache not usable ({exc}); encoding without it", path)

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        if self._db is None:
            return found
        ordered = sorted(keys)  # neighbouring keys share B-tree pages: ~2x faster reads
        try:
            for start in range(0, len(ordered), _CHUNK):
                chunk = ordered[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, vector FROM embeddings WHERE key IN ({marks})"
                for key, blob in self._db.execute(sql, chunk):
                    if isinstance(blob, bytes) and len(blob) == dim * 4:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
        return found

    def put_many(self, rows: Sequence[tuple[bytes, np.ndarray]]) -> None:
        if self._db is None or not rows:
            return
        values = [(key, np.ascontiguousarray(vec, dtype=np.float32).tobytes()) for key, vec in rows]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", values)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._fail(exc)

    @property
    def usable(self) -> bool:
        return self._db is not None

    def put_all(self, batches: Iterable[Sequence[tuple[bytes, np.ndarray]]]) -> int:
        """Store every batch in one transaction: all rows or none. An exception from
        ``batches`` (a damaged input) or from SQLite rolls everything back and is raised
        (SQLite's as a one-line ``WorkbenchError``)."""
        if self._db is None:
            raise WorkbenchError("embedding cache is not usable", self.path)
        count = 0
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for rows in batches:
                    values = [
                        (key, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                        for key, v in rows
                    ]
                    self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", values)
                    count += len(values)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise WorkbenchError(
                f"embedding cache not writable ({exc}); nothing loaded, it is unchanged", self.path
            ) from None
        return count

    def get_language(self, key: bytes) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT language FROM languages WHERE key = ?", (key,))
            found = row.fetchone()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return None
        return found[0] if found and isinstance(found[0], str) else None

    def put_language(self, key: bytes, language: str) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO languages VALUES (?, ?)", (key, language))
        except sqlite3.DatabaseError as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        _warn(f"embedding cache not usable ({exc}); encoding without it", self.path or "")
        if self._db is not None:
            self._db.close()
        self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedEncoder:
    """An encoder with the durable cache and an in-run memory: ``encode(texts)`` returns one
    unit row per text and sends each distinct unseen text to the model once."""

    def __init__(self, encoder: Encoder, cache_path: str | Path | None, strict: bool = False):
        self.encoder = encoder
        self.store = EmbeddingStore(cache_path, strict)
        identity = json.dumps(encoder.provenance(), sort_keys=True).encode()
        self._identity = hashlib.sha256(identity).digest()
        self._memory: dict[str, np.ndarray] = {}

    @property
    def id(self) -> str:
        return self.encoder.id

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def supports(self, language: str) -> bool:
        return self.encoder.supports(language)

    def provenance(self) -> dict[str, object]:
        return self.encoder.provenance()

    def key(self, text: str) -> bytes:
        return hashlib.sha256(self._identity + text.encode("utf-8", "surrogatepass")).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memory]
        if missing:
            keys = {t: self.key(t) for t in missing}
            stored = self.store.get_many(list(keys.values()), self.dim)
            for text in missing:
                vector = stored.get(keys[text])
                if vector is not None:
                    self._memory[text] = vector
            todo = [t for t in missing if t not in self._memory]
            self._encode_new(todo, keys)
        if len(texts) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self._memory[text] for text in texts]).astype(np.float32, copy=False)

    def detect_language(self, text: str) -> str:
        """``workbench.corpus.langid.detect_language(text)``, kept in the cache beside the
        vectors: a warm run does not load the language identifier (~0.4 s)."""
        from workbench.corpus.langid import detect_language, identifier_version

        key = hashlib.sha256(
            f"langid {identifier_version()}\n".encode() + text.encode("utf-8", "surrogatepass")
        ).digest()
        language = self.store.get_language(key)
        if language is None:
            language = detect_language(text)
            self.store.put_language(key, language)
        return language

    def _encode_new(self, todo: list[str], keys: dict[str, bytes]) -> None:
        """Encode and commit in slices: a killed run keeps every slice already done."""
        for start in range(0, len(todo), _SLICE):
            part = todo[start : start + _SLICE]
            vectors = self.encoder.encode(part)
            self.store.put_many([(keys[t], v) for t, v in zip(part, vectors, strict=True)])
            for text, vector in zip(part, vectors, strict=True):
                self._memory[text] = vector

    def close(self) -> None:
        self.store.close()
