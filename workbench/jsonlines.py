"""One line-splitting rule for every JSON Lines file the program writes or reads.

A record ends at ``"\\n"`` and nowhere else. ``str.splitlines()`` (and text files opened with
universal newlines) also break at ``\\r``, ``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``, U+0085,
U+2028 and U+2029, which JSON allows raw inside a string: a translation holding U+2028 was
written as one line and read back as two. So:

* writers escape U+2028, U+2029 and U+0085 (JSON escapes them as ``\\u2028``...; the other
  breaks are control characters, which JSON always escapes), so that even a
  ``splitlines()`` reader elsewhere sees one record per line;
* readers split at ``"\\n"`` only (:func:`split_lines`, :func:`open_lines`).

Used by alignment files (both loaders), the review journal, translations files, the JSONL
export and the per-document translation records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from workbench.errors import InputError
from workbench.jsontext import fix_surrogates_deep

_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def escape_breaks(line: str) -> str:
    """``line`` (serialised JSON) with U+2028, U+2029 and U+0085 as ``\\u`` escapes (they can
    only occur inside JSON strings, where the escape means the same character)."""
    if line.isascii():
        return line
    for char, escape in _BREAKS.items():
        if char in line:
            line = line.replace(char, escape)
    return line


def escape_breaks_bytes(line: bytes) -> bytes:
    """:func:`escape_breaks` for UTF-8 bytes (e.g. from orjson)."""
    if line.isascii():
        return line
    return (
        line.replace(b"\xe2\x80\xa8", b"\\u2028")
        .replace(b"\xe2\x80\xa9", b"\\u2029")
        .replace(b"\xc2\x85", b"\\u0085")
    )


def dumps_line(
    data: Any, *, sort_keys: bool = False, separators: tuple[str, str] | None = None
) -> str:
    """One JSON Lines record, newline included: readable (non-ASCII raw) except the three
    line breaks above. Lone surrogates, which UTF-8 cannot store, become U+FFFD."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        data = fix_surrogates_deep(data)
        text = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    return escape_breaks(text) + "\n"


def split_lines(text: str) -> list[str]:
    """The records of JSON Lines ``text``: split at ``"\\n"`` only; a final newline does not
    make an empty last record."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def open_lines(path: str | Path) -> IO[str]:
    """``path`` opened for reading UTF-8 lines that end at ``"\\n"`` only (iterating it never
    breaks a record at ``\\r`` or U+2028; line ends are returned as they are)."""
    return open(path, encoding="utf-8", newline="\n")  # noqa: SIM115 - the caller closes it


def read_records(path: Path, kind: str, missing_hint: str = "") -> list[str]:
    """The record lines of the JSON Lines file ``path`` (a header line first), or
    :class:`InputError` naming the file: missing, not UTF-8, a folder, empty, or truncated
    (no final newline: a write that did not finish). ``kind`` names the file in messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{kind} file does not exist{missing_hint}", path) from None
    except UnicodeDecodeError:
        raise InputError(f"{kind} file is not UTF-8 text (damaged?)", path) from None
    except IsADirectoryError:
        raise InputError(
            f"is a folder, not {'an' if kind[0] in 'aeiou' else 'a'} {kind} file", path
        ) from None
    lines = split_lines(text)
    if not lines:
        raise InputError(f"{kind} file is empty", path)
    if not text.endswith("\n"):
        raise InputError(f"{kind} file is truncated (no final newline)", path, len(lines))
    return lines
