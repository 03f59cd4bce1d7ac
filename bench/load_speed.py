"""Alignment-file loading speed: ``load_alignment`` (fast path, every link checked) on a file
of N links written by ``save_alignment``.

    .venv/bin/python bench/load_speed.py [--links 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from workbench.store import Alignment, Flag, Link, Status, load_alignment, save_alignment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    links = [
        Link(
            f"L{i:06d}",
            [f"fr-x:{i}"],
            [f"en-y:{i}"],
            Status.AUTO,
            0.5,
            {"chrf": 0.4, "len": 1.0},
            [Flag("number", "1", "2", "d")] if i % 10 == 0 else [],
        )
        for i in range(args.links)
    ]
    alignment = Alignment("fr", "en", ["fr-x"], ["en-y"], {"aligner": {"mode": "x"}}, {}, links)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.align.jsonl"
        save_alignment(alignment, path)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            load_alignment(path)
            best = min(best, time.perf_counter() - start)
    print(f"load_alignment, {args.links:,} links: best of {args.repeat} {best:.3f} s")


if __name__ == "__main__":
    main()
