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
ENCODER = AlignSettings().encoder


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


def measure(
    corpus_dir: Path, gold_path: Path, verbose: bool = False, encoder: str = ENCODER
) -> dict[str, object]:
    gold = load_pair_gold(gold_path)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = copy_corpus(corpus_dir, Path(tmp) / "corpus")
        translate_with_references(work)
        corpus = ingest(work)
        translations = load_translations(work, "en")
        for label, use_mt in (
            ("without MT", False),
            ("with reference English standing in for MT", True),
        ):
            start = time.perf_counter()
            settings = AlignSettings(use_mt=use_mt, encoder=encoder)
            runs = align_corpus(corpus, translations, settings, Path(tmp), write=False)
            seconds = time.perf_counter() - start
            scores = score_pairs([r.alignment for r in runs], gold)
            results[label] = scores
            print(f"{label:45s} {scores.line()}  ({seconds:.2f} s)")
            _calibration(runs, gold)
            if verbose:
                for s, t in scores.wrong:
                    print(f"    wrong  {s} -> {t}: {corpus.sentence(t).text[:70]}")
                for s, t in scores.missed:
                    print(f"    missed {s} -> {t}: {corpus.sentence(t).text[:70]}")
        print("threshold sweep (align.comparable_threshold):")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            row = []
            for use_mt in (False, True):
                settings = AlignSettings(
                    use_mt=use_mt, comparable_threshold=threshold, encoder=encoder
                )
                runs = align_corpus(corpus, translations, settings, Path(tmp), write=False)
                scores = score_pairs([r.alignment for r in runs], gold)
                row.append(
                    f"{'MT' if use_mt else 'no MT'} P {scores.precision:.3f} R {scores.recall:.3f}"
                )
            print(f"  {threshold:.1f}: " + "   ".join(row))
    return results


def _calibration(runs, gold) -> None:
    """ECE of link scores (right: every pair acceptable), ECE of the 1-0 scores (right: a
    'none' statement), and wrong 1-0 links above 0.7 (statements that do have a counterpart)."""
    from bench.ntrex_comparable import ece

    links = [link for r in runs for link in r.alignment.links]
    pairs = [link for link in links if link.tgt]
    right = [all((s, t) in gold.acceptable for s in k.src for t in k.tgt) for k in pairs]
    nones = [link for link in links if not link.tgt and link.src[0] in gold.sources]
    none_right = [k.src[0] in gold.none for k in nones]
    high = sum(1 for k, ok in zip(nones, none_right, strict=True) if k.score > 0.7 and not ok)
    print(
        f"    calibration: ECE links {ece([k.score for k in pairs], right):.3f}, ECE no-counterpart "
        f"{ece([k.score for k in nones], none_right):.3f}; 1-0 links {len(nones)} "
        f"({none_right.count(False)} wrong, {high} of them above 0.7)"
    )


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
            runs = align_corpus(
                corpus, refs, AlignSettings(encoder=ENCODER), corpus_dir, write=False
            )
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
    parser.add_argument("--encoder", default=ENCODER, help="sentence encoder (none: without)")
    parser.add_argument(
        "--dropout", action="store_true", help="also degrade the references (worse 'MT')"
    )
    args = parser.parse_args()
    measure(args.corpus, args.gold, args.verbose, args.encoder)
    if args.dropout:
        dropout_sweep(args.corpus, args.gold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
