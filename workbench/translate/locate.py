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
import shutil
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from workbench.errors import InputError, WorkbenchError
from workbench.translate.registry import ModelSpec, check_revision

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
PROBE_SECONDS = 2.0


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
        if not download:
            raise ModelUnavailable(
                unavailable_message(spec, models_dir, "downloads are off for this job")
            )
        return pull(spec, models_dir)
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


def partial_dir(spec: ModelSpec, models_dir: Path) -> Path:
    """Where a download in progress lives (with the hub client's per-file metadata, so that a
    re-run fetches only the files that are not finished); renamed into place when complete."""
    return Path(models_dir) / ".partial" / spec.slug


def pull(
    spec: ModelSpec, models_dir: Path, check: Callable[[Path], None] = check_model_dir
) -> Path:
    """Download ``spec`` at its pinned revision into ``models/<org>--<name>/``: resumable (files
    already fetched are kept in ``models/.partial/``), each file's checksum verified against the
    hub's (sha256 for LFS files, git blob sha1 for the others), then ``check`` (default: a
    translation model's files) and one rename into place. Offline or unreachable: refused."""
    if spec.hub_id is None:
        raise InputError("a local model folder cannot be pulled", spec.path)
    reason = download_refused()
    if reason is not None:
        raise ModelUnavailable(unavailable_message(spec, models_dir, reason))
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    endpoint, target = hub_endpoint(), pulled_dir(spec, models_dir)
    work = partial_dir(spec, models_dir)
    api = HfApi(endpoint=endpoint)
    try:
        revision = check_revision(spec.revision or api.model_info(spec.hub_id).sha)
        print(
            f"workbench: downloading {spec.hub_id} at {revision[:12]} from {endpoint} into {target}",
            file=sys.stderr,
        )
        snapshot_download(
            spec.hub_id,
            revision=revision,
            local_dir=work,
            ignore_patterns=SKIP_PATTERNS,
            endpoint=endpoint,
        )
        _verify_checksums(api, spec.hub_id, revision, work)
    except RevisionNotFoundError:
        raise ModelUnavailable(
            f"{spec.hub_id} has no revision {spec.revision} on {endpoint}; fix the pin in the registry"
        ) from None
    except RepositoryNotFoundError:
        raise ModelUnavailable(f"no model {spec.hub_id} on {endpoint}") from None
    except (ModelUnavailable, InputError):
        raise
    except Exception as exc:  # the hub library raises many kinds (HTTP, OS, timeouts)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailable(
            f"could not download {spec.hub_id}: {first} (run the command again: finished files are kept)"
        ) from None
    (work / MARKER).write_text(json.dumps({"hub_id": spec.hub_id, "revision": revision}) + "\n")
    check(work)
    shutil.rmtree(work / ".cache", ignore_errors=True)
    if target.exists():  # an unfinished folder of an older pull: replaced, never mixed
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, target)
    return target


def _verify_checksums(api: object, hub_id: str, revision: str, folder: Path) -> None:
    """Every downloaded file against the hub's checksum; a mismatch deletes the file (a re-run
    fetches it again) and fails naming it."""
    result = api.verify_repo_checksums(hub_id, revision=revision, local_dir=folder)  # type: ignore[attr-defined]
    if result.mismatches:
        for bad in result.mismatches:
            (folder / bad["path"]).unlink(missing_ok=True)
        first = result.mismatches[0]
        raise ModelUnavailable(
            f"checksum mismatch in the download of {hub_id}: {first['path']} has "
            f"{first['algorithm']} {first['actual'][:12]}, the hub says {first['expected'][:12]} "
            "(the file was deleted; run the command again)"
        )


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
        return marker_revision(marker)
    if folder.parent.name == "snapshots":
        return check_revision(folder.name, folder)
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


def marker_revision(marker: Path) -> str:
    """The commit recorded by ``models pull`` in a model folder's marker file: it becomes part
    of folder names (``models/ctranslate2/<slug>@<revision>-<type>``), so it is checked."""
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise InputError(
            f"not a readable model marker file ({type(exc).__name__})", marker
        ) from None
    revision = data.get("revision", "unknown") if isinstance(data, dict) else None
    return check_revision(revision, marker)


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
