"""One registry of export formats: ``@register_format("tmx")`` on a class, no if-chains."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from workbench.errors import WorkbenchError
from workbench.export.records import ExportRecord
from workbench.store.model import Link

# Modules holding the built-in formats; imported on first use of the registry.
BUILTIN_MODULES = ("tmx", "moses", "tsv", "jsonl")

_FORMATS: dict[str, type[ExportFormat]] = {}
_loaded = False


@dataclass
class ImportedLink:
    """One link read back from an export, with the alignment it belongs to."""

    alignment: str
    src_lang: str
    tgt_lang: str
    link: Link
    line: int | None = None


@dataclass
class ImportedFile:
    """What a reader found: the export's provenance (if any) and its links, streamed."""

    path: Path
    format_name: str
    provenance: dict[str, Any] | None
    links: Iterator[ImportedLink]
    extra: dict[str, Any] = field(default_factory=dict)


class ExportFormat:
    """A writer (and usually a reader) for one exchange format."""

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    pairs_only: ClassVar[bool] = False  # True: 1-0 and 0-1 links are left out
    header_first: ClassVar[bool] = False  # True: provenance() is callable before the stream
    description: ClassVar[str] = ""

    def write(
        self, records: Iterator[ExportRecord], out: Path, provenance: Callable[[], dict[str, Any]]
    ) -> list[Path]:
        """Write ``records`` for ``out``; return the files written (all-or-nothing).

        ``provenance()`` may only be called once ``records`` is exhausted (it counts them),
        unless the format sets ``header_first`` (the driver then counts in a first pass).
        An exception from ``records`` must leave no file behind.
        """
        raise NotImplementedError

    def read(self, path: Path) -> ImportedFile:
        raise WorkbenchError(f"{self.name} files cannot be imported", path)

    @property
    def can_read(self) -> bool:
        return type(self).read is not ExportFormat.read

    def sniff(self, head: str) -> bool:
        """Does the start of a file look like this format? (used when the suffix is unknown)"""
        return False


def register_format(name: str) -> Callable[[type[ExportFormat]], type[ExportFormat]]:
    def decorate(cls: type[ExportFormat]) -> type[ExportFormat]:
        if name in _FORMATS and _FORMATS[name] is not cls:
            raise ValueError(f"export format {name!r} is registered twice")
        cls.name = name
        _FORMATS[name] = cls
        return cls

    return decorate


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(f"workbench.export.{module}")
        _loaded = True


def format_names() -> list[str]:
    _load_builtins()
    return sorted(_FORMATS)


def get_format(name: str) -> ExportFormat:
    _load_builtins()
    try:
        return _FORMATS[name.lower()]()
    except KeyError:
        raise WorkbenchError(
            f"unknown format {name!r}; choose one of {', '.join(format_names())}"
        ) from None


def format_for_file(path: Path) -> ExportFormat:
    """The reader for ``path``: by suffix first, else by looking at its first bytes."""
    _load_builtins()
    name = path.name.lower()
    for cls in _FORMATS.values():
        if any(name.endswith(suffix) for suffix in cls.suffixes) and cls().can_read:
            return cls()
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise WorkbenchError("file does not exist", path) from None
    except IsADirectoryError:
        raise WorkbenchError("is a folder, not a file to import", path) from None
    for cls in _FORMATS.values():
        fmt = cls()
        if fmt.can_read and fmt.sniff(head):
            return fmt
    readable = [n for n in format_names() if _FORMATS[n]().can_read]
    raise WorkbenchError(
        f"cannot tell the format of this file; import reads {', '.join(readable)}", path
    )
