"""The small provenance manifest written beside JSONL, TSV and Moses exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from workbench.errors import InputError
from workbench.jsontext import parse_json_object

SIDECAR_FORMAT = "workbench-export-manifest"


def write_sidecar(handle: IO[str], provenance: dict[str, Any], files: dict[str, Any]) -> None:
    data = {"format": SIDECAR_FORMAT, "schema": 1, "files": files, "provenance": provenance}
    handle.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The provenance in ``path``; ``None`` when there is no sidecar (import still works)."""
    if not path.is_file():
        return None
    try:
        data = parse_json_object(path.read_bytes(), path)
    except InputError as exc:
        raise InputError(f"damaged export manifest: {exc.message}", path) from None
    except OSError as exc:
        raise InputError(f"cannot read the export manifest ({exc.strerror})", path) from None
    if data.get("format") != SIDECAR_FORMAT:
        raise InputError("not a workbench export manifest", path)
    provenance = data.get("provenance")
    if provenance is not None and not isinstance(provenance, dict):
        raise InputError("the export manifest's provenance is not an object", path)
    return provenance
