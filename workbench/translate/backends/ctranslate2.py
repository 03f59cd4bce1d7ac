"""Backend ``ctranslate2``: a transformers model converted once into ``models/ctranslate2/``
(int8 on CPU, float16 on CUDA by default), then translated with ``translate_batch``.

The converted folder's name carries the model, its revision and the quantization, so a new
revision converts again and two jobs never share a half-written folder (each converts into
a temporary folder and renames it into place).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.names import validate_file_id
from workbench.recovery import forget, recover_once, temp_dir
from workbench.translate.backends import LoadRequest, Translator, register_backend
from workbench.translate.backends._hf import (
    load_tokenizer,
    max_input_tokens,
    quiet_transformers,
)
from workbench.translate.locate import check_model_dir, folder_revision
from workbench.translate.registry import ModelSpec, check_revision

COMPUTE_TYPES = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "float16",
    "bfloat16",
    "float32",
)
CONVERTED = "ctranslate2"


def cpu_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def converted_dir(spec: ModelSpec, model_dir: Path, models_dir: Path, quantization: str) -> Path:
    """``models/ctranslate2/<slug>@<revision>-<type>``: each part checked by the name rule (a
    revision from a model folder's marker file or a registry, a type from the command line)."""
    revision = check_revision(folder_revision(spec, model_dir)[:12], model_dir)
    validate_file_id("quantization", quantization)
    return Path(models_dir) / CONVERTED / f"{spec.slug}@{revision}-{quantization}"


def convert(model_dir: Path, target: Path, quantization: str) -> Path:
    """Convert the transformers model in ``model_dir`` to ``target`` (kept when it exists)."""
    if (target / "model.bin").is_file():
        return target
    check_model_dir(model_dir)
    import ctranslate2

    quiet_transformers()
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_once(target.parent)  # a killed conversion's half-built folder is removed
    work = temp_dir(target)
    print(
        f"workbench: converting {model_dir} to CTranslate2 ({quantization}), once, into {target}",
        file=sys.stderr,
    )
    try:
        converter = ctranslate2.converters.TransformersConverter(
            str(model_dir), low_cpu_mem_usage=True
        )
        converter.convert(str(work / "model"), quantization=quantization, force=True)
        try:
            os.rename(work / "model", target)
        except OSError:
            if not (target / "model.bin").is_file():  # not another job's finished conversion
                raise
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(f"CTranslate2 conversion failed: {exc}", model_dir) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        forget(work)
    return target


@register_backend("ctranslate2")
class CTranslate2Translator(Translator):
    def __init__(self, translator: Any, tokenizer: Any, request: LoadRequest, limit: int):
        self.translator = translator
        self.tokenizer = tokenizer
        self.decoding = request.decoding
        self.prefix = [request.tgt_code] if request.tgt_code else None
        self.max_input_tokens = limit
        self._tokens: dict[str, list[str]] = {}

    @classmethod
    def precision(cls, requested_dtype: str, requested_compute: str, device: str) -> str:
        return cls.choose_precision(
            requested_compute,
            device,
            cuda="float16",
            cpu="int8",
            allowed=COMPUTE_TYPES,
            what="ctranslate2 compute type",
        )

    @classmethod
    def prepare(cls, request: LoadRequest) -> None:
        cls.converted(request)

    @staticmethod
    def converted(request: LoadRequest) -> Path:
        assert request.model_dir is not None
        compute = request.decoding.precision
        return convert(
            request.model_dir,
            converted_dir(request.spec, request.model_dir, request.models_dir, compute),
            compute,
        )

    @classmethod
    def load(cls, request: LoadRequest) -> CTranslate2Translator:
        assert request.model_dir is not None
        import ctranslate2

        compute = request.decoding.precision
        folder = cls.converted(request)
        tokenizer = load_tokenizer(request.model_dir, request.src_code)
        device = request.decoding.device
        threads = (request.threads or cpu_threads()) if device == "cpu" else 0
        try:
            translator = ctranslate2.Translator(
                str(folder), device=device, compute_type=compute, intra_threads=threads
            )
        except (RuntimeError, ValueError) as exc:
            raise InputError(f"cannot load the converted model: {exc}", folder) from None
        config = json.loads((request.model_dir / "config.json").read_text(encoding="utf-8"))
        return cls(
            translator,
            tokenizer,
            request,
            max_input_tokens(tokenizer, config, request.decoding.max_length),
        )

    def _pieces(self, texts: list[str]) -> list[list[str]]:
        """Source tokens, kept from counting to translating: each text is tokenized once."""
        new = [t for t in dict.fromkeys(texts) if t not in self._tokens]
        if new:
            for text, ids in zip(new, self.tokenizer(new)["input_ids"], strict=True):
                self._tokens[text] = self.tokenizer.convert_ids_to_tokens(ids)
        return [self._tokens[t] for t in texts]

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(pieces) for pieces in self._pieces(texts)]

    def translate_batch(self, texts: list[str]) -> list[str]:
        tok = self.tokenizer
        source = self._pieces(texts)
        for text in texts:
            self._tokens.pop(text, None)
        results = self.translator.translate_batch(
            source,
            target_prefix=[self.prefix] * len(texts) if self.prefix else None,
            beam_size=self.decoding.beam_size,
            max_decoding_length=self.decoding.max_length,
            min_decoding_length=self.decoding.min_length,
            max_input_length=0,  # long inputs were split before: never truncate here
        )
        skip = len(self.prefix) if self.prefix else 0
        return [
            tok.decode(tok.convert_tokens_to_ids(r.hypotheses[0][skip:]), skip_special_tokens=True)
            for r in results
        ]

    def close(self) -> None:
        self.translator = None
