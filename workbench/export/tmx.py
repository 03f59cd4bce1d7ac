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

import functools
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.export.records import ExportRecord
from workbench.export.registry import ExportFormat, ImportedFile, ImportedLink, register_format
from workbench.fileio import atomic_writer
from workbench.jsontext import loads, parse_json_object
from workbench.store.model import Flag, Link, Status

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _INVALID_XML.sub("", text)


# str.replace chains guarded by ``in`` are several times faster than str.translate here.
def esc(text: str) -> str:
    """Escape element content (and drop characters XML cannot carry)."""
    printable = text.isprintable()  # C fast path: no controls at all
    if not printable:
        text = _INVALID_XML.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if not printable and "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def esc_attr(text: str) -> str:
    text = esc(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if not text.isprintable():
        text = text.replace("\n", "&#10;").replace("\t", "&#9;")
    return text


@functools.lru_cache(maxsize=4096)
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


_P = '      <prop type="'  # prop lines of a <tu>, split around the value


def tu(record: ExportRecord) -> str:
    """One ``<tu>`` (hot path: text that needs no escaping, the common case, is found by
    one check over all of the unit's strings; then a few f-strings)."""
    link = record.link
    values = (
        record.alignment, link.id, record.src_lang, record.tgt_lang, link.reviewer or "",
        link.note, " ".join(record.src_docs), " ".join(record.tgt_docs), " ".join(link.src),
        " ".join(link.tgt), record.mt or "", record.src, record.tgt,
    )  # fmt: skip
    joined = "".join(values)
    if not joined.isprintable() or "&" in joined or "<" in joined or ">" in joined or '"' in joined:
        values = (*map(esc_attr, values[:5]), *map(esc, values[5:]))
    alignment, link_id, src_lang, tgt_lang, reviewer, note, src_doc, tgt_doc = values[:8]
    src_ids, tgt_ids, mt, src, tgt = values[8:]
    created, changed = tmx_date(link.created), tmx_date(link.modified)
    attrs = f'tuid="{alignment}/{link_id}" srclang="{src_lang}"'
    if created:
        attrs += f' creationdate="{created}"'
    if changed:
        attrs += f' changedate="{changed}"'
    if reviewer:
        attrs += f' changeid="{reviewer}"'
    parts = [f"    <tu {attrs}>\n"]
    if note:
        parts.append(f"      <note>{note}</note>\n")
    parts.append(
        f'{_P}x-alignment">{alignment}</prop>\n'
        f'{_P}x-link-id">{link_id}</prop>\n'
        f'{_P}x-status">{link.status.value}</prop>\n'
    )
    if link.score is not None:
        parts.append(f'{_P}x-score">{float(link.score)!r}</prop>\n')
    if reviewer:
        parts.append(f'{_P}x-reviewer">{reviewer}</prop>\n')
    parts.append(
        f'{_P}x-src-doc">{src_doc}</prop>\n'
        f'{_P}x-tgt-doc">{tgt_doc}</prop>\n'
        f'{_P}x-src-ids">{src_ids}</prop>\n'
        f'{_P}x-tgt-ids">{tgt_ids}</prop>\n'
    )
    if link.flags:
        flags = json.dumps([f.to_dict() for f in link.flags], ensure_ascii=False, sort_keys=True)
        parts.append(f'{_P}x-flags">{esc(flags)}</prop>\n')
    if record.mt is not None:
        parts.append(f'{_P}x-mt-{tgt_lang}">{mt}</prop>\n')
        if record.mt_model:
            parts.append(f'{_P}x-mt-model">{esc(record.mt_model)}</prop>\n')
    parts.append(
        f'      <tuv xml:lang="{src_lang}"><seg>{src}</seg></tuv>\n'
        f'      <tuv xml:lang="{tgt_lang}"><seg>{tgt}</seg></tuv>\n'
        "    </tu>\n"
    )
    return "".join(parts)


@register_format("tmx")
class TmxFormat(ExportFormat):
    suffixes = (".tmx",)
    pairs_only = True
    header_first = True  # the header's provenance holds counts and reviewers
    description = "TMX 1.4b translation memory, provenance in the header"

    def write(
        self, records: Iterator[ExportRecord], out: Path, provenance: Callable[[], dict[str, Any]]
    ) -> list[Path]:
        with atomic_writer(out) as handle:  # header_first: counts known before the body
            handle.write(header(provenance()))
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
                            recorded = parse_json_object(prop.text, path, prop.sourceline)
                        except InputError as exc:
                            raise InputError(
                                f"damaged x-workbench-provenance prop ({exc.message})",
                                path,
                                prop.sourceline,
                            ) from None
                        provenance.update(recorded)
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
            flags=[Flag.from_dict(f) for f in loads(props.get("x-flags") or "[]", path, line)],
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
