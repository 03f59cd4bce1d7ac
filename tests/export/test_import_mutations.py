"""`import` of a damaged export (issue 11, Contracts): any mutation of a JSONL, TSV or TMX
export is read or refused with one InputError naming the file (and line) — never another
exception — and whatever is read passes the checks `load_alignment` makes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import InputError
from workbench.export.importer import read_export
from workbench.store.model import link_problem

from .helpers import export

PIECES = st.sampled_from(
    ["\t", "\n", "\r", '"', "{", "}", "[", "]", ",", "<", ">", "&", "\x00", "\xff", "\ud800"]
    + ["NaN", "null", "1e999", "[" * 3000, '"status": ["a"]', '"score": "x"', "<tu>", "]]>"]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), fmt=st.sampled_from(["jsonl", "tsv", "tmx"]))
def test_a_mutated_export_is_read_or_refused_in_one_line(
    alignment_files, text_source, tmp_path, data, fmt
) -> None:
    out = tmp_path / f"pairs.{fmt}"
    if not out.exists():
        export(alignment_files, fmt, out, text_source, "all")
    original = out.read_bytes()
    try:
        text = original.decode("utf-8")
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            cut = data.draw(st.integers(at, min(len(text), at + 200)))
            text = text[:at] + text[cut:]
        else:
            text = text[:at] + data.draw(PIECES) + text[at:]
        out.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            _, groups = read_export(out)
        except InputError as exc:
            assert exc.path is not None and len(str(exc).splitlines()) == 1
        else:
            for alignment in groups.values():
                for link in alignment.links:
                    assert link_problem(link.to_dict()) is None
    finally:
        out.write_bytes(original)
