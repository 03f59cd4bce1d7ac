"""Peak memory of the Ray engine's driver on a big generated input (issue 14: streaming input).

    .venv/bin/python bench/translate_ray_memory.py                  # 200,000 lines
    .venv/bin/python bench/translate_ray_memory.py --lines 50000 --workers 2

Model: the tiny random-weight Marian of the test suite (d_model 64, built once into
``.workbench/bench-ray-memory/``), CTranslate2 int8 on CPU, beam 1, at most ``--out-tokens``
decoder steps: the workers are cheap, the driver's memory is what is measured. The input is
``--lines`` distinct sentences (corpus pieces with a number, ~100 characters). One process:
a 20-line warm-up job (Ray started, model converted), then the peak RSS is reset
(``/proc/self/clear_refs``) and the job runs with a fresh on-disk cache and shard folder;
printed: the driver's RSS before the job, its peak during the job (VmHWM) and the difference.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORK = Path.cwd() / ".workbench" / "bench-ray-memory"


def status(field: str) -> int:
    """A ``/proc/self/status`` figure in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return -1


def make_input(path: Path, lines: int) -> None:
    import re

    pool = []
    for article in sorted((ROOT / "corpus").glob("*.txt")):
        for line in article.read_text(encoding="utf-8").splitlines():
            pool += [p.strip() for p in re.split(r"(?<=[.!?])\s+", line) if len(p.strip()) > 20]
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(lines):
            handle.write(f"{pool[i % len(pool)][:90]} ({i})\n")


def model(work: Path) -> Path:
    folder = work / "tiny-marian"
    if not (folder / "config.json").exists():
        from workbench.translate.toymodels import build_marian

        pool = (ROOT / "corpus").glob("*.txt")
        build_marian(folder, [p.read_text(encoding="utf-8") for p in sorted(pool)])
    return folder


def job(source: Path, out: Path, marian: Path, work: Path, args, tag: str) -> float:
    from workbench.settings import TranslateSettings
    from workbench.translate.tasks import JobOptions, translate_file

    settings = TranslateSettings(
        beam_size=1,
        max_length=args.out_tokens,
        device="cpu",
        engine="ray",
        workers=args.workers,
        threads=1,
        block_lines=args.block_lines,
        cache=work / f"cache-{tag}.sqlite",
    )
    options = JobOptions(
        model=str(marian), use_cache=True, progress=False, shards=work / f"shards-{tag}"
    )
    started = time.perf_counter()
    translate_file(source, out, "fr", "en", settings, work / "models", options)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--block-lines", type=int, default=512)
    parser.add_argument("--out-tokens", type=int, default=4)
    args = parser.parse_args()
    work = WORK / str(time.time_ns())
    work.mkdir(parents=True)
    marian = model(WORK)
    source = WORK / f"in-{args.lines}.txt"
    if not source.exists():
        make_input(source, args.lines)
    small = work / "small.txt"
    small.write_text("".join(source.open(encoding="utf-8").readlines()[-20:]), encoding="utf-8")
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    job(small, work / "small.out", marian, work, args, "warm-up")
    before = status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again here
    seconds = job(source, work / "out.txt", marian, work, args, "job")
    peak = status("VmHWM")
    print(
        f"{platform.node()}: {len(os.sched_getaffinity(0))} cores, load average "
        f"{os.getloadavg()[0]:.1f}; {args.lines} lines ({source.stat().st_size / 2**20:.1f} MiB), "
        f"{args.workers} workers, blocks of {args.block_lines}: {seconds:.1f} s; driver RSS "
        f"{before} MiB before the job, peak {peak} MiB (+{peak - before} MiB)",
        flush=True,
    )
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
