"""The Vecalign bead format: one bead per line, ``[i, ...]:[j, ...]`` with 0-based line numbers.

``[8, 9]:[10]`` pairs source lines 8 and 9 with target line 10; ``[]:[16]`` is an insertion,
``[52]:[]`` a deletion. An optional third field (``:0.42``, Vecalign's cost or a score) is
accepted and ignored on reading. Blank lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from workbench.errors import InputError

Bead = tuple[tuple[int, ...], tuple[int, ...]]

_LIST = r"\[\s*((?:\d+\s*(?:,\s*\d+\s*)*)?)\]"
_LINE = re.compile(rf"^\s*{_LIST}\s*:\s*{_LIST}\s*(?::\s*[-+0-9.eE]+(?:nan|inf)?\s*)?$")


def parse_bead(text: str, path: str | Path | None = None, line: int | None = None) -> Bead:
    """One bead from ``[i, ...]:[j, ...]`` (optionally ``:score``); InputError when it does not parse."""
    match = _LINE.match(text)
    if not match:
        shown = text.strip()
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise InputError(f"not a bead '[i, ...]:[j, ...]': {shown!r}", path, line)
    src, tgt = (
        tuple(int(x) for x in group.split(",")) if group.strip() else () for group in match.groups()
    )
    if not src and not tgt:
        raise InputError("empty bead '[]:[]'", path, line)
    return src, tgt


def parse_beads(text: str, path: str | Path | None = None) -> list[Bead]:
    """All beads of a file's text, in order (blank lines skipped)."""
    return [
        parse_bead(raw, path, number)
        for number, raw in enumerate(text.splitlines(), start=1)
        if raw.strip()
    ]


def read_beads(path: str | Path) -> list[Bead]:
    """Read a bead file; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file does not exist", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a bead file", path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    return parse_beads(text, path)


def format_bead(bead: Bead, score: float | None = None) -> str:
    """``[0, 1]:[2]`` (and ``:0.8123`` when a score is given)."""
    src, tgt = bead
    text = f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"
    return text if score is None else f"{text}:{score:.4f}"


def format_beads(beads: Iterable[Bead], scores: Sequence[float] | None = None) -> str:
    """One bead per line, newline-terminated."""
    beads = list(beads)
    if scores is None:
        lines = [format_bead(b) for b in beads]
    else:
        lines = [format_bead(b, s) for b, s in zip(beads, scores, strict=True)]
    return "".join(line + "\n" for line in lines)
