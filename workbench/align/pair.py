"""Align two pre-split files (``workbench align-pair``): reading, checks, bead output."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.align.beads import format_beads
from workbench.align.modes import get_mode
from workbench.errors import InputError, WorkbenchError
from workbench.settings import AlignSettings


def read_sentences(path: str | Path, role: str) -> list[str]:
    """One sentence per line (UTF-8). Errors name the file; blank lines are kept (as empty)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{role} file does not exist", path) from None
    except IsADirectoryError:
        raise InputError(f"{role} is a folder, expected a file", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{role} file is not UTF-8 ({exc.reason})", path, line) from None
    if "\x00" in text:
        raise InputError(
            f"{role} file looks binary (NUL byte)", path, text[: text.index("\x00")].count("\n") + 1
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.rstrip("\r") for line in lines]
    if not any(line.strip() for line in lines):
        raise InputError(f"{role} file is empty", path)
    return lines


def read_line_parallel(
    path: str | Path, role: str, other: Sequence[str], other_path: str | Path, other_role: str
) -> list[str]:
    """Read a translation that must have one line per line of ``other`` (its original)."""
    lines = read_sentences(path, role)
    if len(lines) != len(other):
        raise InputError(
            f"{role} has {len(lines)} lines but the {other_role} {other_path} has "
            f"{len(other)}; it must be line-parallel to the {other_role}",
            path,
            min(len(lines), len(other)) + 1,
        )
    return lines


def load_pair_encoder(name: str, models_dir: Path, cache: Path | None):
    """The sentence encoder ``name`` behind the embedding cache (shared per process); None for
    ``none``. A name that is neither a registry entry nor a usable model is an error naming
    the choices."""
    from workbench.align.signals import semantic

    try:
        return semantic.open_encoder(name, cache, models_dir)
    except WorkbenchError as exc:
        raise InputError(
            f"unknown or unusable sentence encoder {name!r}: {exc} "
            "(--encoder takes use-multilingual-v3, none, or a sentence-transformers hub id "
            "or folder)"
        ) from None


def input_notes(lines: Sequence[str], role: str, path: str | Path, encoder: bool) -> list[str]:
    """Warnings about lines the aligner handles specially: empty ones and, with an encoder,
    those longer than it reads (cut there)."""
    from workbench.align.signals.encoder import MAX_CHARS

    notes = []
    empty = [k + 1 for k, line in enumerate(lines) if not line.strip()]
    if empty:
        notes.append(
            f"{path}: {len(empty)} empty {role} line(s) (first: line {empty[0]}); "
            "they match nothing"
        )
    long = [k + 1 for k, line in enumerate(lines) if len(line) > MAX_CHARS]
    if encoder and long:
        notes.append(
            f"{path}: {len(long)} {role} line(s) longer than {MAX_CHARS} characters (first: "
            f"line {long[0]}); the encoder reads their first {MAX_CHARS} characters only"
        )
    return notes


def align_files(
    src: str | Path,
    tgt: str | Path,
    mt: str | Path | None,
    mode: str = "parallel",
    settings: AlignSettings | None = None,
    with_scores: bool = False,
    tgt_mt: str | Path | None = None,
    encoder: str | None = None,
    models_dir: str | Path = Path("models"),
) -> str:
    """Align the files and return the bead lines (one per line, newline-terminated).

    ``tgt_mt``: optional MT of the target into the source language (line-parallel to the
    target), for modes that score both ways. ``encoder``: a sentence encoder name
    (``use-multilingual-v3``, ``none``, a sentence-transformers hub id or folder; default
    ``settings.encoder``), used through the embedding cache ``settings.embedding_cache``.
    """
    settings = settings or AlignSettings()
    chosen = get_mode(mode)
    if tgt_mt is not None and not chosen.uses_tgt_mt:
        raise InputError(f"--tgt-translation is not used by --mode {mode}", tgt_mt)
    if tgt_mt is not None and mt is None:
        raise InputError("--tgt-translation needs --src-translation as well", tgt_mt)
    src_lines = read_sentences(src, "source")
    tgt_lines = read_sentences(tgt, "target")
    mt_lines = None
    if mt is not None:
        mt_lines = read_line_parallel(mt, "translation", src_lines, src, "source")
    tgt_mt_lines = None
    if tgt_mt is not None:
        tgt_mt_lines = read_line_parallel(tgt_mt, "target translation", tgt_lines, tgt, "target")
    name = settings.encoder if encoder is None else encoder
    model = load_pair_encoder(name, Path(models_dir), settings.embedding_cache)
    notes = input_notes(src_lines, "source", src, model is not None)
    notes += input_notes(tgt_lines, "target", tgt, model is not None)
    result = chosen.align(
        src_lines, mt_lines, tgt_lines, settings, tgt_mt=tgt_mt_lines, encoder=model
    )
    for note in notes + result.notes:
        print(f"workbench: warning: {note}", file=sys.stderr)
    return format_beads(result.beads, result.scores if with_scores else None)
