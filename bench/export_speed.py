"""Export speed and memory: N synthetic links to each format, one fresh process per run.

Usage::

    .venv/bin/python bench/export_speed.py                 # 1,000,000 and 100,000 links
    .venv/bin/python bench/export_speed.py --links 200000 --small 20000

Each (format, size) runs in its own subprocess, which reports wall time and peak RSS
(``ru_maxrss``) for the export alone (the process's RSS after imports is printed too).
Flat memory shows as a peak that does not grow from the small to the large size. For
reference, the script also measures ``store.load_alignment`` of the large file: the
memory an in-memory export would need before writing a byte.

Sentence text comes from a synthetic source (a pool of 1,000 sentences with markup
characters, quotes, tabs, emoji and Thai, picked by sentence number), so no 1M-sentence
corpus has to be held in memory: the figures are those of the export machinery.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("jsonl", "tsv", "moses", "tmx")
STATUSES = ("approved", "approved", "approved", "auto", "rejected", "flagged")
_TEXT = (
    "le sommet mondial de l'Internet des objets s'est ouvert à Wuxi IoT « capteurs » "
    "province Jiangsu été milliards croissance 14 % entreprises innovation réseau 😀 "
    "งาน มหกรรม เปิดฉาก ที่ เมือง อู๋ซี น้ำ ปั๊ม บริษัท"
)
WORDS = _TEXT.split(" ")
NASTY = (
    " tab\there", " line\nbreak", " ctrl\x01\x0b\x1b", " cr\r\n", " ls\u2028ps\u2029",
    " <b>AT&T</b>", ' "quoted"',
)  # fmt: skip


def pool(size: int = 1000) -> list[str]:
    """News-like sentences of 12-41 words; one in 20 also has markup characters, quotes, a
    tab, a newline or control characters (the slow paths of every writer)."""
    sentences = []
    for i in range(size):
        n = 12 + (i * 7) % 30
        pick = random.Random(i)
        text = " ".join(pick.choice(WORDS) for _ in range(n)) + "."
        if i % 20 == 0:
            text += NASTY[(i // 20) % len(NASTY)]
        sentences.append(text)
    return sentences


class SyntheticText:
    """TextSource over a sentence pool: ``xx-bench:N`` -> pool[N % size]."""

    def __init__(self) -> None:
        self.src = pool()
        self.tgt = [s.upper() for s in self.src]

    def text(self, sid: str) -> str:
        n = int(sid.rpartition(":")[2])
        return (self.src if sid.startswith("fr") else self.tgt)[n % len(self.src)]

    def mt(self, sid: str) -> str:
        return self.tgt[(int(sid.rpartition(":")[2]) + 1) % len(self.tgt)]

    def mt_provenance(self, doc_ids):
        return [{"model": "bench/synthetic", "revision": "0", "doc": d} for d in doc_ids]


def make_alignment(path: Path, links: int) -> None:
    """A fr-en alignment file with ``links`` links (mostly 1-1, some 2-1 and 1-0)."""
    header = {
        "format": "workbench-alignment", "schema": 1, "src_lang": "fr", "tgt_lang": "en",
        "src_docs": ["fr-bench"], "tgt_docs": ["en-bench"], "edits": {},
        "provenance": {"mode": "comparable", "settings": {"threshold": 0.5}},
    }  # fmt: skip
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(header) + "\n")
        for i in range(links):
            tgt = [f"en-bench:{i}"] if i % 50 else []
            if i % 20 == 1:
                tgt.append(f"en-bench:{i + links}")
            link = {
                "id": f"L{i + 1:07d}", "src": [f"fr-bench:{i}"], "tgt": tgt,
                "status": STATUSES[i % len(STATUSES)], "score": round((i % 1000) / 1000, 3),
                "features": {"chrf": 0.5, "len": 1.0}, "flags": [], "reviewer": "alice",
                "note": "", "created": "2026-01-01T00:00:00+00:00", "modified": None,
            }  # fmt: skip
            handle.write(json.dumps(link, ensure_ascii=False) + "\n")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(fmt: str, alignment: Path, out: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from workbench.export import Selection, export_alignments

    if fmt == "load":  # reference: the whole Alignment in memory
        from workbench.store.files import load_alignment

        base = peak_mib()
        start = time.perf_counter()
        alignment_obj = load_alignment(alignment)
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "peak_mib": peak_mib(), "base_mib": base,
                          "links": len(alignment_obj.links)}))  # fmt: skip
        return
    source = SyntheticText()
    base = peak_mib()
    start, cpu = time.perf_counter(), time.process_time()
    result = export_alignments([alignment], fmt, out, source, Selection.parse("all"))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(p.stat().st_size for p in result.paths)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak_mib(), "base_mib": base,
                      "links": result.count, "bytes": size}))  # fmt: skip


def tmx_writers(alignment: Path, n: int) -> dict[str, float]:
    """The hand-written TMX <tu> writer against lxml's incremental ``etree.xmlfile``.

    Same records (built once, in memory), same elements and props; only the serialisation
    differs. lxml refuses XML-invalid characters, so both get text with them removed.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lxml import etree

    from workbench.export import Selection
    from workbench.export.records import iter_records
    from workbench.export.stream import read_header
    from workbench.export.tmx import tu, xml_safe

    records = []
    for record in iter_records(
        [read_header(alignment)], Selection.parse("all"), SyntheticText(), True
    ):
        record.src, record.tgt = xml_safe(record.src), xml_safe(record.tgt)
        record.mt = xml_safe(record.mt or "")
        records.append(record)
        if len(records) == n:
            break
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with open(Path(tmp) / "a.tmx", "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(tu(record))
        times["hand-written"] = time.perf_counter() - start
        start = time.perf_counter()
        with etree.xmlfile(str(Path(tmp) / "b.tmx"), encoding="utf-8") as xf, xf.element("body"):
            for record in records:
                link = record.link
                props = [
                    ("x-alignment", record.alignment), ("x-link-id", link.id),
                    ("x-status", link.status.value), ("x-score", repr(link.score)),
                    ("x-reviewer", link.reviewer or ""), ("x-src-doc", " ".join(record.src_docs)),
                    ("x-tgt-doc", " ".join(record.tgt_docs)), ("x-src-ids", " ".join(link.src)),
                    ("x-tgt-ids", " ".join(link.tgt)), ("x-mt-en", record.mt),
                ]  # fmt: skip
                element = etree.Element("tu", tuid=f"{record.alignment}/{link.id}", srclang="fr")
                for kind, value in props:
                    etree.SubElement(element, "prop", type=kind).text = value
                for lang, text in (("fr", record.src), ("en", record.tgt)):
                    tuv = etree.SubElement(element, "tuv", {xml_lang: lang})
                    etree.SubElement(tuv, "seg").text = text
                xf.write(element)
        times["lxml xmlfile"] = time.perf_counter() - start
    times["records"] = len(records)
    return times


def run_child(fmt: str, alignment: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", fmt, str(alignment), str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    for path in out.parent.glob(out.name + "*"):
        path.unlink()
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument(
        "--workdir", type=Path, help="where to put the files (default: a temp folder)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "tmx-writers":
            print(json.dumps(tmx_writers(Path(args.child[1]), int(args.child[2]))))
        else:
            child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        files = {}
        for n in (args.small, args.links):
            files[n] = work / f"bench-{n}.align.jsonl"
            start = time.perf_counter()
            make_alignment(files[n], n)
            print(f"made {n:,} links ({files[n].stat().st_size / 2**20:.0f} MiB) in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        print(f"\ncpu cores: {os.cpu_count()}, python {sys.version.split()[0]}")
        print(
            f"load average before: {os.getloadavg()[0]:.1f} (other work slows wall time, not CPU time)"
        )
        print(f"{'format':7} {'links':>9} {'written':>9} {'time s':>7} {'cpu s':>6} {'links/s':>9} "
              f"{'peak MiB':>9} {'base MiB':>9} {'out MiB':>8}")  # fmt: skip
        results = {}
        for fmt in args.formats.split(","):
            for n in (args.small, args.links):
                r = run_child(fmt, files[n], work / f"out-{fmt}")
                results[fmt, n] = r
                print(f"{fmt:7} {n:>9,} {r['links']:>9,} {r['seconds']:7.1f} {r['cpu']:6.1f} "
                      f"{r['links'] / r['seconds']:9,.0f} {r['peak_mib']:9.0f} {r['base_mib']:9.0f} "
                      f"{r['bytes'] / 2**20:8.0f}")  # fmt: skip
        ref = run_child("load", files[args.links], work / "none")
        print(f"{'load_alignment (in memory, reference)':36} {ref['seconds']:7.1f} s "
              f"{ref['peak_mib']:9.0f} MiB peak")  # fmt: skip
        tw = json.loads(subprocess.run(
            [sys.executable, __file__, "--child", "tmx-writers", str(files[args.small]), str(args.small)],
            check=True, capture_output=True, text=True,
        ).stdout)  # fmt: skip
        print(f"\nTMX <tu> serialisation only, {tw['records']:,} records: hand-written "
              f"{tw['hand-written']:.2f} s, lxml etree.xmlfile {tw['lxml xmlfile']:.2f} s "
              f"(lxml/hand-written = x{tw['lxml xmlfile'] / tw['hand-written']:.1f})")  # fmt: skip
        print("\nratios large/small (time should be ~size ratio, memory ~1.0 when flat):")
        for fmt in args.formats.split(","):
            a, b = results[fmt, args.small], results[fmt, args.links]
            print(f"  {fmt:7} time x{b['seconds'] / a['seconds']:.1f}  cpu x{b['cpu'] / a['cpu']:.1f}  peak memory "
                  f"x{b['peak_mib'] / a['peak_mib']:.2f}  "
                  f"(in-memory load needs x{ref['peak_mib'] / b['peak_mib']:.1f} this format's peak)")  # fmt: skip


if __name__ == "__main__":
    main()
