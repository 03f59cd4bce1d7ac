"""JSON text that every reader of the program handles the same way.

* Lone UTF-16 surrogates (``"\\ud800"`` is valid JSON but not Unicode text: UTF-8 cannot
  store it, terminals cannot show it) are repaired to U+FFFD when read, and never written:
  nothing downstream (export, journal, review screen) ever sees one.
* Nesting too deep for the parser (``RecursionError``) and anything that is not a JSON
  object are :class:`~workbench.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from workbench.errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def fix_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the replacement character)."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def has_surrogate_escape(raw: str) -> bool:
    """Whether JSON text ``raw`` may decode to a lone surrogate (cheap pre-check)."""
    return "\\u" in raw and _SURROGATE_ESCAPE.search(raw) is not None


def fix_surrogates_deep(value: Any) -> Any:
    """``value`` (parsed JSON) with lone surrogates repaired in every string and key."""
    if isinstance(value, str):
        return fix_surrogates(value)
    if isinstance(value, list):
        return [fix_surrogates_deep(item) for item in value]
    if isinstance(value, dict):
        return {fix_surrogates(k): fix_surrogates_deep(v) for k, v in value.items()}
    return value


def loads(raw: str | bytes, path: str | Path | None = None, line: int | None = None) -> Any:
    """``json.loads`` whose failures are one-line :class:`InputError` s; lone surrogates
    repaired."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); the file is damaged", path, line) from None
    except RecursionError:
        raise InputError("JSON nested too deeply; the file is damaged", path, line) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; the file is damaged", path, line) from None
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    return fix_surrogates_deep(data) if has_surrogate_escape(text) else data


def parse_json_object(
    raw: str | bytes, path: str | Path | None = None, line: int | None = None
) -> dict[str, Any]:
    """One JSON object (a JSON Lines record or a small file), checked like :func:`loads`."""
    data = loads(raw, path, line)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path, line)
    return data
