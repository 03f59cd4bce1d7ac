"""A damaged alignment-file header: refused by the loader and by a command in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.errors import InputError
from workbench.store.files import load_alignment


def assert_header_refused(path: Path, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``path`` is refused naming its first line, by ``load_alignment`` and by ``status``
    (exit 2, one line on stderr), and left byte for byte as it was."""
    before = path.read_bytes()
    with pytest.raises(InputError) as error:
        load_alignment(path)
    assert message in str(error.value) and f"{path}:1" in str(error.value)
    assert main(["status", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before
