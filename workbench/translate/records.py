"""Inputs and outputs of ``translate-file``: one sentence per line, JSONL with an id and a text
field, or Parquet (``id`` and ``text`` columns); a registry of formats by file suffix.

Text in, text out: a line-parallel file (blank stays blank). JSONL or Parquet in: one JSON
record per input record, ``{"id": ..., "text": ..., "translation": ...}``, in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.fileio import atomic_writer
from workbench.jsonlines import dumps_line
from workbench.jsontext import loads


@dataclass
class Records:
    """What a job translates: ``texts`` in input order, with ``ids`` (line numbers for text)."""

    ids: list[Any]
    texts: list[str]
    kind: str  # "text" or "records"

    def labels(self, path: Path) -> list[str]:
        return [f"{path}:{i}" if self.kind == "text" else f"{path} id {i}" for i in self.ids]


def read_text(path: Path) -> Records:
    from workbench.translate.tasks import read_lines

    lines = read_lines(path)
    return Records(list(range(1, len(lines) + 1)), lines, "text")


def read_jsonl(path: Path) -> Records:
    """One JSON object per line with ``id`` and ``text`` (a string); a bad line is named."""
    ids, texts = [], []
    try:
        data = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("input file does not exist", path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", path) from None
    for number, line in enumerate(data.split("\n"), 1):
        if not line.strip():
            continue
        record = loads(line, path, number)  # bad JSON, deep nesting: one line naming it
        if not isinstance(record, dict) or "id" not in record:
            raise InputError('a record needs an "id" and a "text" field', path, number)
        if not isinstance(record.get("text"), str):
            raise InputError('"text" must be a string', path, number)
        ids.append(record["id"])
        texts.append(record["text"])
    if not texts:
        raise InputError("empty input file: no record to translate", path)
    return Records(ids, texts, "records")


def read_parquet(path: Path) -> Records:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["id", "text"])
    except FileNotFoundError:
        raise InputError("input file does not exist", path) from None
    except (OSError, KeyError, ValueError) as exc:  # pyarrow: not Parquet, missing column
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read id and text columns: {first}", path) from None
    texts = table.column("text").to_pylist()
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f'row {row}: "text" must be a string, not {text!r}', path)
    return Records(table.column("id").to_pylist(), texts, "records")


READERS: dict[str, Callable[[Path], Records]] = {
    ".jsonl": read_jsonl,
    ".parquet": read_parquet,
}


def read_records(path: Path) -> Records:
    """The input by its suffix (``.jsonl``, ``.parquet``; anything else: one sentence a line)."""
    return READERS.get(Path(path).suffix.lower(), read_text)(Path(path))


def write_records(path: Path, records: Records, translations: Sequence[str]) -> None:
    """The output, atomically: line-parallel text, or one JSON record per input record."""
    with atomic_writer(path) as handle:
        if records.kind == "text":
            handle.writelines(t + "\n" for t in translations)
            return
        for id_, text, translation in zip(records.ids, records.texts, translations, strict=True):
            row = {"id": id_, "text": text, "translation": translation}
            handle.write(dumps_line(row))  # one record, one line (U+2028 escaped)


# --- streaming (the Ray engine: the driver never holds the whole input) ----------------------

BOM = b"\xef\xbb\xbf"


def _decoded(path: Path, what: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 file read line by line (split at "\n" only, BOM
    dropped, the text of a final empty line not yielded): the in-memory readers' errors."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the last line
    except FileNotFoundError:
        raise InputError("input file does not exist", path) from None
    except IsADirectoryError:
        raise InputError("input is a folder, not a file", path) from None
    with handle:
        offset = 0  # bytes after the BOM, as the whole-file decoder counts them
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if what == "text" and b"\x00" in raw:
                raise InputError(
                    "binary file (contains NUL bytes), not one sentence per line", path
                )
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                hint = "; convert it, e.g. with iconv -t UTF-8" if what == "text" else ""
                raise InputError(
                    f"not valid UTF-8 (byte {offset + exc.start}){hint}", path
                ) from None
            offset += len(raw)
            yield number, line[:-1] if line.endswith("\n") else line


def iter_text(path: Path) -> Iterator[tuple[Any, str]]:
    """``read_text`` line by line: ``(line number, sentence)``."""
    seen_text = False
    for number, line in _decoded(path, "text"):
        seen_text = seen_text or bool(line.strip())
        yield number, line.rstrip("\r")
    if not seen_text:
        raise InputError("empty input file: no sentence to translate", path)


def iter_jsonl(path: Path) -> Iterator[tuple[Any, str]]:
    """``read_jsonl`` record by record: ``(id, text)``."""
    seen = False
    for number, line in _decoded(path, "jsonl"):
        if not line.strip():
            continue
        record = loads(line, path, number)
        if not isinstance(record, dict) or "id" not in record:
            raise InputError('a record needs an "id" and a "text" field', path, number)
        if not isinstance(record.get("text"), str):
            raise InputError('"text" must be a string', path, number)
        seen = True
        yield record["id"], record["text"]
    if not seen:
        raise InputError("empty input file: no record to translate", path)


def iter_parquet(path: Path) -> Iterator[tuple[Any, str]]:
    """``read_parquet`` batch by batch: ``(id, text)``."""
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(path).iter_batches(columns=["id", "text"], batch_size=4096)
        first = next(batches, None)
    except FileNotFoundError:
        raise InputError("input file does not exist", path) from None
    except (OSError, KeyError, ValueError) as exc:  # pyarrow: not Parquet, missing column
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read id and text columns: {message}", path) from None
    row = 0
    while first is not None:
        ids, texts = first.column("id").to_pylist(), first.column("text").to_pylist()
        for id_, text in zip(ids, texts, strict=True):
            if not isinstance(text, str):
                raise InputError(f'row {row}: "text" must be a string, not {text!r}', path)
            row += 1
            yield id_, text
        first = next(batches, None)


ITERATORS: dict[str, Callable[[Path], Iterator[tuple[Any, str]]]] = {
    ".jsonl": iter_jsonl,
    ".parquet": iter_parquet,
}


def iter_records(path: Path) -> Iterator[tuple[Any, str]]:
    """``read_records`` without holding the file: ``(id, text)`` pairs, in input order, with
    the same errors (raised when the bad record is reached)."""
    return ITERATORS.get(Path(path).suffix.lower(), iter_text)(Path(path))


def record_kind(path: Path) -> str:
    return "records" if Path(path).suffix.lower() in ITERATORS else "text"


def write_record_rows(path: Path, kind: str, rows: Iterable[tuple[Any, str, str]]) -> None:
    """``write_records`` from ``(id, text, translation)`` rows as they come, atomically."""
    with atomic_writer(path) as handle:
        for id_, text, translation in rows:
            if kind == "text":
                handle.write(translation + "\n")
            else:
                handle.write(dumps_line({"id": id_, "text": text, "translation": translation}))
