"""Text clean-up shared by the line-based formats (TSV, Moses)."""

from __future__ import annotations

import re

# Everything a line-based reader could take as a line or field break, plus other C0/C1
# controls: Python's str.splitlines() also splits at \x0b \x0c \x1c-\x1e \x85 \u2028 \u2029.
_SURROGATES = re.compile("[\ud800-\udfff]")
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with tabs, newlines and other control characters turned into spaces."""
    return text if text.isprintable() else _BREAKS.sub(" ", text)


def fix_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (possible in JSON input) cannot be written as UTF-8: U+FFFD."""
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)
