"""The corpus manifest (``manifest.toml``): hand-written metadata per document."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from workbench.errors import InputError
from workbench.names import validate_file_id

MANIFEST_NAME = "manifest.toml"


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    id: str | None = None
    language: str | None = None
    outlet: str | None = None
    date: str | None = None
    edition: int | None = None
    title: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: list[ManifestEntry] = []

    def by_file(self) -> dict[str, ManifestEntry]:
        return {entry.file: entry for entry in self.document}


def load_manifest(corpus_dir: Path) -> Manifest:
    """Read ``corpus_dir/manifest.toml``; an absent manifest is an empty one."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    if path.is_symlink() and not path.resolve().is_relative_to(corpus_dir.resolve()):
        raise InputError("is a symbolic link that leaves the corpus folder", path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest.model_validate(data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"manifest is not valid TOML: {exc}", path) from None
    except RecursionError:
        raise InputError("manifest is not valid TOML: nested too deeply", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a manifest file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read the manifest ({exc.strerror or exc})", path) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(f"manifest has invalid entries: {problems}", path) from None
    seen: set[str] = set()
    for entry in manifest.document:
        if entry.file in seen:
            raise InputError(f"file {entry.file!r} is listed twice", path)
        seen.add(entry.file)
        if entry.file != Path(entry.file).name or entry.file in (".", ".."):
            raise InputError(
                f"file {entry.file!r} must be a file name in the corpus folder, not a path", path
            )
        if entry.id is not None:
            validate_file_id("document id", entry.id, path)
        if not (corpus_dir / entry.file).is_file():
            raise InputError(f"entry for {entry.file!r}, but that file does not exist", path)
    return manifest
