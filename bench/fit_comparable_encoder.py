"""Fit comparable mode's logistic weights with the sentence encoder (WEIGHTS_ENC_*), on dev data.

Every candidate pair the miner considers (top-k both ways, by candidate vectors and by the
encoder) is scored with its features; a pair is positive when the gold accepts it. Data, all
dev: the NTREX comparable simulation's dev split (th-en, fr-en; bench/ntrex_comparable.py) and
the seed gold (tests/data/seed_gold.tsv, our corpus: the hard "same event" case, weighted up
so that its ~250 candidates count). Without MT: the raw data. With MT: the seeds with the
reference English standing in for MT, and NTREX dev with a noisy stand-in for MT (the English
reference with 35% of its words dropped at random; no MT model runs on this machine).

An L2-regularised, weighted logistic regression (Newton steps; the shared-edition term is
the fixed prior ``align.edition_prior``, an offset)
gives the weights, printed as dictionaries to paste into workbench/align/comparable.py.
Seed figures measured with these weights are in-sample for the seeds.

    .venv/bin/python bench/fit_comparable_encoder.py [--seed-weight 10] [--l2 1.0]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ntrex_comparable import items, load_encoder, simulate  # noqa: E402
from bench.seed_alignment import reference_translations  # noqa: E402
from workbench.align.comparable import Item, MiningConfig, prepare  # noqa: E402
from workbench.align.corpus_align import _items  # noqa: E402
from workbench.align.pair_gold import load_pair_gold  # noqa: E402
from workbench.corpus.ingest import ingest  # noqa: E402

SHARED = [
    "enc_cos",
    "enc_margin",
    "enc_support",
    "lead",
    "margin",
    "length",
    "numbers",
    "dates",
    "names",
    "number_conflict",
    "year_conflict",
]
FEATURES = {True: ["chrf", "enc_mt_cos", *SHARED], False: ["surface", *SHARED]}
DROP = 0.35


def candidates(src: list[Item], tgt: list[Item], encoder, config: MiningConfig):
    """Proposals for every candidate 1-1 pair, anchors included."""
    cand, scorer = prepare(src, tgt, config, encoder=encoder)
    return scorer.score_groups([((int(i),), (int(j),)) for i, j in cand])


def noisy(text: str, rng: random.Random) -> str:
    kept = " ".join(w for w in text.split() if rng.random() > DROP)
    return kept or text


def ntrex_rows(encoder, with_mt: bool, config: MiningConfig):
    sim = simulate(0, "dev")
    lines = _english_lines() if with_mt else []
    rng = random.Random(1)
    out = []
    for lang in ("th", "fr"):
        gold = sim.gold(lang)
        src = items(sim.src[lang], lang)
        if with_mt:  # the stand-in MT: the English reference of the sentence, words dropped
            first = {s.id: s.originals[0] for s in sim.src[lang]}
            src = [
                Item(i.id, i.doc, i.index, i.text, i.lang, noisy(lines[first[i.id]], rng))
                for i in src
            ]
        for p in candidates(src, items(sim.en, "en"), encoder, config):
            out.append((p, (p.src[0], p.tgt[0]) in gold, "ntrex"))
    return out


def _english_lines() -> list[str]:
    from bench.ntrex_comparable import DATA, FILES

    return (DATA / FILES["en"]).read_text(encoding="utf-8").splitlines()


def seed_rows(encoder, with_mt: bool, config: MiningConfig):
    corpus = ingest(ROOT / "corpus")
    gold = load_pair_gold(ROOT / "tests/data/seed_gold.tsv")
    refs = reference_translations(corpus) if with_mt else None
    tgt = _items(corpus.by_language("en"), None)
    out = []
    for lang in ("th", "fr"):
        src = _items(corpus.by_language(lang), refs)
        for p in candidates(src, tgt, encoder, config):
            out.append((p, (p.src[0], p.tgt[0]) in gold.acceptable, "seeds"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-weight", type=float, default=10.0)
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args()
    encoder = load_encoder("use-multilingual-v3")
    config = MiningConfig()
    for with_mt in (False, True):
        rows = ntrex_rows(encoder, with_mt, config) + seed_rows(encoder, with_mt, config)
        rows = [r for r in rows if "enc_cos" in r[0].features]
        names = FEATURES[with_mt]
        x = np.array([[p.features.get(f, 0.0) for f in names] for p, _, _ in rows])
        y = np.array([1.0 if ok else 0.0 for _, ok, _ in rows])
        weight = np.array([args.seed_weight if where == "seeds" else 1.0 for *_, where in rows])
        # the edition term stays the configured prior (align.edition_prior): an offset here
        offset = config.edition_prior * np.array([p.features["same_edition"] for p, _, _ in rows])
        w = _signed_fit(x, y, weight, args.l2, offset, names)
        named = {"bias": round(float(w[0]), 3)} | {
            f: round(float(v), 3) for f, v in zip(names, w[1:], strict=True)
        }
        label = "WEIGHTS_ENC_MT" if with_mt else "WEIGHTS_ENC_NO_MT"
        print(f"{label}: {int(y.sum())} positives / {len(y)} candidates")
        print(f"  {named}")
    return 0


NEGATIVE = {"number_conflict", "year_conflict"}  # evidence against a pair, never for it


def _signed_fit(x, y, weight, l2, offset, names: list[str]) -> np.ndarray:
    """The weighted fit with sign constraints: agreement features (similarities, margins,
    anchors agreeing, length, lead) never count against a pair, conflicts never for it. A
    feature whose weight comes out with the wrong sign is fixed at 0 and the rest refit."""
    active = list(range(len(names)))
    while True:
        w_active = _weighted_fit(x[:, active], y, weight, l2, offset)
        wrong = [
            n
            for n, f in zip(active, w_active[1:], strict=True)
            if (names[n] in NEGATIVE) != (f < 0) and f != 0
        ]
        if not wrong:
            break
        worst = max(wrong, key=lambda n: abs(w_active[1 + active.index(n)]))
        active.remove(worst)
    w = np.zeros(len(names) + 1)
    w[0] = w_active[0]
    for n, f in zip(active, w_active[1:], strict=True):
        w[1 + n] = f
    return w


def _weighted_fit(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float, offset: np.ndarray
) -> np.ndarray:
    """Weighted L2 logistic (Newton) with a fixed offset: a candidate of weight w counts as w."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(xb @ w + offset)))
        grad = xb.T @ (weight * (p - y)) + reg @ w
        hess = xb.T @ (xb * (weight * p * (1 - p))[:, None]) + reg
        w -= np.linalg.solve(hess, grad)
    return w


if __name__ == "__main__":
    sys.exit(main())
