"""One rule for every name that becomes (part of) a file name.

Document ids (``corpus/translations/<id>.<lang>.jsonl``), alignment names
(``alignments/<name>.align.jsonl``, read from TMX/TSV/JSONL exports on import) and language
tags (``OUT.<src>-<tgt>.<lang>`` Moses files) come from files a user did not necessarily
write. They are data, never paths: a name is refused unless it is one plain path component
made of letters, marks, digits and ``_ . - +``, starting with a letter or a digit. So no
``/``, no ``..``, no absolute path, no control character or line break, no space (TSV
id columns are space-separated), no ``:`` (the sentence-id separator).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from workbench.errors import InputError

MAX_BYTES = 200  # UTF-8 bytes: leaves room for suffixes under the usual 255-byte file-name limit
_PUNCTUATION = frozenset("_.-+")
_CATEGORIES = ("L", "M", "N")  # letters, marks (Thai vowels and tones), digits


def file_id_problem(value: object) -> str | None:
    """Why ``value`` cannot be used as a file-name id, or ``None`` when it can."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "is empty"
    if len(value.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return f"is longer than {MAX_BYTES} bytes"
    if unicodedata.category(value[0])[0] not in ("L", "N"):
        return "must start with a letter or a digit"
    for char in value:
        if char not in _PUNCTUATION and unicodedata.category(char)[0] not in _CATEGORIES:
            return f"contains {char!r}; use only letters, digits and _ . - +"
    return None


def is_file_id(value: object) -> bool:
    return file_id_problem(value) is None


def validate_file_id(
    kind: str, value: object, path: str | Path | None = None, line: int | None = None
) -> str:
    """Return ``value`` if it is a valid file-name id, else raise :class:`InputError`
    (``kind`` names what it is: "document id", "alignment name"...)."""
    problem = file_id_problem(value)
    if problem is not None:
        raise InputError(f"{kind} {value!r} {problem} (it becomes a file name)", path, line)
    return value  # type: ignore[return-value]
