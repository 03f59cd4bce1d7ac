"""Clustering speed: D documents x N sentences from cached embeddings (no encoder run).

    .venv/bin/python bench/cluster_scale.py [--docs 20] [--sentences 200] [--neighbours 40]
        [--set NAME=VALUE ...]

Synthetic corpus: a pool of statement vectors (512-d, like USE); each document states
``N`` of them (drawn with overlap between documents) with noise, in one of three languages
and editions; each statement gets the text of a seed-corpus sentence (real lengths, numbers,
dates and names, so the anchor bonuses cost what they cost on real text). Times the whole clustering (anchors of every sentence, every document
pair's cosine/margin matrices, edges, agglomeration) and reports pair-counting P/R against
the planted statements (a sanity check of the synthetic data, not a quality figure).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster_seed import setting_value  # noqa: E402
from workbench.align.anchors import sentence_anchors  # noqa: E402
from workbench.align.cluster.build import (  # noqa: E402
    ClusterConfig,
    DocView,
    cut_clusters,
    make_evidence,
)
from workbench.align.cluster.evaluate import pair_scores  # noqa: E402

DIM = 512
LANGS = ("en", "fr", "th")


def seed_texts() -> list[tuple[str, str]]:
    from workbench.corpus.ingest import ingest

    corpus = ingest(ROOT / "corpus")
    return [(s.text, d.language) for d in corpus.documents for s in d.sentences]


def synthetic(docs: int, sentences: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    pool_texts = seed_texts()
    pool = rng.normal(size=(sentences * 3, DIM)).astype(np.float32)
    truth: dict[str, int] = {}
    texts_views = []
    for d in range(docs):
        chosen = rng.choice(len(pool), size=sentences, replace=False)
        vectors = pool[chosen] + 0.8 * rng.normal(size=(sentences, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        lang = LANGS[d % 3]
        doc = f"{lang}-{2021 + d % 3}-doc{d:02d}"
        ids = [f"{doc}:{i}" for i in range(sentences)]
        texts = [pool_texts[int(s) % len(pool_texts)] for s in chosen]
        truth.update({sid: int(s) for sid, s in zip(ids, chosen, strict=True)})
        texts_views.append((doc, lang, 2021 + d % 3, ids, vectors, texts))
    return texts_views, truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--neighbours", type=int, default=None, help="max_doc_neighbours")
    parser.add_argument(
        "--min-cosine", type=float, default=None, help="min_cosine (0: score every candidate)"
    )
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    data, truth = synthetic(args.docs, args.sentences)
    overrides = {} if args.neighbours is None else {"max_doc_neighbours": args.neighbours}
    if args.min_cosine is not None:
        overrides["min_cosine"] = args.min_cosine
    overrides.update({k: setting_value(v) for k, v in (i.split("=", 1) for i in args.set)})
    config = ClusterConfig.from_settings(**overrides)
    start = time.perf_counter()
    views = [
        DocView(
            doc,
            lang,
            edition,
            ids,
            vectors,
            [sentence_anchors(t, tl) for t, tl in texts],
            texts=[t for t, _ in texts],
        )
        for doc, lang, edition, ids, vectors, texts in data
    ]
    anchors_s = time.perf_counter() - start
    evidence = make_evidence(views, config)
    cut_start = time.perf_counter()
    built = cut_clusters(evidence)
    total = time.perf_counter() - start
    cut_s = time.perf_counter() - cut_start
    groups: dict[int, list[str]] = {}
    for sid, s in truth.items():
        groups.setdefault(s, []).append(sid)
    scores = pair_scores(
        [[s for m in c.members for s in m.ids] for c in built], list(groups.values())
    )
    print(
        f"{args.docs} documents x {args.sentences} sentences "
        f"(max_doc_neighbours {config.max_doc_neighbours}): {total:.2f} s "
        f"(anchors {anchors_s:.2f} s, cut incl. second pass {cut_s:.2f} s), {len(built)} clusters, "
        f"{len(evidence.margin)} document pairs, {getattr(evidence, 'scored', '-')} pairs scored; "
        f"planted statements P {scores.precision:.3f} R {scores.recall:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
