"""Shared by the transformers and CTranslate2 backends: the tokenizer and model limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.errors import InputError


def quiet_transformers() -> None:
    """No weight-loading progress bars or advice on stderr: the job has its own progress bar."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def load_tokenizer(model_dir: Path, src_code: str | None) -> Any:
    """The model's own tokenizer, from its folder (never the network)."""
    from transformers import AutoTokenizer

    quiet_transformers()

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot load the tokenizer: {exc}", model_dir) from None
    if src_code is not None:
        if tokenizer.convert_tokens_to_ids(src_code) == tokenizer.unk_token_id:
            raise InputError(f"the tokenizer has no language code {src_code!r}", model_dir)
        tokenizer.src_lang = src_code  # set again after loading: it selects the source prefix
    return tokenizer


def max_input_tokens(tokenizer: Any, config: dict[str, Any], max_length: int) -> int:
    """The longest input the model takes: its position limit, the tokenizer's, and the job's."""
    limits = [max_length, config.get("max_position_embeddings") or max_length]
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and 0 < model_max < 1_000_000:
        limits.append(model_max)
    return min(limits)


def count_tokens(tokenizer: Any, texts: list[str]) -> list[int]:
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]


def target_token_id(tokenizer: Any, tgt_code: str | None, model_dir: Path) -> int | None:
    if tgt_code is None:
        return None
    token_id = tokenizer.convert_tokens_to_ids(tgt_code)
    if token_id == tokenizer.unk_token_id:
        raise InputError(f"the tokenizer has no language code {tgt_code!r}", model_dir)
    return token_id
