"""Comparable mining at scale with the encoder signal: 20,000 x 20,000, embeddings given.

The pool of ``bench/comparable_scale.py`` (MAC, Bible, Text+Berg, news; shuffled), mined with
an encoder whose vectors are already computed (random unit vectors keyed by the text, standing
for a warm embedding cache: this measures the mining, not the model; reading 40,000 cached
vectors from the SQLite cache is timed separately with ``--cache-read``). Reports seconds,
the steps and the peak RSS (target: <= 30 s, <= 4 GB).

    .venv/bin/python bench/comparable_encoder_scale.py [../shared/benchmarks] [--n 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.comparable_scale import news, peak_rss_mb, pooled  # noqa: E402
from workbench.align.comparable import Item, MiningConfig, mine  # noqa: E402


class GivenVectors:
    """An encoder whose vectors are known: a unit vector per text (seeded by its hash)."""

    id, dim = "given-vectors", 512

    def supports(self, language: str) -> bool:
        return True

    def encode(self, texts):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for n, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[n] = v / np.linalg.norm(v)
        return out

    def provenance(self):
        return {"id": self.id}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    src, tgt, _ = pooled(args.data)
    for (code, _site), (src_docs, en_docs, _gold) in news(args.data).items():
        src += [(sid, code, text, None) for doc in src_docs.values() for sid, text in doc]
        tgt += [(sid, "en", text) for doc in en_docs.values() for sid, text in doc]
    rng = random.Random(args.seed)
    rng.shuffle(src)
    rng.shuffle(tgt)
    src_items = [
        Item(s, "pool", k, text, "fr", mt, 0) for k, (s, _, text, mt) in enumerate(src[: args.n])
    ]
    tgt_items = [
        Item(s, "pool", k, text, "en", None, 0) for k, (s, _, text) in enumerate(tgt[: args.n])
    ]
    encoder = GivenVectors()
    # the "cache": every sentence and every MT already embedded
    texts = [i.text for i in (*src_items, *tgt_items)] + [i.mt for i in src_items if i.mt]
    table = dict(zip(texts, encoder.encode(texts), strict=True))

    class Warm(GivenVectors):
        def encode(self, texts):
            return np.stack([table[t] if t in table else encoder.encode([t])[0] for t in texts])

    start, cpu = time.perf_counter(), time.process_time()
    result = mine(src_items, tgt_items, MiningConfig(merge=False), encoder=Warm())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    steps = {k[8:]: v for k, v in result.stats.items() if k.startswith("seconds_")}
    print(
        f"mine {len(src_items):,} x {len(tgt_items):,} with the encoder signal (vectors given): "
        f"{seconds:.1f} s ({cpu:.1f} s CPU), peak RSS {peak_rss_mb():,.0f} MB, "
        f"{int(result.stats['candidates']):,} candidates, {len(result.links):,} links"
    )
    print("  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
