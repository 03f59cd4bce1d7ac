"""Precision and recall of comparable mode on the seed gold, without MT and with "MT".

No real MT model runs here, so the with-MT figure uses **human reference translations
standing in for MT**: ``tests/data/seed_reference_en.tsv`` (written by hand) fed through the
translation engine's ``command`` backend (``tests/data/lookup_mt.py``), exactly as a real
model's output would be stored and read. Real MT is noisier, so expect lower figures with it.

    .venv/bin/python bench/seed_alignment.py [--corpus corpus] [--gold tests/data/seed_gold.tsv] [-v]

Prints one line per condition (and, with -v, the wrong and missed pairs).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.align.corpus_align import align_corpus  # noqa: E402
from workbench.align.pair_gold import load_pair_gold, score_pairs  # noqa: E402
from workbench.corpus.ingest import ingest  # noqa: E402
from workbench.corpus.model import Corpus  # noqa: E402
from workbench.corpus.translations import DocumentTranslations, load_translations  # noqa: E402
from workbench.settings import AlignSettings  # noqa: E402

REFERENCES = ROOT / "tests/data/seed_reference_en.tsv"
LOOKUP = ROOT / "tests/data/lookup_mt.py"


def reference_translations(
    corpus: Corpus, path: Path = REFERENCES
) -> dict[str, DocumentTranslations]:
    """The reference English read straight from the TSV (for fitting; the benchmark uses the backend)."""
    out: dict[str, DocumentTranslations] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        sid, _source, english = line.split("\t")
        doc_id = corpus.sentence(sid).doc_id
        out.setdefault(doc_id, DocumentTranslations(doc_id, "en")).by_sentence[sid] = english
    return out


def translate_with_references(corpus_dir: Path, references: Path = REFERENCES) -> None:
    """Run ``workbench translate --backend command`` with the lookup script over ``corpus_dir``."""
    from workbench.cli import main

    command = f"{sys.executable} {LOOKUP} {references}"
    code = main(
        [
            "translate",
            "--corpus",
            str(corpus_dir),
            "--backend",
            "command",
            "--model",
            command,
            "--no-cache",
            "--no-progress",
        ]
    )
    if code != 0:
        raise SystemExit(f"translate failed with exit code {code}")


def copy_corpus(corpus_dir: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in corpus_dir.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    return target


def measure(corpus_dir: Path, gold_path: Path, verbose: bool = False) -> dict[str, object]:
    gold = load_pair_gold(gold_path)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = copy_corpus(corpus_dir, Path(tmp) / "corpus")
        translate_with_references(work)
        corpus = ingest(work)
        translations = load_translations(work, "en")
        for label, use_mt in (
            ("without MT (anchors + surface overlap)", False),
            ("with reference English standing in for MT", True),
        ):
            start = time.perf_counter()
            runs = align_corpus(
                corpus, translations, AlignSettings(use_mt=use_mt), Path(tmp), write=False
            )
            seconds = time.perf_counter() - start
            scores = score_pairs([r.alignment for r in runs], gold)
            results[label] = scores
            print(f"{label:45s} {scores.line()}  ({seconds:.2f} s)")
            if verbose:
                for s, t in scores.wrong:
                    print(f"    wrong  {s} -> {t}: {corpus.sentence(t).text[:70]}")
                for s, t in scores.missed:
                    print(f"    missed {s} -> {t}: {corpus.sentence(t).text[:70]}")
        print("threshold sweep (align.comparable_threshold):")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            row = []
            for use_mt in (False, True):
                settings = AlignSettings(use_mt=use_mt, comparable_threshold=threshold)
                runs = align_corpus(corpus, translations, settings, Path(tmp), write=False)
                scores = score_pairs([r.alignment for r in runs], gold)
                row.append(
                    f"{'MT' if use_mt else 'no MT'} P {scores.precision:.3f} R {scores.recall:.3f}"
                )
            print(f"  {threshold:.1f}: " + "   ".join(row))
    return results


def dropout_sweep(corpus_dir: Path, gold_path: Path, seeds: int = 5) -> None:
    """A crude stand-in for worse MT: drop a share of the reference words at random."""
    import random

    corpus = ingest(corpus_dir)
    gold = load_pair_gold(gold_path)
    print("reference English with words dropped at random (mean of 5 seeds):")
    for drop in (0.0, 0.2, 0.35, 0.5):
        precision = recall = 0.0
        for seed in range(seeds):
            rng = random.Random(seed)
            refs = reference_translations(corpus)
            for doc in refs.values():
                for sid, text in doc.by_sentence.items():
                    kept = " ".join(w for w in text.split() if rng.random() > drop)
                    doc.by_sentence[sid] = kept or text
            runs = align_corpus(corpus, refs, AlignSettings(), corpus_dir, write=False)
            scores = score_pairs([r.alignment for r in runs], gold)
            precision += scores.precision / seeds
            recall += scores.recall / seeds
        print(f"  {drop:.0%} of words dropped: P {precision:.3f} R {recall:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Comparable mode on the seed gold, with and without MT."
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--gold", type=Path, default=ROOT / "tests/data/seed_gold.tsv")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--dropout", action="store_true", help="also degrade the references (worse 'MT')"
    )
    args = parser.parse_args()
    measure(args.corpus, args.gold, args.verbose)
    if args.dropout:
        dropout_sweep(args.corpus, args.gold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
