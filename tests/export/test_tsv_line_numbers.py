"""A TSV line that is not UTF-8 is reported with its own number (issue 11, item 19)."""

from __future__ import annotations

import pytest

from workbench.errors import InputError
from workbench.export.importer import read_export

from .helpers import export


@pytest.mark.parametrize("line", [2, 3, 5])
def test_the_line_that_is_not_utf8_is_named(alignment_files, text_source, tmp_path, line) -> None:
    out = tmp_path / "pairs.tsv"
    export(alignment_files, "tsv", out, text_source, "all")
    rows = out.read_bytes().split(b"\n")
    rows[line - 1] = rows[line - 1][:10] + b"\xff\xfe" + rows[line - 1][10:]
    out.write_bytes(b"\n".join(rows))
    with pytest.raises(InputError, match="not UTF-8") as info:
        read_export(out)
    assert info.value.line == line
