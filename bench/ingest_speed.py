"""Ingestion speed: the seed corpus replicated N times (no manifest: languages detected).

    .venv/bin/python bench/ingest_speed.py [--copies 40]
    .venv/bin/python bench/ingest_speed.py --long [--sizes 200000,1000000]

Prints documents, sentences, seconds and documents/s for the seed corpus with its manifest
and for N copies of each seed without one (language identification on every file).

``--long``: one English article of each size made of the seed articles' text, once as a
single line (one paragraph) and once with a paragraph per seed paragraph; ingestion must
take about the same time per byte both ways (it was quadratic in paragraph length).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from workbench.corpus.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent


def timed(folder: Path) -> tuple[int, int, float]:
    start = time.perf_counter()
    corpus = ingest(folder)
    seconds = time.perf_counter() - start
    return len(corpus.documents), len(corpus.sentences()), seconds


def long_articles(sizes: list[int]) -> None:
    seed = (ROOT / "corpus" / "001_20bceecdab9505ef.txt").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in seed.split("\n") if p.strip()]
    timed(ROOT / "corpus")  # warm up
    print(f"{'article':34} {'bytes':>9} {'sentences':>10} {'seconds':>8} {'MB/s':>6}")
    for size in sizes:
        for layout, sep in (("one line", " "), ("paragraphs", "\n\n")):
            text, parts = "", []
            while len(text) < size:
                parts.extend(paragraphs)
                text = sep.join(parts)
            text = text[:size].rsplit(" ", 1)[0] + "\n"
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                (folder / "long.txt").write_text(text, encoding="utf-8")
                (folder / "manifest.toml").write_text(
                    '[[document]]\nfile = "long.txt"\nid = "en-long"\nlanguage = "en"\n'
                )
                _, sentences, seconds = timed(folder)
            name = f"{size // 1000} KB, {layout}"
            print(f"{name:34} {len(text):9d} {sentences:10d} {seconds:8.2f} "
                  f"{len(text) / seconds / 1e6:6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--long", action="store_true", help="one long article, see above")
    parser.add_argument("--sizes", default="200000,1000000", help="bytes, comma-separated")
    args = parser.parse_args()
    if args.long:
        long_articles([int(s) for s in args.sizes.split(",")])
        return
    timed(ROOT / "corpus")  # warm up: imports, pythainlp model load
    rows = [("seed corpus (manifest)", *timed(ROOT / "corpus"))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in sorted((ROOT / "corpus").glob("*.txt")):
            for i in range(args.copies):
                shutil.copy(path, folder / f"{path.stem}_{i}.txt")
        rows.append((f"{args.copies} copies, languages detected", *timed(folder)))
    print(f"{'input':40} {'docs':>6} {'sentences':>10} {'seconds':>8} {'docs/s':>8}")
    for name, docs, sentences, seconds in rows:
        print(f"{name:40} {docs:6d} {sentences:10d} {seconds:8.2f} {docs / seconds:8.1f}")


if __name__ == "__main__":
    main()
