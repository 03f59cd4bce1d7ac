"""Ingestion speed: the seed corpus replicated N times (no manifest: languages detected).

    .venv/bin/python bench/ingest_speed.py [--copies 40]

Prints documents, sentences, seconds and documents/s for the seed corpus with its manifest
and for N copies of each seed without one (language identification on every file).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
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
