"""Statement clusters on a multi-way simulation built from NTREX-128 (en, fr, th).

    .venv/bin/python bench/cluster_ntrex.py [--data DIR] [--split dev|test] [--seed 0]
        [--grid] [--set NAME=VALUE ...]

The data (``../shared/benchmarks/ntrex128-en-fr-th/`` by default) is read, never copied.
Per article (``DOCUMENT_IDS.tsv``) four documents ("editions"): English, French and Thai of
edition 1, each keeping a different random 70% of the article's sentences in their order,
and a second English edition (edition 2) keeping another random 70%, cut into paragraphs of
three sentences that are shuffled (the same sentences restated, reordered). Gold cluster =
the NTREX line: every kept copy of one line is one statement. Every article of a split is one
corpus (the other articles' sentences are the distractors). Articles in even positions are
the dev split (tuning), odd ones the test split (run once after choosing).

Metric: pair counting over every sentence (as ``bench/cluster_seed.py``), with the
breakdown by kind of pair. ``--grid`` re-cuts one evidence over a grid of
``edge_probability`` x ``link_probability`` (the evidence is built once).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster_seed import setting_value  # noqa: E402
from bench.ntrex_comparable import DATA, articles  # noqa: E402  (one reader of NTREX articles)
from workbench.align.anchors import sentence_anchors  # noqa: E402
from workbench.align.cluster.build import (  # noqa: E402
    ClusterConfig,
    DocView,
    cut_clusters,
    make_evidence,
)
from workbench.align.cluster.evaluate import pair_scores  # noqa: E402
from workbench.align.signals.semantic import open_encoder  # noqa: E402
from workbench.settings import Settings  # noqa: E402

KEEP = 0.7
PARAGRAPH = 3
EDITIONS = (("en", 2021), ("fr", 2021), ("th", 2021), ("en", 2022))


YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")


def restate(text: str, rng: random.Random) -> str:
    """A crude restatement for the second English edition (``--restate``): years moved on
    by one, every other number raised by about 10%, 25% of the other words dropped."""

    def number(match: re.Match) -> str:
        value = match.group(0)
        if YEAR.fullmatch(value):
            return str(int(value) + 1)
        if rng.random() < 0.5 or not value.isdigit():
            return value
        return str(max(int(value) + 1, round(int(value) * 1.1)))

    words = NUMBER.sub(number, text).split()
    kept = [w for w in words if any(c.isdigit() for c in w) or rng.random() >= 0.25]
    return " ".join(kept or words)


def simulate(
    data: Path, split: str, seed: int, restated: bool = False
) -> list[tuple[str, str, int, list[int], list[str]]]:
    """Documents: (id, language, edition, NTREX lines kept in document order, texts)."""
    groups, lines = articles(data)
    docs = []
    for a, group in enumerate(groups):
        if (split == "dev") == bool(a % 2):
            continue
        rng = random.Random(seed * 100_003 + a)
        for lang, edition in EDITIONS:
            kept = sorted(rng.sample(group, max(1, round(KEEP * len(group)))))
            if edition == 2022:
                paragraphs = [kept[i : i + PARAGRAPH] for i in range(0, len(kept), PARAGRAPH)]
                rng.shuffle(paragraphs)
                kept = [o for p in paragraphs for o in p]
            texts = [lines[lang][o] for o in kept]
            if restated and edition == 2022:
                texts = [restate(t, rng) for t in texts]
            docs.append((f"{lang}-{edition}-a{a}", lang, edition, kept, texts))
    return docs


def views(docs, encoder) -> tuple[list[DocView], dict[str, int]]:
    texts = [t for *_, doc_texts in docs for t in doc_texts]
    vectors = encoder.encode(texts)
    out, truth, start = [], {}, 0
    for doc, lang, edition, kept, doc_texts in docs:
        ids = [f"{doc}:{n}" for n in range(len(kept))]
        truth.update(zip(ids, kept, strict=True))
        out.append(
            DocView(
                doc,
                lang,
                edition,
                ids,
                vectors[start : start + len(kept)],
                [sentence_anchors(t, lang) for t in doc_texts],
                english=list(doc_texts) if lang == "en" else [],
                texts=list(doc_texts),
            )
        )
        start += len(kept)
    return out, truth


def kind(a: str, b: str) -> str:
    (la, ea, _), (lb, eb, _) = a.split("-", 2), b.split("-", 2)
    if a.rpartition(":")[0] == b.rpartition(":")[0]:
        return "one document"
    return f"{'one language' if la == lb else 'two languages'}, {'one edition' if ea == eb else 'two editions'}"


def report(built, truth: dict[str, int], label: str, breakdown: bool) -> float:
    predicted = [[s for m in c.members for s in m.ids] for c in built]
    gold: dict[int, list[str]] = {}
    for sid, line in truth.items():
        gold.setdefault(line, []).append(sid)
    scores = pair_scores(predicted, list(gold.values()))
    print(
        f"{label}: P {scores.precision:.3f} R {scores.recall:.3f} F1 {scores.f1:.3f} "
        f"(predicted {scores.predicted}, correct {scores.correct}, gold {scores.gold}; "
        f"{len(built)} clusters)"
    )
    if breakdown:
        counts = {"predicted": Counter(), "correct": Counter(), "gold": Counter()}
        for ids in predicted:
            for a, b in combinations(ids, 2):
                counts["predicted"][kind(a, b)] += 1
                counts["correct"][kind(a, b)] += truth[a] == truth[b]
        for ids in gold.values():
            for a, b in combinations(ids, 2):
                counts["gold"][kind(a, b)] += 1
        for name in sorted(counts["gold"] | counts["predicted"]):
            p, c, g = (counts[k][name] for k in ("predicted", "correct", "gold"))
            print(f"  {name}: predicted {p}, correct {c}, gold {g}")
    return scores.f1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grid", action="store_true")
    parser.add_argument(
        "--restate", action="store_true", help="second English edition restated (see restate)"
    )
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    if not (args.data / "DOCUMENT_IDS.tsv").is_file():
        print(f"error: {args.data}: no DOCUMENT_IDS.tsv (NTREX-128 en-fr-th folder)")
        return 2
    overrides = {k: setting_value(v) for k, v in (item.split("=", 1) for item in args.set)}
    settings = Settings()
    config = ClusterConfig.from_settings(settings.cluster, **overrides)
    encoder = open_encoder(settings.align.encoder, ROOT / ".workbench/embeddings.sqlite")
    docs = simulate(args.data, args.split, args.seed, args.restate)
    doc_views, truth = views(docs, encoder)
    print(
        f"{args.split}: {len(doc_views)} documents, {len(truth)} sentences, evidence {config.evidence}"
    )
    start = time.perf_counter()
    evidence = make_evidence(doc_views, config)
    built = cut_clusters(evidence)
    seconds = time.perf_counter() - start
    scored = getattr(evidence, "scored", "-")
    print(f"{len(evidence.margin)} document pairs compared, {scored} sentence pairs scored")
    report(built, truth, f"defaults ({seconds:.1f} s)", breakdown=True)
    if args.grid:
        if config.evidence == "calibrated":
            grid = [
                {"edge_probability": e, "link_probability": lk}
                for e in (0.3, 0.4, 0.5, 0.6, 0.7)
                for lk in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
            ]
        else:
            grid = [
                {"edge_threshold": e, "link_threshold": lk}
                for e in (1.15, 1.25, 1.35)
                for lk in (1.1, 1.2, 1.3, 1.4)
            ]
        for point in grid:
            evidence.config = ClusterConfig.from_settings(
                settings.cluster, **{**overrides, **point}
            )
            report(cut_clusters(evidence), truth, str(point), breakdown=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
