"""Shared helpers for the export tests."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.export import Selection, export_alignments

from .conftest import FIXED_TIME, FIXED_VERSION

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def export(files, fmt, out, source, status="all", **kw):
    return export_alignments(
        files,
        fmt,
        out,
        source,
        Selection.parse(status, kw.pop("min_score", None), kw.pop("lang", None)),
        created=FIXED_TIME,
        version=FIXED_VERSION,
        **kw,
    )
