"""Align two pre-split files (``workbench align-pair``): reading, checks, bead output."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.align.beads import format_beads
from workbench.align.modes import get_aligner
from workbench.errors import InputError
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


def align_files(
    src: str | Path,
    tgt: str | Path,
    mt: str | Path | None,
    mode: str = "parallel",
    settings: AlignSettings | None = None,
    with_scores: bool = False,
    tgt_mt: str | Path | None = None,
    embeddings: str | None = None,
    embedding_weight: float | None = None,
    models_dir: str | Path = Path("models"),
) -> str:
    """Align the files and return the bead lines (one per line, newline-terminated).

    ``tgt_mt``: optional MT of the target into the source language (line-parallel to the
    target); parallel mode then scores beads both ways.
    ``embeddings``: a sentence encoder (hub id or local folder; default
    ``settings.parallel_embedding_model``), found as translation models are (``models_dir``,
    the Hugging Face cache, a download); ``embedding_weight`` overrides
    ``settings.parallel_embedding_weight``. Parallel mode only; it is loaded only when given.
    """
    settings = settings or AlignSettings()
    if embedding_weight is not None:
        if not 0.0 <= embedding_weight <= 1.0:
            raise InputError(f"--embedding-weight must be between 0 and 1, got {embedding_weight}")
        settings = settings.model_copy(update={"parallel_embedding_weight": embedding_weight})
    if embeddings is not None and mode != "parallel":
        raise InputError(f"--embeddings is used by --mode parallel only (not {mode})")
    model = embeddings
    if model is None and mode == "parallel":
        model = settings.parallel_embedding_model
    aligner = get_aligner(mode)
    src_lines = read_sentences(src, "source")
    tgt_lines = read_sentences(tgt, "target")
    mt_lines = None
    if mt is not None:
        mt_lines = read_line_parallel(mt, "translation", src_lines, src, "source")
    extra = {}
    if tgt_mt is not None:
        if mode != "parallel":
            raise InputError("--tgt-translation is used by --mode parallel only", tgt_mt)
        if mt is None:
            raise InputError("--tgt-translation needs --src-translation as well", tgt_mt)
        extra["tgt_mt"] = read_line_parallel(tgt_mt, "target translation", tgt_lines, tgt, "target")
    if model is not None:
        from workbench.align.embeddings import load_encoder

        encoder = load_encoder(
            model, Path(models_dir), batch_size=settings.parallel_embedding_batch_size
        )
        extra["embeddings"] = (encoder.encode(src_lines), encoder.encode(tgt_lines))
    result = aligner(src_lines, mt_lines, tgt_lines, settings, **extra)
    for note in result.notes:
        print(f"workbench: warning: {note}", file=sys.stderr)
    return format_beads(result.beads, result.scores if with_scores else None)
