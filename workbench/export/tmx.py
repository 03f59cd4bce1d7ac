"""TMX 1.4b: translation memories for CAT tools (OmegaT, Okapi, memoQ, Trados).

Written as a stream of escaped strings (constant memory, no tree); the tests parse the
output with lxml against the TMX 1.4b DTD and with translate-toolkit. Characters XML 1.0
cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are removed; ``& < >``
(and quotes in attributes) are escaped; ``\\r`` is written as ``&#13;`` so it survives
parsing. 1-0 and 0-1 links are left out: a TU needs two variants.

Each ``<tu>`` carries ``x-`` props (alignment, link id, status, score, reviewer,
documents, sentence ids, flags) so that ``workbench import`` rebuilds the links; the
``<header>`` carries the export's provenance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.export.records import ExportRecord
from workbench.export.registry import ExportFormat, ImportedFile, ImportedLink, register_format
from workbench.fileio import atomic_writer
from workbench.store.model import Flag, Link, Status

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _INVALID_XML.sub("", text)


def esc(text: str) -> str:
    """Escape element content."""
    return xml_safe(text).translate(_TEXT_ESCAPES)


def esc_attr(text: str) -> str:
    return xml_safe(text).translate(_ATTR_ESCAPES)


def tmx_date(iso: str | None) -> str | None:
    """ISO 8601 -> TMX ``YYYYMMDDThhmmssZ`` (UTC); ``None`` when absent or unreadable."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso_date(tmx: str | None) -> str | None:
    if not tmx:
        return None
    try:
        moment = datetime.strptime(tmx, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def _prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{esc_attr(kind)}">{esc(value)}</prop>\n'


def header(provenance: dict[str, Any]) -> str:
    langs = sorted({a["src_lang"] for a in provenance.get("alignments", [])})
    srclang = langs[0] if len(langs) == 1 else "*all*"
    created = tmx_date(provenance.get("created"))
    attrs = {
        "creationtool": provenance.get("tool", "workbench"),
        "creationtoolversion": provenance.get("version", ""),
        "segtype": "sentence",
        "o-tmf": "workbench-alignment",
        "adminlang": "en",
        "srclang": srclang,
        "datatype": "plaintext",
    }
    if created:
        attrs["creationdate"] = created
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n',
        '<tmx version="1.4">\n',
        "  <header " + " ".join(f'{k}="{esc_attr(str(v))}"' for k, v in attrs.items()) + ">\n",
    ]
    indent = "    "
    parts.append(_prop("x-workbench-signature", provenance.get("signature", ""), indent))
    for model in provenance.get("mt", {}).get("models", []):
        parts.append(_prop("x-mt-model", model, indent))
    for alignment in provenance.get("alignments", []):
        parts.append(_prop("x-aligner", f"{alignment['name']}: {alignment['aligner']}", indent))
    if provenance.get("reviewers"):
        parts.append(_prop("x-reviewers", " ".join(provenance["reviewers"]), indent))
    parts.append(
        _prop("x-filters", json.dumps(provenance.get("filters", {}), sort_keys=True), indent)
    )
    parts.append(
        _prop(
            "x-workbench-provenance",
            json.dumps(provenance, ensure_ascii=False, sort_keys=True),
            indent,
        )
    )
    parts.append("  </header>\n  <body>\n")
    return "".join(parts)


FOOTER = "  </body>\n</tmx>\n"


def tu(record: ExportRecord) -> str:
    link = record.link
    attrs = f'tuid="{esc_attr(record.alignment)}/{esc_attr(link.id)}" srclang="{esc_attr(record.src_lang)}"'
    created, changed = tmx_date(link.created), tmx_date(link.modified)
    if created:
        attrs += f' creationdate="{created}"'
    if changed:
        attrs += f' changedate="{changed}"'
    if link.reviewer:
        attrs += f' changeid="{esc_attr(link.reviewer)}"'
    i = "      "
    parts = [f"    <tu {attrs}>\n"]
    if link.note:
        parts.append(f"{i}<note>{esc(link.note)}</note>\n")
    parts.append(_prop("x-alignment", record.alignment, i))
    parts.append(_prop("x-link-id", link.id, i))
    parts.append(_prop("x-status", str(link.status), i))
    if link.score is not None:
        parts.append(_prop("x-score", repr(float(link.score)), i))
    if link.reviewer:
        parts.append(_prop("x-reviewer", link.reviewer, i))
    parts.append(_prop("x-src-doc", " ".join(record.src_docs), i))
    parts.append(_prop("x-tgt-doc", " ".join(record.tgt_docs), i))
    parts.append(_prop("x-src-ids", " ".join(link.src), i))
    parts.append(_prop("x-tgt-ids", " ".join(link.tgt), i))
    if link.flags:
        flags = json.dumps([f.to_dict() for f in link.flags], ensure_ascii=False, sort_keys=True)
        parts.append(_prop("x-flags", flags, i))
    if record.mt is not None:
        parts.append(_prop(f"x-mt-{record.tgt_lang}", record.mt, i))
    parts.append(
        f'{i}<tuv xml:lang="{esc_attr(record.src_lang)}"><seg>{esc(record.src)}</seg></tuv>\n'
    )
    parts.append(
        f'{i}<tuv xml:lang="{esc_attr(record.tgt_lang)}"><seg>{esc(record.tgt)}</seg></tuv>\n'
    )
    parts.append("    </tu>\n")
    return "".join(parts)


@register_format("tmx")
class TmxFormat(ExportFormat):
    suffixes = (".tmx",)
    pairs_only = True
    description = "TMX 1.4b translation memory, provenance in the header"

    def write(
        self, records: Iterator[ExportRecord], out: Path, provenance: dict[str, Any]
    ) -> list[Path]:
        with atomic_writer(out) as handle:
            handle.write(header(provenance))
            write = handle.write
            for record in records:
                write(tu(record))
            handle.write(FOOTER)
        return [out]

    def sniff(self, head: str) -> bool:
        return "<tmx" in head

    def read(self, path: Path) -> ImportedFile:
        if not path.is_file():
            raise InputError("file does not exist", path)
        provenance: dict[str, Any] = {}
        return ImportedFile(path, self.name, provenance, _read_tus(path, provenance))


def _read_tus(path: Path, provenance: dict[str, Any]) -> Iterator[ImportedLink]:
    """Stream ``<tu>`` elements; fills ``provenance`` from the header when it is reached."""
    from lxml import etree

    context = etree.iterparse(
        str(path),
        events=("end",),
        tag=("header", "tu"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    try:
        for _event, element in context:
            if element.tag == "header":
                for prop in element.findall("prop"):
                    if prop.get("type") == "x-workbench-provenance" and prop.text:
                        try:
                            provenance.update(json.loads(prop.text))
                        except json.JSONDecodeError:
                            raise InputError(
                                "damaged x-workbench-provenance prop", path, prop.sourceline
                            ) from None
                continue
            yield _link(element, path)
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"damaged TMX (not well-formed XML): {exc.msg}", path, exc.lineno
        ) from None


def _link(element: Any, path: Path) -> ImportedLink:
    line = element.sourceline
    props: dict[str, str] = {}
    for prop in element.findall("prop"):
        props.setdefault(prop.get("type", ""), prop.text or "")
    tuvs = element.findall("tuv")
    if len(tuvs) != 2:
        raise InputError(f"a <tu> needs exactly 2 <tuv>, found {len(tuvs)}", path, line)
    langs = [t.get(XML_LANG) or t.get("lang") for t in tuvs]
    src_lang = element.get("srclang") or langs[0]
    if src_lang not in langs:
        raise InputError(f"srclang {src_lang!r} matches no <tuv>", path, line)
    tgt_lang = langs[1] if langs[0] == src_lang else langs[0]
    if not src_lang or not tgt_lang:
        raise InputError("a <tuv> has no xml:lang", path, line)
    for needed in ("x-src-ids", "x-tgt-ids", "x-link-id"):
        if needed not in props:
            raise InputError(
                f"<tu> lacks the {needed} prop: only TMX exported by workbench can be imported "
                "(links are sentence ids)",
                path,
                line,
            )
    note = element.find("note")
    try:
        score = props.get("x-score")
        link = Link(
            id=props["x-link-id"],
            src=props["x-src-ids"].split(),
            tgt=props["x-tgt-ids"].split(),
            status=Status(props.get("x-status") or "auto"),
            score=float(score) if score else None,
            flags=[Flag.from_dict(f) for f in json.loads(props.get("x-flags") or "[]")],
            reviewer=props.get("x-reviewer") or None,
            note=note.text or "" if note is not None else "",
            modified=iso_date(element.get("changedate")),
        )
    except (ValueError, TypeError) as exc:
        raise InputError(f"bad prop value in <tu>: {exc}", path, line) from None
    created = iso_date(element.get("creationdate"))
    if created:
        link.created = created
    alignment = props.get("x-alignment") or f"{src_lang}-{tgt_lang}"
    return ImportedLink(alignment, src_lang, tgt_lang, link, line)
