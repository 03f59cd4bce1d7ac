"""Where a sentence-transformers encoder lies: the same offline rules as MT models.

A local folder given as the name; ``models/<org>--<name>/``; the Hugging Face cache; then a
download at the hub's current revision when the hub can be reached. Offline
(``HF_HUB_OFFLINE=1`` or no hub within the probe) a missing model fails at once, saying how to
bring it here. Nothing here imports torch.
"""

from __future__ import annotations

from pathlib import Path

from workbench.errors import InputError
from workbench.translate.locate import (
    ModelUnavailable,
    download_refused,
    find_local,
    folder_revision,
    pull,
    pulled_dir,
)
from workbench.translate.registry import ModelSpec, check_hub_id, local_name


def st_spec(name: str) -> ModelSpec:
    """A local folder (``path=``) or a hub id (``hub_id=``); a path-like name that is not a
    folder is an error naming it."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        folder = folder.resolve()
        return ModelSpec(name=local_name(folder), path=folder)
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or folder.exists():
        raise InputError(
            "sentence encoder folder does not exist (--encoder takes use-multilingual-v3, "
            "none, a local sentence-transformers folder or a hub id such as sentence-transformers/LaBSE)",
            name,
        )
    return ModelSpec(name=name, hub_id=check_hub_id(name))


def check_st_dir(folder: Path) -> None:
    """Refuse a folder that is not a sentence-transformers model, naming what is missing."""
    if not folder.is_dir():
        raise InputError("sentence encoder folder does not exist", folder)
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise InputError(
            "not a sentence-transformers model folder (no modules.json or config.json); "
            "copy the whole model folder",
            folder,
        )


def locate_st_model(name: str, models_dir: Path) -> tuple[Path, str]:
    """A checked local folder for ``name`` and the revision to record."""
    spec = st_spec(name)
    folder = find_local(spec, models_dir)
    if folder is None:
        reason = download_refused(True)
        if reason is not None:
            raise ModelUnavailable(
                f"sentence encoder {spec.hub_id} is not on this machine and {reason}. Provide "
                f"it: run `workbench models pull {spec.hub_id}` on a connected machine and copy "
                f"its folder to {pulled_dir(spec, models_dir)}/ here, or pass --encoder PATH"
            )
        folder = pull(spec, models_dir, check=check_st_dir)
    check_st_dir(folder)
    return folder, folder_revision(spec, folder)
