"""Language identification: Thai by script, other languages with py3langid (offline)."""

from __future__ import annotations

import unicodedata
from functools import cache

THAI_BLOCK = range(0x0E00, 0x0E80)


def thai_ratio(text: str) -> float:
    """Share of letters that are Thai script."""
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    if not letters:
        return 0.0
    return sum(ord(ch) in THAI_BLOCK for ch in letters) / len(letters)


@cache
def _identifier():
    import py3langid

    return py3langid


@cache
def identifier_version() -> str:
    """What :func:`detect_language` depends on (a cache of its answers is keyed by it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"py3langid=={version('py3langid')}; thai>0.3"
    except PackageNotFoundError:
        return "py3langid; thai>0.3"


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s main language."""
    if thai_ratio(text) > 0.3:
        return "th"
    language, _score = _identifier().classify(text)
    return language
