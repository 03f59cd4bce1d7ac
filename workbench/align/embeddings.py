"""Sentence embeddings for parallel mode (Bertalign / Vecalign style), optional.

:func:`load_encoder` finds a multilingual sentence encoder (LaBSE, ...) the way translation
models are found (:mod:`workbench.translate.locate`: a local folder, ``models/<org>--<name>/``,
the Hugging Face cache, then a download when the hub can be reached) and returns an object
whose ``encode`` gives one L2-normalised row per sentence. Pooling:

- a sentence-transformers folder (``modules.json``) uses its Pooling module's mode (cls or
  mean) and then its Dense module when there is one (``2_Dense/``: a linear layer with Tanh
  or Identity), as sentence-transformers computes it;
- otherwise the model's ``pooler_output`` when it has a pooler (what the transformers port
  ``setu4993/LaBSE`` documents), else the attention-masked mean of the last hidden states;
- ``pooling="cls" | "mean" | "pooler"`` overrides either.

:func:`span_cosines` turns sentence embeddings into the bead similarity plane of the DP:
the cosine of the normalised *sums* of the member embeddings on each side (an approximation
of Bertalign's embeddings of concatenated sentences: one encoder pass per sentence).

torch and transformers are imported only when an encoder is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.errors import InputError
from workbench.translate.locate import (
    WEIGHT_FILES,
    ModelUnavailable,
    download_refused,
    find_local,
    folder_revision,
    pull,
    pulled_dir,
)
from workbench.translate.registry import ModelSpec

if TYPE_CHECKING:
    from workbench.align.parallel import Band

POOLINGS = ("cls", "mean", "pooler")
ENCODER_TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "sentencepiece.bpe.model",
    "spiece.model",
    "sentencepiece.model",
)
_ACTIVATIONS = {
    "torch.nn.modules.activation.Tanh": "tanh",
    "torch.nn.modules.linear.Identity": "identity",
}
_ST_TRANSFORMER = "sentence_transformers.models.Transformer"
_ST_POOLING = "sentence_transformers.models.Pooling"
_ST_DENSE = "sentence_transformers.models.Dense"
_CELLS_PER_CHUNK = 1 << 21  # span_cosines: rows x columns per matrix product (memory bound)


def encoder_spec(model: str) -> ModelSpec:
    """A local folder (``path=``) or a hub id (``hub_id=``); a path-like name that is not a
    folder is an error naming it."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        folder = folder.resolve()
        return ModelSpec(name=folder.name, path=folder)
    if model.startswith((".", "/", "~")) or model.count("/") > 1 or folder.exists():
        raise InputError(
            "sentence encoder folder does not exist (--embeddings takes a local folder "
            "or a hub id such as setu4993/LaBSE)",
            model,
        )
    return ModelSpec(name=model, hub_id=model)


def _modules(folder: Path) -> list[dict[str, Any]] | None:
    path = folder / "modules.json"
    if not path.is_file():
        return None
    try:
        modules = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"sentence-transformers modules.json is not valid JSON ({exc})", path
        ) from None
    if not isinstance(modules, list):
        raise InputError("sentence-transformers modules.json must be a list of modules", path)
    return modules


def _module_dir(folder: Path, modules: list[dict[str, Any]] | None, kind: str) -> Path | None:
    for module in modules or []:
        if module.get("type") == kind:
            return folder / module.get("path", "")
    return None


def transformer_dir(folder: Path) -> Path:
    """Where the transformers model lies: the folder, or its sentence-transformers
    Transformer module's subfolder (``0_Transformer/`` in older layouts)."""
    return _module_dir(folder, _modules(folder), _ST_TRANSFORMER) or folder


def check_encoder_dir(folder: Path) -> None:
    """Refuse a folder that cannot hold a transformers encoder, naming what is missing (a
    BERT tokenizer may be ``vocab.txt`` alone, unlike the translation models' check)."""
    if not folder.is_dir():
        raise InputError("sentence encoder folder does not exist", folder)
    model_dir = transformer_dir(folder)
    missing = []
    if not (model_dir / "config.json").is_file():
        missing.append("config.json")
    if not any((model_dir / name).is_file() for name in WEIGHT_FILES):
        missing.append("weights (" + " or ".join(WEIGHT_FILES[:2]) + ")")
    if not any((model_dir / name).is_file() for name in ENCODER_TOKENIZER_FILES):
        missing.append("tokenizer (" + " or ".join(ENCODER_TOKENIZER_FILES[:2]) + ")")
    if missing:
        raise InputError(
            f"sentence encoder folder is missing {', '.join(missing)}; copy the whole model folder",
            model_dir,
        )


def locate_encoder(spec: ModelSpec, models_dir: Path, download: bool = True) -> Path:
    """A checked local folder for the encoder, downloaded first when allowed and possible;
    ModelUnavailable (one line, how to bring it here) when it is not here and cannot be."""
    folder = find_local(spec, models_dir)
    if folder is None:
        reason = download_refused(download)
        if reason is None:
            return pull(spec, models_dir, check=check_encoder_dir)
        raise ModelUnavailable(
            f"sentence encoder {spec.hub_id} is not on this machine and {reason}. Provide it: "
            f"run `workbench models pull {spec.hub_id}` on a connected machine and copy its "
            f"folder to {pulled_dir(spec, models_dir)}/ here, or pass --embeddings PATH to a "
            "local encoder folder"
        )
    check_encoder_dir(folder)
    return folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the module config ({exc})", path) from None
    if not isinstance(data, dict):
        raise InputError("module config must be a JSON object", path)
    return data


def st_pooling_mode(config_path: Path) -> str:
    """``cls`` or ``mean`` from a sentence-transformers Pooling config (old flag keys or the
    newer ``pooling_mode``); other modes are refused, naming the file."""
    config = _read_json(config_path)
    mode = config.get("pooling_mode")
    if mode is None:
        flags = {
            "cls": config.get("pooling_mode_cls_token", False),
            "mean": config.get("pooling_mode_mean_tokens", False),
            "max": config.get("pooling_mode_max_tokens", False),
            "mean_sqrt_len": config.get("pooling_mode_mean_sqrt_len_tokens", False),
            "weightedmean": config.get("pooling_mode_weightedmean_tokens", False),
            "lasttoken": config.get("pooling_mode_lasttoken", False),
        }
        chosen = [name for name, on in flags.items() if on]
        mode = chosen[0] if len(chosen) == 1 else "+".join(chosen) or "none"
    if mode not in ("cls", "mean"):
        raise InputError(
            f"pooling mode {mode!r} is not supported (cls or mean); pass pooling explicitly",
            config_path,
        )
    return str(mode)


class SentenceEncoder:
    """A transformers encoder with a pooling rule; ``encode`` gives (N, D) float32 unit rows."""

    def __init__(
        self,
        folder: Path,
        model_id: str,
        revision: str,
        device: str | None = None,
        batch_size: int = 32,
        pooling: str | None = None,
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        if pooling is not None and pooling not in POOLINGS:
            raise InputError(f"unknown pooling {pooling!r} (known: {', '.join(POOLINGS)})")
        if batch_size < 1:
            raise InputError(f"batch size must be at least 1, got {batch_size}")
        self.model_id = model_id
        self.revision = revision
        self.folder = folder
        self.batch_size = batch_size
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        modules = _modules(folder)
        model_dir = _module_dir(folder, modules, _ST_TRANSFORMER) or folder
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot load the sentence encoder: {message}", model_dir) from None
        self.model.to(self.device).eval()
        self.max_length = self._max_length(model_dir)
        self.dense: tuple[Any, Any | None, str] | None = None
        st_pooling = None
        if modules is not None:
            pool_dir = _module_dir(folder, modules, _ST_POOLING)
            if pool_dir is not None:
                st_pooling = st_pooling_mode(pool_dir / "config.json")
            dense_dir = _module_dir(folder, modules, _ST_DENSE)
            if dense_dir is not None:
                self.dense = self._load_dense(dense_dir)
        has_pooler = getattr(self.model, "pooler", None) is not None
        self.pooling = pooling or st_pooling or ("pooler" if has_pooler else "mean")
        if self.pooling == "pooler" and not has_pooler:
            raise InputError("pooling 'pooler' asked for, but the model has no pooler", folder)

    def _max_length(self, model_dir: Path) -> int:
        limits = []
        st_config = self.folder / "sentence_bert_config.json"
        if st_config.is_file():
            value = _read_json(st_config).get("max_seq_length")
            if isinstance(value, int) and value > 0:
                limits.append(value)
        model_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(model_max, int) and 0 < model_max < 1_000_000:
            limits.append(model_max)
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 0:
            limits.append(positions)
        return min(limits) if limits else 512

    def _load_dense(self, dense_dir: Path) -> tuple[Any, Any | None, str]:
        import torch

        config_path = dense_dir / "config.json"
        config = _read_json(config_path)
        activation = _ACTIVATIONS.get(
            config.get("activation_function", "torch.nn.modules.activation.Tanh")
        )
        if activation is None:
            raise InputError(
                f"Dense activation {config.get('activation_function')!r} is not supported "
                "(Tanh or Identity)",
                config_path,
            )
        if (dense_dir / "model.safetensors").is_file():
            from safetensors.torch import load_file

            state = load_file(str(dense_dir / "model.safetensors"))
        elif (dense_dir / "pytorch_model.bin").is_file():
            state = torch.load(
                dense_dir / "pytorch_model.bin", map_location="cpu", weights_only=True
            )
        else:
            raise InputError(
                "Dense module has no model.safetensors or pytorch_model.bin", dense_dir
            )
        if "linear.weight" not in state:
            raise InputError("Dense weights lack linear.weight", dense_dir)
        weight = state["linear.weight"].float()
        shape = (int(config.get("out_features", -1)), int(config.get("in_features", -1)))
        if tuple(weight.shape) != shape:
            raise InputError(
                f"Dense weight has shape {tuple(weight.shape)}, config says {shape}", config_path
            )
        bias = state.get("linear.bias") if config.get("bias", True) else None
        if config.get("bias", True) and bias is None:
            raise InputError("Dense config has bias but the weights lack linear.bias", dense_dir)
        bias = bias.float().to(self.device) if bias is not None else None
        return weight.to(self.device), bias, activation

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """(N, D) float32, each row L2-normalised; batches of similar length (fewer pads)."""
        import torch

        sentences = [str(s) for s in sentences]
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
        rows: list[np.ndarray] = [np.zeros(0)] * len(sentences)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                ids = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [sentences[k] for k in ids],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                pooled = self._pool(self.model(**batch), batch["attention_mask"])
                if self.dense is not None:
                    weight, bias, activation = self.dense
                    pooled = torch.nn.functional.linear(pooled.float(), weight, bias)
                    if activation == "tanh":
                        pooled = torch.tanh(pooled)
                vectors = pooled.float().cpu().numpy()
                for k, vector in zip(ids, vectors, strict=True):
                    rows[k] = vector
        if not sentences:
            dim = (
                self.dense[0].shape[0] if self.dense is not None else self.model.config.hidden_size
            )
            return np.zeros((0, dim), dtype=np.float32)
        out = np.stack(rows).astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def _pool(self, output: Any, mask: Any) -> Any:
        if self.pooling == "pooler":
            return output.pooler_output
        hidden = output.last_hidden_state
        if self.pooling == "cls":
            return hidden[:, 0]
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def load_encoder(
    model: str,
    models_dir: Path,
    device: str | None = None,
    batch_size: int = 32,
    pooling: str | None = None,
    download: bool = True,
) -> SentenceEncoder:
    """The sentence encoder ``model`` (a local folder or a hub id), found as translation
    models are; a missing model fails before torch is imported (ModelUnavailable/InputError)."""
    if pooling is not None and pooling not in POOLINGS:
        raise InputError(f"unknown pooling {pooling!r} (known: {', '.join(POOLINGS)})")
    spec = encoder_spec(model)
    folder = locate_encoder(spec, Path(models_dir), download=download)
    return SentenceEncoder(
        folder,
        model_id=spec.model_id,
        revision=folder_revision(spec, folder),
        device=device,
        batch_size=batch_size,
        pooling=pooling,
    )


def _span_unit(emb: np.ndarray, size: int) -> np.ndarray:
    """Row k (DP coordinate, k >= size): the normalised sum of rows k-size..k-1; zeros before."""
    prefix = np.zeros((len(emb) + 1, emb.shape[1]), dtype=np.float64)
    np.cumsum(emb, axis=0, out=prefix[1:])
    out = np.zeros_like(prefix)
    out[size:] = prefix[size:] - prefix[:-size]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def span_cosines(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    band: Band,
    bead_types: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Cosine of bead (a, b) at each band cell: (T, n+1, W) float32, nan where it does not fit.

    Bead (a, b) ending at DP cell (i, j) covers source sentences i-a..i-1 and target sentences
    j-b..j-1 (as :func:`workbench.align.parallel.bead_similarities`); its cosine is that of the
    normalised sums of the member embeddings on each side. Span sums come from prefix sums;
    rows are processed in chunks (one matrix product over the columns they use), so memory
    stays bounded for long documents.
    """
    src_emb = np.asarray(src_emb, dtype=np.float32)
    tgt_emb = np.asarray(tgt_emb, dtype=np.float32)
    n, m = len(src_emb), len(tgt_emb)
    if src_emb.ndim != 2 or tgt_emb.ndim != 2 or src_emb.shape[1] != tgt_emb.shape[1]:
        raise ValueError("embeddings must be (N, D) and (M, D) with the same D")
    if len(band.lo) != n + 1 or int(band.hi.max()) > m + 1:
        raise ValueError("band must have n + 1 rows and columns up to m")
    width = band.width
    out = np.full((len(bead_types), n + 1, width), np.nan, dtype=np.float32)
    src_units = {a: _span_unit(src_emb, a) for a in {a for a, _ in bead_types}}
    tgt_units = {b: _span_unit(tgt_emb, b) for b in {b for _, b in bead_types}}
    k = np.arange(width)
    # about `width` rows per chunk: a monotone band then spans a few times `width` columns,
    # so the product costs a small multiple of the band's own cells
    rows_per_chunk = max(32, min(_CELLS_PER_CHUNK // max(width, 1), width))
    for r0 in range(0, n + 1, rows_per_chunk):
        r1 = min(n + 1, r0 + rows_per_chunk)
        rows = np.arange(r0, r1)
        lo, hi = band.lo[r0:r1], band.hi[r0:r1]
        cols = lo[:, None] + k[None, :]  # (R, W)
        c0 = int(lo.min())
        c1 = max(int(hi.max()), c0 + 1)
        gather = np.clip(cols - c0, 0, c1 - c0 - 1)
        for t, (a, b) in enumerate(bead_types):
            prod = src_units[a][r0:r1] @ tgt_units[b][c0:c1].T  # (R, C)
            vals = np.take_along_axis(prod, gather, axis=1)
            fits = (rows[:, None] >= a) & (cols >= b) & (cols < hi[:, None])
            out[t, r0:r1] = np.where(fits, vals, np.nan)
    return out
