"""An engine: one model + backend + decoding settings for one language pair, opened lazily.

Its *identity* (model id, revision, backend, languages, decoding) keys the cache and is the
provenance written next to every translation. Building an engine reads files only; the model
library is imported when the first sentence that is not in the cache needs the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.settings import TranslateSettings
from workbench.translate.backends import Decoding, LoadRequest, Translator, backend_class
from workbench.translate.locate import find_local, folder_revision, locate
from workbench.translate.registry import ModelSpec, language_codes, load_registry, resolve_spec


def cuda_available() -> bool:
    """A CUDA device, asked of CTranslate2 (fast to import, unlike torch)."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:
        return False


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is visible, else ``cpu``."""
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    return device


@dataclass
class Engine:
    spec: ModelSpec
    backend: type[Translator]
    src_lang: str
    tgt_lang: str
    decoding: Decoding
    models_dir: Path
    model_dir: Path | None
    revision: str
    threads: int = 0  # CPU threads for the model (0: every core this process may use)
    timeout: float | None = None  # seconds per batch (command backend)
    _translator: Translator | None = field(default=None, repr=False)

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "model": self.spec.model_id,
            "revision": self.revision,
            "backend": self.backend.name,
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "decoding": self.decoding.key(),
        }

    def provenance(self) -> dict[str, Any]:
        return {**self.identity, "device": self.decoding.device, "workbench": __version__}

    def load_request(self) -> LoadRequest:
        """What the backend needs to open the model (downloading it first when allowed)."""
        model_dir = self.model_dir
        if self.backend.needs_model_dir and model_dir is None:
            model_dir = self.model_dir = locate(self.spec, self.models_dir)
        src_code, tgt_code = language_codes(self.spec, model_dir, self.src_lang, self.tgt_lang)
        return LoadRequest(
            self.spec,
            model_dir,
            src_code,
            tgt_code,
            self.decoding,
            self.models_dir,
            self.src_lang,
            self.tgt_lang,
            self.threads,
            self.timeout,
        )

    def prepare(self) -> None:
        """Download and convert the model once, without loading it (before workers start)."""
        self.backend.prepare(self.load_request())

    def translator(self) -> Translator:
        if self._translator is None:
            self._translator = self.backend.load(self.load_request())
        return self._translator

    def close(self) -> None:
        if self._translator is not None:
            self._translator.close()
            self._translator = None


def make_engine(
    src_lang: str,
    tgt_lang: str,
    settings: TranslateSettings,
    models_dir: Path,
    model: str | None = None,
) -> Engine:
    """Resolve the model for ``src_lang → tgt_lang`` and fix every decoding setting."""
    registry = load_registry(settings.registry)
    spec = resolve_spec(registry, src_lang, tgt_lang, model, settings.backend)
    backend = backend_class(spec.backend)
    device = resolve_device(settings.device) if backend.needs_model_dir else "cpu"
    decoding = Decoding(
        beam_size=settings.beam_size,
        max_length=settings.max_length,
        min_length=settings.min_length,
        device=device,
        precision=backend.precision(settings.dtype, settings.compute_type, device),
    )
    model_dir = find_local(spec, models_dir) if backend.needs_model_dir else None
    revision = folder_revision(spec, model_dir)
    return Engine(
        spec,
        backend,
        src_lang,
        tgt_lang,
        decoding,
        Path(models_dir),
        model_dir,
        revision,
        settings.threads,
        settings.command_timeout,
    )
