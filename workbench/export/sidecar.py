"""The small provenance manifest written beside JSONL, TSV and Moses exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from workbench.errors import InputError

SIDECAR_FORMAT = "workbench-export-manifest"


def write_sidecar(handle: IO[str], provenance: dict[str, Any], files: dict[str, Any]) -> None:
    data = {"format": SIDECAR_FORMAT, "schema": 1, "files": files, "provenance": provenance}
    handle.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The provenance in ``path``; ``None`` when there is no sidecar (import still works)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"damaged export manifest: {exc}", path) from None
    if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
        raise InputError("not a workbench export manifest", path)
    provenance = data.get("provenance")
    return provenance if isinstance(provenance, dict) else None
