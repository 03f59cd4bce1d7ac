"""The Ray engine against the local engine, on the same lines and the same int8 model.

    .venv/bin/python bench/translate_ray.py                    # 2,000 lines, beam 1
    .venv/bin/python bench/translate_ray.py --lines 500 --beam-size 4

Model: the random-weight opus-mt-dimension Marian of ``bench/translate_speed.py`` (built once
into ``.workbench/bench-translate/``), CTranslate2 int8 on CPU; every sentence is forced to
``--out-tokens`` decoder steps (random weights give arbitrary lengths). Runs, each with a fresh
cache and a fresh shard folder, timed from the ``translate_file`` call to its return:
  1. local engine, 2 threads (this machine's cores)
  2. ray --workers 1, 2 threads            (overhead of Ray against 1.)
  3. ray --workers 1, 1 thread
  4. ray --workers 2, 1 thread each        (scaling against 3.: efficiency = t3 / t4 / 2)
The local Ray cluster is started once (``ray.init(num_cpus=2)``, timed apart); the Ray runs
include starting the actors (a Python process each, loading the model).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from translate_speed import OPUS_MT, corpus_lines, machine, make_sentences  # noqa: E402

from workbench.settings import TranslateSettings  # noqa: E402
from workbench.translate.tasks import JobOptions, translate_file  # noqa: E402
from workbench.translate.toymodels import build_marian  # noqa: E402


def run(label: str, work: Path, source: Path, model_dir: Path, args, **changes) -> float:
    settings = TranslateSettings(
        beam_size=args.beam_size,
        max_length=args.out_tokens,
        min_length=args.out_tokens,
        device="cpu",
        cache=work / f"cache-{time.time_ns()}.sqlite",
        **changes,
    )
    shards = work / f"shards-{time.time_ns()}"
    options = JobOptions(model=str(model_dir), use_cache=True, progress=False, shards=shards)
    out = work / "ray-runs" / ("out-" + "".join(c if c.isalnum() else "-" for c in label) + ".txt")
    started = time.perf_counter()
    translate_file(source, out, "fr", "en", settings, work / "models", options)
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    print(
        f"  {label}: {seconds:.2f} s ({args.lines / seconds:.1f} sentences/s; load average {load:.1f})",
        flush=True,
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / ".workbench" / "bench-translate")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--beam-size", type=int, default=1)
    parser.add_argument("--out-tokens", type=int, default=16)
    parser.add_argument("--block-lines", type=int, default=250)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    work, model_dir = args.work, args.work / "opus-mt-random"
    work.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.rmtree(work / "ray-runs", ignore_errors=True)
    (work / "ray-runs").mkdir()
    pool = corpus_lines(args.corpus)
    if not (model_dir / "config.json").is_file():
        build_marian(model_dir, pool, spm_vocab=8000, max_positions=512, **OPUS_MT)
    tok = AutoTokenizer.from_pretrained(model_dir)
    source = work / f"ray-source-{args.lines}.txt"
    source.write_text("\n".join(make_sentences(pool, args.lines, tok, args.out_tokens - 2)) + "\n")
    print(machine())
    print(
        f"{args.lines} lines, beam {args.beam_size}, {args.out_tokens} decoder steps each, "
        f"blocks of {args.block_lines}"
    )
    import ray

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print(f"  ray.init(num_cpus=2): {time.perf_counter() - started:.2f} s")
    ray_args = {"engine": "ray", "block_lines": args.block_lines}
    local = {"block_lines": args.block_lines}  # the same blocks: the same batches, the same bytes
    t1 = run("local engine, 2 threads", work, source, model_dir, args, threads=2, **local)
    t2 = run(
        "ray --workers 1, 2 threads",
        work,
        source,
        model_dir,
        args,
        workers=1,
        threads=2,
        **ray_args,
    )
    t3 = run(
        "ray --workers 1, 1 thread", work, source, model_dir, args, workers=1, threads=1, **ray_args
    )
    t4 = run(
        "ray --workers 2, 1 thread each",
        work,
        source,
        model_dir,
        args,
        workers=2,
        threads=1,
        **ray_args,
    )
    outputs = {p.read_bytes() for p in (work / "ray-runs").glob("out-*.txt")}
    print(f"\nall outputs byte-identical: {len(outputs) == 1}")
    print(f"ray --workers 1 vs local (same 2 threads): {t1 / t2:.2f}x the local speed")
    print(f"2 workers vs 1 (1 thread each): {t3 / t4:.2f}x, scaling efficiency {t3 / t4 / 2:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
