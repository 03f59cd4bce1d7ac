"""Find a model's files on this machine, or fetch them from the hub when it can be reached.

Order: a local folder given as the model; ``models/<org>--<name>/`` (what ``workbench models
pull`` writes, and where a copied folder goes); the Hugging Face cache; then a download.
Offline (``HF_HUB_OFFLINE=1``, or the hub unreachable within a few seconds) a missing model
fails at once with a message that says how to bring it here. Nothing here imports torch.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from workbench.errors import InputError, WorkbenchError
from workbench.translate.registry import ModelSpec

MARKER = "workbench-model.json"  # written by `models pull`: hub id and commit
WEIGHT_FILES = (
    "model.safetensors",
    "pytorch_model.bin",
    "model.safetensors.index.json",
    "pytorch_model.bin.index.json",
)
TOKENIZER_FILES = (
    "tokenizer.json",
    "source.spm",
    "sentencepiece.bpe.model",
    "spiece.model",
    "sentencepiece.model",
)
# what a translation model needs from a hub repository (no TF/Flax/Rust/ONNX copies)
SKIP_PATTERNS = ["*.h5", "*.msgpack", "*.ot", "*.onnx", "onnx/*", "*.tflite"]
PROBE_SECONDS = 3.0


class ModelUnavailable(WorkbenchError):
    """The model is not on this machine and cannot be downloaded now."""


def hub_offline() -> bool:
    flags = (os.environ.get(name, "") for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    return any(flag.strip().lower() in {"1", "true", "yes", "on"} for flag in flags)


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hub_reachable(timeout: float = PROBE_SECONDS) -> bool:
    """A TCP connection to the hub within ``timeout`` seconds (DNS included)."""
    url = urlparse(hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    result: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((url.hostname or "", port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])


def pulled_dir(spec: ModelSpec, models_dir: Path) -> Path:
    return Path(models_dir) / spec.slug


def check_model_dir(folder: Path) -> None:
    """Refuse a folder that cannot hold a transformers translation model, naming what is missing."""
    if not folder.is_dir():
        raise InputError("model folder does not exist", folder)
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        missing.append("weights (" + " or ".join(WEIGHT_FILES[:2]) + ")")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        missing.append("tokenizer (" + " or ".join(TOKENIZER_FILES[:3]) + ")")
    if missing:
        raise InputError(
            f"model folder is missing {', '.join(missing)}; copy the whole model folder "
            "(as `workbench models pull` writes it)",
            folder,
        )


def _hf_cache_dir(spec: ModelSpec) -> Path | None:
    from huggingface_hub import snapshot_download

    # the cache folder is read from the environment now, not when the hub library was imported
    cache_dir = os.environ.get("HF_HUB_CACHE") or (
        str(Path(os.environ["HF_HOME"]) / "hub") if os.environ.get("HF_HOME") else None
    )
    try:
        return Path(
            snapshot_download(
                spec.hub_id, revision=spec.revision, cache_dir=cache_dir, local_files_only=True
            )
        )
    except Exception:  # not in the cache (the hub library raises several kinds)
        return None


def find_local(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The model's folder on this machine, or None. Never touches the network."""
    if spec.path is not None:
        return spec.path
    folder = pulled_dir(spec, models_dir)
    if (folder / "config.json").is_file():
        return folder
    return _hf_cache_dir(spec)


def unavailable_message(spec: ModelSpec, models_dir: Path, reason: str) -> str:
    pin = f" (revision {spec.revision[:12]})" if spec.revision else ""
    return (
        f"model {spec.hub_id}{pin} is not on this machine and {reason}. Provide it: run "
        f"`workbench models pull {spec.name}` on a connected machine and copy its folder to "
        f"{pulled_dir(spec, models_dir)}/ here, or pass --model PATH to a local model folder"
    )


def locate(spec: ModelSpec, models_dir: Path, download: bool = True) -> Path:
    """A checked local folder for ``spec``, downloading it first when allowed and possible."""
    folder = find_local(spec, models_dir)
    if folder is None:
        reason = download_refused(download)
        if reason is None:
            return pull(spec, models_dir)
        raise ModelUnavailable(unavailable_message(spec, models_dir, reason))
    check_model_dir(folder)
    return folder


def download_refused(download: bool = True) -> str | None:
    """Why a model that is not here cannot be downloaded now, or None when it can."""
    if hub_offline():
        return "HF_HUB_OFFLINE is set"
    if not download:
        return "downloads are off for this job"
    if not hub_reachable():
        return f"the hub ({hub_endpoint()}) cannot be reached"
    return None


def pull(
    spec: ModelSpec, models_dir: Path, check: Callable[[Path], None] = check_model_dir
) -> Path:
    """Download ``spec`` at its pinned revision into ``models/<org>--<name>/``; ``check``
    refuses a download that lacks needed files (default: a translation model's)."""
    if spec.hub_id is None:
        raise InputError("a local model folder cannot be pulled", spec.path)
    from huggingface_hub import HfApi, snapshot_download

    target = pulled_dir(spec, models_dir)
    try:
        revision = spec.revision or HfApi().model_info(spec.hub_id).sha
        snapshot_download(
            spec.hub_id, revision=revision, local_dir=target, ignore_patterns=SKIP_PATTERNS
        )
    except Exception as exc:
        raise ModelUnavailable(f"could not download {spec.hub_id}: {exc}") from None
    (target / MARKER).write_text(json.dumps({"hub_id": spec.hub_id, "revision": revision}) + "\n")
    check(target)
    return target


def folder_revision(spec: ModelSpec, folder: Path | None) -> str:
    """The revision to record: the pinned one, the pulled commit, the HF cache commit, or a
    fingerprint of a plain local folder (config and weight sizes)."""
    if spec.command is not None:
        return command_fingerprint(spec.command)
    if spec.revision:
        return spec.revision
    if folder is None:
        return "unknown"
    marker = folder / MARKER
    if marker.is_file():
        return json.loads(marker.read_text()).get("revision", "unknown")
    if folder.parent.name == "snapshots":
        return folder.name
    digest = hashlib.sha256()
    for name in ("config.json", *WEIGHT_FILES, *TOKENIZER_FILES, "vocab.json"):
        path = folder / name
        if path.is_file():
            digest.update(
                name.encode() + b"\0" + path.read_bytes()
                if name.endswith(".json")
                else name.encode()
            )
            digest.update(str(path.stat().st_size).encode())
    return "local-" + digest.hexdigest()[:16]


def command_fingerprint(command: str) -> str:
    """Hash of the files a command names (a lookup script, its table): edits invalidate the cache."""
    import shlex

    digest = hashlib.sha256()
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    for word in words:
        path = Path(word).expanduser()
        if path.is_file():  # scripts and tables by content; big files (programs) by size and date
            stat = path.stat()
            digest.update(
                path.read_bytes()
                if stat.st_size < 1_000_000
                else f"{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    return "cmd-" + digest.hexdigest()[:16]
