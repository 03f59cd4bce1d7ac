"""Parallel-mode alignment quality and speed on the public benchmarks, beside published numbers.

Usage: .venv/bin/python bench/align_benchmarks.py [DATA_DIR]
       [--sets tb-dev,tb-test,tb-dev-2way,tb-test-2way,mac-dev,mac-test,bible]
DATA_DIR defaults to ../shared/benchmarks (never copied into the project: the MAC texts are
copyrighted). Every set uses the machine translation shipped with it:
- Text+Berg de->fr: mt-per-doc/test{i}.google.fr (Google, ~2010), gold/test{i}.defr.
  The "-2way" sets also give the fr->de MT of the target (mt-per-doc/test{i}.google.de) and
  score beads both ways (`align-pair --tgt-translation`), as Bleualign allows.
- MAC zh->en: {dev,test}/mt-zh2en (Google). Parameters were tuned on Text+Berg dev and MAC dev only.
- Bible en->zh: mt-en2zh/001; timed as a whole `workbench align-pair` process (wall clock),
  scored after merging consecutive output beads that share a verse (as Bertalign's eval_bible).
--embeddings MODEL (a sentence encoder such as LaBSE: hub id or local folder) mixes the cosine
of bead embeddings into the similarity (`align-pair --embeddings`); the source texts are
encoded once per run (not timed). No encoder weights could be obtained where this was
written, so no figure with it exists yet; without the flag the output is unchanged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.align.beads import parse_beads, read_beads  # noqa: E402
from workbench.align.eval import Scores, score_documents  # noqa: E402
from workbench.align.parallel import align_parallel, params_from_settings  # noqa: E402
from workbench.settings import AlignSettings  # noqa: E402

# published strict F1 / lax F1 (notes/alignment-anchors.md; Bertalign README @ba3bf71, Vecalign README)
PUBLISHED = {
    "tb-test": "Bertalign 0.940/0.992, Vecalign+LASER 0.902/0.986, Bleualign ~0.85 (implied)",
    "mac-dev": "Bertalign 0.911/0.998, Vecalign 0.863/0.997, Bleualign (Google MT) 0.641/0.873",
    "mac-test": "no figure in the repo; their shipped outputs, scored here: {reference}",
    "bible": "Bertalign 0.979/1.000 1.7 s (GPU, after embedding), Vecalign 0.978/1.000 4.7 s, "
    "Bleualign 0.788/0.919 78.9 s, Hunalign 0.895/0.972 2.4 s",
    "tb-dev": "(tuning set)",
    "tb-dev-2way": "(tuning set; both MT directions)",
    "tb-test-2way": "Bleualign uses both directions too; anchors as tb-test",
}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def back_translations(data: Path, name: str) -> list[tuple[list[str], list[str]]]:
    """(source, MT of the target into the source language) per Text+Berg document."""
    tb = data / "textberg-de-fr"
    names = ["dev"] if name.startswith("tb-dev") else [f"test{i}" for i in range(7)]
    return [(lines(tb / f"docs/{d}.de"), lines(tb / f"mt-per-doc/{d}.google.de")) for d in names]


def documents(data: Path, name: str) -> list[tuple[list[str], list[str], list]]:
    """(mt, target, gold beads) per document."""
    name = name.removesuffix("-2way")
    tb = data / "textberg-de-fr"
    if name == "tb-dev":
        return [
            (
                lines(tb / "mt-per-doc/dev.google.fr"),
                lines(tb / "docs/dev.fr"),
                read_beads(tb / "gold/dev.defr"),
            )
        ]
    if name == "tb-test":
        return [
            (
                lines(tb / f"mt-per-doc/test{i}.google.fr"),
                lines(tb / f"docs/test{i}.fr"),
                read_beads(tb / f"gold/test{i}.defr"),
            )
            for i in range(7)
        ]
    split = data / "mac-zh-en" / name.split("-")[1]
    return [
        (
            lines(split / "mt-zh2en" / f.name),
            lines(split / "en" / f.name),
            read_beads(split / "gold" / f"{f.name}.align"),
        )
        for f in sorted((split / "zh").iterdir())
    ]


def fmt(s: Scores) -> str:
    return (
        f"strict P/R/F1 {s.precision_strict:.3f}/{s.recall_strict:.3f}/{s.f1_strict:.3f}  "
        f"lax {s.precision_lax:.3f}/{s.recall_lax:.3f}/{s.f1_lax:.3f}"
    )


def sources(data: Path, name: str) -> list[list[str]]:
    """The source sentences per document (for the encoder), in the order of documents()."""
    name = name.removesuffix("-2way")
    tb = data / "textberg-de-fr"
    if name == "tb-dev":
        return [lines(tb / "docs/dev.de")]
    if name == "tb-test":
        return [lines(tb / f"docs/test{i}.de") for i in range(7)]
    split = data / "mac-zh-en" / name.split("-")[1]
    return [lines(f) for f in sorted((split / "zh").iterdir())]


def run_set(
    data: Path, name: str, settings: AlignSettings, encoder: object | None = None
) -> tuple[Scores, float]:
    docs = documents(data, name)
    params = params_from_settings(settings)
    align_parallel(["warm up"], ["warm up"], params)  # load the compiled kernels once
    embs: list = [None] * len(docs)
    if encoder is not None:  # encoded before the clock starts
        embs = [
            (encoder.encode(src), encoder.encode(tgt))
            for src, (_, tgt, _) in zip(sources(data, name), docs, strict=True)
        ]
    start = time.perf_counter()
    if name.endswith("-2way"):
        back = back_translations(data, name)
        preds = [
            align_parallel(mt, tgt, params, src=src, tgt_mt=tgt_mt, embeddings=emb).beads
            for (mt, tgt, _), (src, tgt_mt), emb in zip(docs, back, embs, strict=True)
        ]
    else:
        preds = [
            align_parallel(mt, tgt, params, embeddings=emb).beads
            for (mt, tgt, _), emb in zip(docs, embs, strict=True)
        ]
    elapsed = time.perf_counter() - start
    return score_documents([g for _, _, g in docs], preds), elapsed


def reference_scores(data: Path) -> str:
    """Strict/lax F1 of the aligner outputs shipped with MAC test, with our scorer."""
    test = data / "mac-zh-en" / "test"
    golds = {f.name: read_beads(f) for f in sorted((test / "gold").iterdir())}
    parts = []
    for system in ("galechurch", "hunalign", "bleualign", "vecalign", "bertalign"):
        folder = test / "reference-outputs" / system
        preds = [read_beads(folder / name) for name in golds]
        s = score_documents(list(golds.values()), preds)
        parts.append(f"{system} {s.f1_strict:.3f}/{s.f1_lax:.3f}")
    return ", ".join(parts)


def merge_by_verse(beads: list, src_verse: list[str], tgt_verse: list[str]) -> list:
    """Merge consecutive beads that share a verse (the gold is verse-level)."""
    merged: list[tuple[list[int], list[int], set[str]]] = []
    for src, tgt in beads:
        verses = {src_verse[i] for i in src} | {tgt_verse[j] for j in tgt}
        if merged and verses & merged[-1][2]:
            merged[-1][0].extend(src)
            merged[-1][1].extend(tgt)
            merged[-1][2].update(verses)
        else:
            merged.append((list(src), list(tgt), set(verses)))
    return [(tuple(s), tuple(t)) for s, t, _ in merged]


def run_bible(
    data: Path, embeddings: str | None = None, weight: float | None = None
) -> tuple[Scores, Scores, float, float]:
    bible = data / "bible-en-zh"
    cmd = [
        str(ROOT / ".venv/bin/workbench"),
        "align-pair",
        str(bible / "en/001"),
        str(bible / "zh/001"),
        "--src-translation",
        str(bible / "mt-en2zh/001"),
        "--mode",
        "parallel",
        "--format",
        "vecalign",
    ]
    if embeddings:  # timed with the encoder's load and encoding (one whole process)
        cmd += ["--embeddings", embeddings]
        if weight is not None:
            cmd += ["--embedding-weight", str(weight)]
    subprocess.run(cmd, check=True, capture_output=True)  # first run compiles/caches kernels
    best = float("inf")
    cpu = 0.0
    out = ""
    for _ in range(3):
        before = os.times()
        start = time.perf_counter()
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        if wall < best:
            best = wall
            cpu = (after.children_user - before.children_user) + (
                after.children_system - before.children_system
            )
            out = proc.stdout
    pred = parse_beads(out)
    gold = read_beads(bible / "gold/001.align")
    raw = score_documents([gold], [pred])
    merged = merge_by_verse(pred, lines(bible / "en.verse"), lines(bible / "zh.verse"))
    return raw, score_documents([gold], [merged]), best, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    parser.add_argument(
        "--sets", default="tb-dev,tb-test,tb-dev-2way,tb-test-2way,mac-dev,mac-test,bible"
    )
    parser.add_argument(
        "--embeddings",
        metavar="MODEL",
        default=None,
        help="sentence encoder (hub id or local folder, e.g. LaBSE) mixed into the similarity "
        "at parallel_embedding_weight; needs the model on disk (not runnable where this was "
        "written: no encoder weights could be obtained)",
    )
    parser.add_argument(
        "--embedding-weight", type=float, default=None, help="share of the cosine (default 0.5)"
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    settings = AlignSettings()
    encoder = None
    if args.embeddings:
        from workbench.align.embeddings import load_encoder
        from workbench.settings import load_settings

        if args.embedding_weight is not None:
            settings.parallel_embedding_weight = args.embedding_weight
        models_dir = load_settings(None).paths.models
        encoder = load_encoder(args.embeddings, models_dir, batch_size=64)
    print(f"machine: {os.cpu_count()} cores; parallel mode, default AlignSettings")
    if encoder is not None:
        print(
            f"embeddings: {encoder.model_id} @ {encoder.revision[:12]}, pooling "
            f"{encoder.pooling}, weight {settings.parallel_embedding_weight}"
        )
    for name in args.sets.split(","):
        if name == "bible":
            raw, merged, wall, cpu = run_bible(args.data, args.embeddings, args.embedding_weight)
            print(f"bible     verse-merged {fmt(merged)}  (raw strict F1 {raw.f1_strict:.3f})")
            print(
                f"          align-pair wall {wall:.2f} s (best of 3), CPU {cpu:.2f} s; goal < 5 s"
            )
        else:
            scores, elapsed = run_set(args.data, name, settings, encoder)
            print(f"{name:12} {fmt(scores)}  {elapsed:.1f} s")
        reference = reference_scores(args.data) if name == "mac-test" else ""
        print(f"          published: {PUBLISHED[name].format(reference=reference)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
