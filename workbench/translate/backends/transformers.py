"""Backend ``transformers``: any ``AutoModelForSeq2SeqLM`` (Marian, NLLB/M2M100), CPU or CUDA."""

from __future__ import annotations

import copy
import json
from typing import Any

from workbench.errors import InputError
from workbench.translate.backends import LoadRequest, Translator, register_backend
from workbench.translate.backends._hf import (
    count_tokens,
    load_tokenizer,
    max_input_tokens,
    target_token_id,
)
from workbench.translate.locate import check_model_dir

DTYPES = ("float32", "float16", "bfloat16")


@register_backend("transformers")
class TransformersTranslator(Translator):
    def __init__(self, model: Any, tokenizer: Any, generation: Any, device: str, limit: int):
        self.model = model
        self.tokenizer = tokenizer
        self.generation = generation
        self.device = device
        self.max_input_tokens = limit

    @classmethod
    def precision(cls, requested_dtype: str, requested_compute: str, device: str) -> str:
        return cls.choose_precision(
            requested_dtype,
            device,
            cuda="float16",
            cpu="float32",
            allowed=DTYPES,
            what="transformers dtype",
        )

    @classmethod
    def load(cls, request: LoadRequest) -> TransformersTranslator:
        assert request.model_dir is not None
        check_model_dir(request.model_dir)
        import torch
        from transformers import AutoModelForSeq2SeqLM

        tokenizer = load_tokenizer(request.model_dir, request.src_code)  # also quiets transformers
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(
                str(request.model_dir),
                dtype=getattr(torch, request.decoding.precision),
                local_files_only=True,
            )
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load the model: {exc}", request.model_dir) from None
        device = request.decoding.device
        model.to(device).eval()
        generation = copy.deepcopy(model.generation_config)
        generation.max_length = None  # the saved one would clash with max_new_tokens
        generation.update(
            num_beams=request.decoding.beam_size,
            max_new_tokens=request.decoding.max_length,
            min_new_tokens=request.decoding.min_length or None,
            forced_bos_token_id=target_token_id(tokenizer, request.tgt_code, request.model_dir),
        )
        config = json.loads((request.model_dir / "config.json").read_text(encoding="utf-8"))
        limit = max_input_tokens(tokenizer, config, request.decoding.max_length)
        return cls(model, tokenizer, generation, device, limit)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.tokenizer, texts)

    def translate_batch(self, texts: list[str]) -> list[str]:
        import torch

        with torch.inference_mode():
            inputs = self.tokenizer(texts, return_tensors="pt", padding=True).to(self.device)
            output = self.model.generate(**inputs, generation_config=self.generation)
        return self.tokenizer.batch_decode(output, skip_special_tokens=True)
