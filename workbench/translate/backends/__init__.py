"""The translator interface and the registry of backends.

A backend is a :class:`Translator` subclass registered under a name with
:func:`register_backend`. Backend modules hold every heavy import (torch, transformers,
ctranslate2) inside their functions, and are imported only when a job asks for them, so
listing backends or reading the cache never loads a model library.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.translate.registry import ModelSpec

# name -> module that registers it (imported on first use)
BACKEND_MODULES = {
    "transformers": "workbench.translate.backends.transformers",
    "ctranslate2": "workbench.translate.backends.ctranslate2",
    "command": "workbench.translate.backends.command",
}
_REGISTRY: dict[str, type[Translator]] = {}


@dataclass(frozen=True)
class Decoding:
    """Everything that changes the output for a given model and input (part of the cache key)."""

    beam_size: int
    max_length: int
    min_length: int
    device: str  # resolved: cpu or cuda
    precision: str  # resolved: float32, float16, bfloat16, int8, ... ("-" where it means nothing)

    def key(self) -> dict[str, Any]:
        # the device is left out: the same precision gives the same translations anywhere
        return {k: v for k, v in asdict(self).items() if k != "device"}


@dataclass(frozen=True)
class LoadRequest:
    """What a backend needs to open a model."""

    spec: ModelSpec
    model_dir: Path | None  # the local transformers folder (None for the command backend)
    src_code: str | None  # the model's own language codes (multilingual models), else None
    tgt_code: str | None
    decoding: Decoding
    models_dir: Path  # where converted models are kept
    src_lang: str
    tgt_lang: str
    threads: int = 0  # CPU threads (0: every core this process may use)
    timeout: float | None = None  # seconds per batch for an external program (command backend)


class Translator(ABC):
    """One loaded model: translates batches of sentences, counts tokens."""

    name: ClassVar[str]
    needs_model_dir: ClassVar[bool] = True
    max_input_tokens: int | None = None  # longer inputs are split before they reach the model

    @classmethod
    @abstractmethod
    def load(cls, request: LoadRequest) -> Translator: ...

    @classmethod
    def prepare(cls, request: LoadRequest) -> None:
        """Make the model ready to load (e.g. convert it) without loading it."""
        return None

    @classmethod
    def precision(cls, requested_dtype: str, requested_compute: str, device: str) -> str:
        """The numeric precision this backend will run at (part of the cache key)."""
        return "-"

    @staticmethod
    def choose_precision(
        requested: str, device: str, *, cuda: str, cpu: str, allowed: tuple[str, ...], what: str
    ) -> str:
        """``requested``, or the device's default for ``auto``; unknown values are errors."""
        value = (cuda if device == "cuda" else cpu) if requested == "auto" else requested
        if value not in allowed:
            raise ConfigError(f"unknown {what} {value!r}; choose auto, {', '.join(allowed)}")
        return value

    @abstractmethod
    def translate_batch(self, texts: list[str]) -> list[str]: ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Source length in model tokens (whitespace words where there is no tokenizer)."""
        return [len(t.split()) for t in texts]

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def register_backend(name: str) -> Callable[[type[Translator]], type[Translator]]:
    def decorate(cls: type[Translator]) -> type[Translator]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def backend_names() -> list[str]:
    return sorted(BACKEND_MODULES)


def backend_class(name: str) -> type[Translator]:
    if name not in _REGISTRY:
        if name not in BACKEND_MODULES:
            raise ConfigError(
                f"unknown translation backend {name!r}; choose one of {', '.join(backend_names())}"
            )
        importlib.import_module(BACKEND_MODULES[name])
    return _REGISTRY[name]
