"""Peak memory of ``workbench embed`` and ``embed --into-cache`` on a big generated input
(issue 14: streaming input; the pattern of bench/translate_ray_memory.py).

    .venv/bin/python bench/embed_memory.py                      # 200,000 lines
    BENCH_CODE=/tmp/old .venv/bin/python bench/embed_memory.py  # another checkout's code

The encoder is a hash stand-in (dimension ``--dim``, unit rows from each sentence's digest):
no model runs, the process's own memory is what is measured. The input is ``--lines``
distinct sentences (corpus pieces with a number, ~100 characters, the translate bench's
input). One process: ``embed`` (local engine) into a fresh folder, then ``--into-cache`` of
that folder into a fresh cache; before each the peak RSS is reset (``/proc/self/clear_refs``);
printed: RSS before, peak during (VmHWM), the difference.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
sys.path.insert(1, str(ROOT / "bench"))

WORK = Path.cwd() / ".workbench" / "bench-embed-memory"


class HashEncoder:
    id = "hash-encoder"

    def __init__(self, dim: int):
        self.dim = dim

    def provenance(self) -> dict:
        return {"id": self.id, "dim": self.dim}

    def encode(self, texts):
        import numpy as np

        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            out[row] = vector / np.linalg.norm(vector)
        return out


def measured(run) -> tuple[int, int, float]:
    from translate_ray_memory import status

    before = status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again here
    started = time.perf_counter()
    run()
    return before, status("VmHWM"), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--block-lines", type=int, default=512)
    parser.add_argument("--dim", type=int, default=512)
    args = parser.parse_args()
    import workbench.align.signals.encoder as encoders
    import workbench.translate.embed as embed
    from workbench.translate.embed import embed_file
    from workbench.translate.embed_import import import_embeddings

    # after the workbench: importing the translate bench puts this checkout first on sys.path
    make_input = importlib.import_module("translate_ray_memory").make_input

    encoder = HashEncoder(args.dim)
    encoders.get_encoder = lambda name, models_dir=None: encoder
    work = WORK / str(time.time_ns())
    work.mkdir(parents=True)
    source = WORK / f"in-{args.lines}.txt"
    if not source.exists():
        make_input(source, args.lines)
    out, cache = work / "emb", work / "cache.sqlite"
    jobs = {
        "embed": lambda: embed_file(source, out, "hash", work, args.block_lines, None, False),
        "into-cache": lambda: import_embeddings(source, out, "hash", work, cache),
    }
    print(
        f"{platform.node()}: {len(os.sched_getaffinity(0))} cores, load average "
        f"{os.getloadavg()[0]:.1f}; {args.lines} lines ({source.stat().st_size / 2**20:.1f} MiB), "
        f"blocks of {args.block_lines}, dim {args.dim}; code {Path(embed.__file__).parents[2]}",
        flush=True,
    )
    for name, run in jobs.items():
        before, peak, seconds = measured(run)
        print(
            f"  {name}: {seconds:.1f} s; RSS {before} MiB before, peak {peak} MiB "
            f"(+{peak - before} MiB)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
