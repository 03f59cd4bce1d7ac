"""Translation speed, side by side in one run, on the same sentences and the same model.

    .venv/bin/python bench/translate_speed.py                  # CPU: int8 CTranslate2, float32 torch
    python3 bench/translate_speed.py --device cuda             # GPU: float16 for both
    .venv/bin/python bench/translate_speed.py --defaults       # translate-file at its defaults
                                                               # vs a plain CTranslate2 loop

``--defaults`` times whole processes, side by side in each round: a plain CTranslate2 script
(load the tokenizer and the int8 model, ``translate_batch`` over chunks of ``--plain-batch``
lines, write the output) and ``workbench translate-file`` with no batch or thread option (only
the model, the beam and the forced lengths), for beam 1 and beam 4 (``--beams``). ``--wb-args``
adds options to the workbench command (to try candidate defaults).

The model is a random-weight Marian with opus-mt dimensions (d_model 512, 6+6 layers, 8 heads,
FFN 2048, a 60,000-entry vocabulary), built once into the work folder. Its sentencepiece
tokenizer is trained on the corpus text, which is too small for 60k pieces: the tokenizer has
as many pieces as the text supports and ``vocab.json`` is padded with unused entries up to
60,000, so the embedding and output layers have opus-mt's size (the output projection is a
large part of each decoding step).

Random weights give arbitrary output lengths, so every run is forced to the same work: exactly
``--out-tokens`` decoder steps per sentence (transformers ``min_new_tokens = max_new_tokens``,
CTranslate2 ``min_decoding_length = max_decoding_length``, workbench ``--min-length =
--max-length``), and inputs are cut to fit under that length so the workbench never splits one.

Timed over the same sentences, in rounds (``--repeat``; the best of each is reported), each
round running every pair back to back so that a change of machine load does not fall between
two figures that are compared:
  1. plain transformers: load, then a ``generate`` loop in batches of ``--batch-size``
  2. ``workbench translate-file --backend transformers`` (fresh cache)
  3. plain CTranslate2: load, then a ``translate_batch`` loop (same tokenizer, same batches)
  4. ``workbench translate-file --backend ctranslate2`` (fresh cache; converted beforehand)
then once: 5. the last command again, every sentence from the cache.
Plain loops are timed from model load to the last decoded batch; workbench runs from the
command's start to its return (settings, model load, tokenizing, sorting, cache writes, the
output file), called in-process through ``workbench.cli.main`` so that no run pays the Python
imports (``import torch`` alone is ~2.6 s on the 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.cli import main as workbench  # noqa: E402
from workbench.translate.toymodels import build_marian  # noqa: E402

OPUS_MT = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "model_vocab": 60_000}


def corpus_lines(corpus: Path) -> list[str]:
    """Sentence-like pieces of every article (no segmenter needed: runs on bare machines)."""
    pieces = []
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            pieces += [p.strip() for p in re.split(r"(?<=[.!?])\s+", line) if len(p.strip()) > 20]
    return pieces


def make_sentences(pool: list[str], count: int, tokenizer, max_tokens: int) -> list[str]:
    """``count`` distinct sentences (a numbered suffix), each at most ``max_tokens`` tokens."""
    sentences = []
    for i in range(count):
        words = pool[i % len(pool)].split()
        body = " ".join(words[(i // len(pool)) % max(1, len(words) // 2) :])
        while len(tokenizer(f"{body} ({i})")["input_ids"]) > max_tokens:
            body = body.rsplit(" ", 1)[0] if " " in body else body[: len(body) * 3 // 4]
        sentences.append(f"{body} ({i})")
    assert len(set(sentences)) == count, "sentences must be distinct (the workbench de-duplicates)"
    return sentences


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def plain_transformers(model_dir: Path, sentences: list[str], args) -> tuple[float, int]:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    started = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(model_dir)
    dtype = torch.float16 if args.device == "cuda" else torch.float32
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, dtype=dtype).to(args.device).eval()
    steps = set()
    with torch.inference_mode():
        for batch in chunks(sentences, args.batch_size):
            enc = tok(batch, return_tensors="pt", padding=True).to(args.device)
            out = model.generate(
                **enc,
                num_beams=args.beam_size,
                max_new_tokens=args.out_tokens,
                min_new_tokens=args.out_tokens,
            )
            tok.batch_decode(out, skip_special_tokens=True)
            steps.add(out.shape[1] - 1)  # minus the decoder start token
    if args.device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started, max(steps)


def plain_ctranslate2(
    ct2_dir: Path, model_dir: Path, sentences: list[str], args
) -> tuple[float, int]:
    import ctranslate2
    from transformers import AutoTokenizer

    from workbench.translate.backends.ctranslate2 import cpu_threads

    started = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(model_dir)
    threads = cpu_threads() if args.device == "cpu" else 0
    translator = ctranslate2.Translator(
        str(ct2_dir), device=args.device, compute_type=args.compute, intra_threads=threads
    )
    steps = set()
    for batch in chunks(sentences, args.batch_size):
        source = [tok.convert_ids_to_tokens(ids) for ids in tok(batch)["input_ids"]]
        results = translator.translate_batch(
            source,
            beam_size=args.beam_size,
            max_decoding_length=args.out_tokens,
            min_decoding_length=args.out_tokens,
        )
        for r in results:
            tok.decode(tok.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
            steps.add(len(r.hypotheses[0]))
    return time.perf_counter() - started, max(steps)


def run_workbench(
    config: Path, source: Path, output: Path, backend: str, model_dir: Path, cache: Path, args
) -> float:
    argv = ["--config", str(config), "translate-file", str(source), str(output), "--src-lang", "fr"]
    argv += [
        "--backend",
        backend,
        "--model",
        str(model_dir),
        "--cache",
        str(cache),
        "--no-progress",
    ]
    argv += ["--beam-size", str(args.beam_size), "--batch-size", str(args.batch_size)]
    argv += [
        "--max-length",
        str(args.out_tokens),
        "--min-length",
        str(args.out_tokens),
        "--device",
        args.device,
    ]
    argv += ["--batch-tokens", str(args.batch_size * args.out_tokens)]
    started = time.perf_counter()
    assert workbench(argv) == 0
    return time.perf_counter() - started


def machine() -> str:
    import ctranslate2
    import torch
    import transformers

    cpu = f"{len(os.sched_getaffinity(0))} CPU cores"
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    return (
        f"{platform.node()}: {cpu}, {gpu}, Python {platform.python_version()}, torch {torch.__version__}, "
        f"transformers {transformers.__version__}, ctranslate2 {ctranslate2.__version__}"
    )


PLAIN_SCRIPT = """
import sys, time
started = time.perf_counter()
import ctranslate2
from transformers import AutoTokenizer
from transformers.utils import logging
logging.set_verbosity_error()
ct2_dir, model_dir, source, output, beam, steps, batch, threads = sys.argv[1:9]
tok = AutoTokenizer.from_pretrained(model_dir)
translator = ctranslate2.Translator(ct2_dir, device="cpu", compute_type="int8",
                                    intra_threads=int(threads))
lines = open(source, encoding="utf-8").read().splitlines()
out = []
for i in range(0, len(lines), int(batch)):
    chunk = lines[i : i + int(batch)]
    tokens = [tok.convert_ids_to_tokens(ids) for ids in tok(chunk)["input_ids"]]
    results = translator.translate_batch(tokens, beam_size=int(beam),
        max_decoding_length=int(steps), min_decoding_length=int(steps))
    out += [tok.decode(tok.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
            for r in results]
open(output, "w", encoding="utf-8").write("".join(t + "\\n" for t in out))
"""


def whole_process(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a process, start to exit (imports, load, decoding, output).
    CPU time (user + system) moves less than wall time when other jobs share the cores."""
    import resource
    import subprocess

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def defaults_rounds(work: Path, config: Path, model_dir: Path, ct2_dir: Path, args) -> int:
    """translate-file at its defaults (and ``--wb-args`` candidates) vs a plain CTranslate2 loop,
    whole processes, per beam, all in each round."""
    from workbench.translate.backends.ctranslate2 import cpu_threads

    script = work / "plain_ct2.py"
    script.write_text(PLAIN_SCRIPT)
    source, steps = work / "source.txt", str(args.out_tokens)
    workbench_bin = str(Path(sys.executable).with_name("workbench"))
    candidates = ["", *args.wb_args]  # the defaults first
    runs: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for round_ in range(args.repeat):
        for beam in args.beams:
            plain = [sys.executable, str(script), str(ct2_dir), str(model_dir), str(source)]
            plain += [str(work / "plain.txt"), str(beam), steps, str(args.plain_batch)]
            runs.setdefault((beam, "plain"), []).append(whole_process([*plain, str(cpu_threads())]))
            for extra in candidates:
                cache = work / f"cache-defaults-{time.time_ns()}.sqlite"
                wb = [workbench_bin, "--config", str(config), "translate-file", str(source)]
                wb += [str(work / "wb.txt"), "--src-lang", "fr", "--model", str(model_dir)]
                wb += ["--backend", "ctranslate2", "--cache", str(cache), "--no-progress"]
                wb += ["--beam-size", str(beam), "--min-length", steps, "--max-length", steps]
                runs.setdefault((beam, extra), []).append(whole_process([*wb, *extra.split()]))
            print(
                f"  round {round_ + 1} beam {beam}: "
                + ", ".join(
                    f"{k[1] or 'defaults'} {v[-1][0]:.1f} s wall {v[-1][1]:.1f} s cpu"
                    for k, v in runs.items()
                    if k[0] == beam
                ),
                flush=True,
            )
    _defaults_table(runs, args.repeat)
    return 0


def _defaults_table(runs: dict[tuple[int, str], list[tuple[float, float]]], repeat: int) -> None:
    """Best-of-N wall and CPU seconds per run, and each against the plain loop of its beam."""
    print(f"\n| beam | run (best of {repeat}) | wall s | CPU s | plain/run wall | plain/run CPU |")
    print("|---:|---|---:|---:|---:|---:|")
    for (beam, name), values in runs.items():
        wall, cpu = min(v[0] for v in values), min(v[1] for v in values)
        plain = runs[(beam, "plain")]
        pw, pc = min(v[0] for v in plain), min(v[1] for v in plain)
        label = "plain CTranslate2 loop" if name == "plain" else f"workbench {name or '(defaults)'}"
        print(f"| {beam} | {label} | {wall:.2f} | {cpu:.2f} | {pw / wall:.2f}x | {pc / cpu:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / ".workbench" / "bench-translate")
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--out-tokens", type=int, default=32, help="decoder steps per sentence, forced"
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds; each round runs plain then workbench, best kept",
    )
    parser.add_argument(
        "--skip-transformers", action="store_true", help="CTranslate2 runs only (noisy machines)"
    )
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="translate-file at defaults vs plain, whole processes",
    )
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4], help="with --defaults")
    parser.add_argument("--plain-batch", type=int, default=32, help="plain loop's chunk size")
    parser.add_argument(
        "--wb-args", nargs="*", default=[], help="workbench option sets to try beside the defaults"
    )
    args = parser.parse_args()
    if args.defaults and "--sentences" not in sys.argv:
        args.sentences = 400
    args.compute = "float16" if args.device == "cuda" else "int8"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    model_dir = work / "opus-mt-random"
    pool = corpus_lines(args.corpus)
    if not (model_dir / "config.json").is_file():
        started = time.perf_counter()
        build_marian(model_dir, pool, spm_vocab=8000, max_positions=512, **OPUS_MT)
        print(f"built {model_dir} in {time.perf_counter() - started:.1f} s")
    from transformers import AutoTokenizer

    sentences = make_sentences(
        pool, args.sentences, AutoTokenizer.from_pretrained(model_dir), args.out_tokens - 2
    )
    source = work / "source.txt"
    source.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    config = work / "workbench.toml"
    config.write_text(f"[paths]\nmodels = {str(work / 'models')!r}\n")
    convert = ["models", "convert", str(model_dir), "--quantization", args.compute]
    ct2_dir = None
    try:
        assert workbench(["--config", str(config), *convert]) == 0
        (ct2_dir,) = (work / "models" / "ctranslate2").glob(f"opus-mt-random@*-{args.compute}")
        if args.device == "cuda":
            import ctranslate2

            probe = ctranslate2.Translator(str(ct2_dir), device="cuda", compute_type=args.compute)
            probe.translate_batch([["▁a"]])
    except Exception as exc:  # e.g. a CTranslate2 wheel built for another CUDA than the machine's
        print(f"CTranslate2 runs skipped: {exc}")
        ct2_dir = None
    stamp = time.strftime("%Y%m%d-%H%M%S")

    print(machine())
    if args.defaults:
        print(f"{len(sentences)} sentences, {args.out_tokens} decoder steps each, whole processes")
        return defaults_rounds(work, config, model_dir, ct2_dir, args)
    print(
        f"{len(sentences)} sentences, beam {args.beam_size}, batch {args.batch_size}, "
        f"{args.out_tokens} decoder steps each, device {args.device} "
        f"(transformers {'float16' if args.device == 'cuda' else 'float32'}, CTranslate2 {args.compute})"
    )
    runs: dict[str, list[float]] = {}

    def timed(name: str, seconds: float) -> None:
        runs.setdefault(name, []).append(seconds)
        print(f"  {name}: {seconds:.2f} s", flush=True)

    backends = [] if args.skip_transformers else ["transformers"]
    backends += ["ctranslate2"] if ct2_dir is not None else []
    # plain and workbench runs of one backend follow each other: a change of machine load
    # between rounds does not fall between the two figures that are compared
    for round_ in range(args.repeat):
        for backend in backends:
            if backend == "transformers":
                seconds, steps = plain_transformers(model_dir, sentences, args)
                timed("plain transformers generate loop", seconds)
            else:
                seconds, steps = plain_ctranslate2(ct2_dir, model_dir, sentences, args)
                timed("plain CTranslate2 translate_batch loop", seconds)
            assert steps == args.out_tokens, f"{backend} made {steps} decoder steps"
            cache = work / f"cache-{stamp}-{round_}-{backend}.sqlite"
            output = work / f"out-{backend}.txt"
            seconds = run_workbench(config, source, output, backend, model_dir, cache, args)
            timed(f"workbench translate-file --backend {backend}", seconds)
    last = backends[-1]  # the cached re-run repeats the fastest backend's command
    first = f"workbench translate-file --backend {last}"
    cache = work / f"cache-{stamp}-{args.repeat - 1}-{last}.sqlite"
    seconds = run_workbench(config, source, work / "out-again.txt", last, model_dir, cache, args)
    timed(f"{first}, cached re-run", seconds)
    assert (work / f"out-{last}.txt").read_text() == (work / "out-again.txt").read_text()

    best = {name: min(values) for name, values in runs.items()}
    n = len(sentences)
    print(f"\n| run (best of {args.repeat}) | seconds | sentences/s |\n|---|---:|---:|")
    for name, seconds in best.items():
        print(f"| {name} | {seconds:.2f} | {n / seconds:.1f} |")
    print()
    plain_tf = best.get("plain transformers generate loop")
    if plain_tf:
        wb_tf = best["workbench translate-file --backend transformers"]
        print(f"workbench transformers vs plain transformers: {plain_tf / wb_tf:.2f}x")
    if ct2_dir is not None:
        plain_ct2 = best["plain CTranslate2 translate_batch loop"]
        wb_ct2 = best["workbench translate-file --backend ctranslate2"]
        if plain_tf:
            print(
                f"workbench ctranslate2 vs plain transformers: {plain_tf / wb_ct2:.2f}x (target >= 2)"
            )
        print(
            f"workbench ctranslate2 vs plain CTranslate2: {plain_ct2 / wb_ct2:.2f}x (target >= 0.95)"
        )
    speedup = runs[first][-1] / best[f"{first}, cached re-run"]
    print(f"cached re-run vs the run that filled the cache: {speedup:.0f}x faster (target >= 50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
