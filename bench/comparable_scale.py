"""Comparable mining at scale: 20,000 x 20,000 sentences, time and peak memory (target < 60 s, < 4 GB).

The input is synthesised from the benchmark texts in ``../shared/benchmarks`` (data folder as
argument), pooled and shuffled so that no order can help:

- source side, with MT: MAC zh (dev + test) with the shipped Google zh->en MT, Bible en with
  its en->zh MT, Text+Berg de (dev + test) with the shipped Google de->fr MT;
- source side, without MT (anchors and surface overlap only): Sinhala and Tamil news sentences;
- target side: the MAC English, the Bible Chinese, the Text+Berg French, and English news.

Every gold 1-1 bead of MAC, Bible and Text+Berg whose two sentences are in the pool is a known
pair; the script reports how many of them the miner recovers (recall of known pairs) and the
share of its links that are known pairs (a lower bound on precision: many links pair
sentences of 1-2 gold beads, which count as unknown here).

With ``--bucc`` it also runs the BUCC-style check on the Sinhala/Tamil-English comparable news
(no MT exists for them: anchors and Latin-script overlap only; the news document pairing is the
prior, as the edition is for the corpus).

    /usr/bin/time -v .venv/bin/python bench/comparable_scale.py [../shared/benchmarks] [--n 20000] [--bucc]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.align.comparable import Item, MiningConfig, mine  # noqa: E402


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def gold_pairs(path: Path) -> list[tuple[int, int]]:
    from workbench.align.beads import read_beads

    return [(s[0], t[0]) for s, t in read_beads(path) if len(s) == 1 and len(t) == 1]


def pooled(data: Path):
    """(source records, target records, known pairs) from the parallel benchmark sets."""
    src: list[tuple[str, str, str, str | None]] = []  # id, lang, text, mt
    tgt: list[tuple[str, str, str]] = []  # id, lang, text
    known: set[tuple[str, str]] = set()
    mac = data / "mac-zh-en"
    for split in ("dev", "test"):
        for path in sorted((mac / split / "zh").iterdir()):
            name = f"mac-{split}-{path.name}"
            zh, mt, en = (
                lines(path),
                lines(mac / split / "mt-zh2en" / path.name),
                lines(mac / split / "en" / path.name),
            )
            src += [
                (f"{name}:{i}", "zh", t, m) for i, (t, m) in enumerate(zip(zh, mt, strict=True))
            ]
            tgt += [(f"{name}:{j}", "en", t) for j, t in enumerate(en)]
            known |= {
                (f"{name}:{i}", f"{name}:{j}")
                for i, j in gold_pairs(mac / split / "gold" / f"{path.name}.align")
            }
    bible = data / "bible-en-zh"
    en, mt, zh = lines(bible / "en/001"), lines(bible / "mt-en2zh/001"), lines(bible / "zh/001")
    src += [(f"bible:{i}", "en", t, m) for i, (t, m) in enumerate(zip(en, mt, strict=True))]
    tgt += [(f"bible:{j}", "zh", t) for j, t in enumerate(zh)]
    known |= {(f"bible:{i}", f"bible:{j}") for i, j in gold_pairs(bible / "gold/001.align")}
    tb = data / "textberg-de-fr"
    for name in ["dev", *(f"test{i}" for i in range(7))]:
        de, fr = lines(tb / "docs" / f"{name}.de"), lines(tb / "docs" / f"{name}.fr")
        mt = lines(tb / "mt-per-doc" / f"{name}.google.fr")
        src += [(f"tb-{name}:{i}", "de", t, m) for i, (t, m) in enumerate(zip(de, mt, strict=True))]
        tgt += [(f"tb-{name}:{j}", "fr", t) for j, t in enumerate(fr)]
        known |= {
            (f"tb-{name}:{i}", f"tb-{name}:{j}")
            for i, j in gold_pairs(tb / "gold" / f"{name}.defr")
        }
    return src, tgt, known


def _read_docs(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """``<id>\t<sentence>`` files of one language folder, by document id."""
    docs = {}
    for path in sorted(folder.iterdir()):
        rows = [line.split("\t", 1) for line in lines(path) if "\t" in line]
        docs[path.name] = [(sid, text) for sid, text in rows]
    return docs


def news(data: Path):
    """Sentences of the Sinhala/Tamil-English news: {(pair, site): (source docs, English docs, gold)}."""
    root = data / "sinhala-tamil-english-comparable-news"
    out = {}
    for pair, lang, code in (
        ("Sinhala-English", "Sinhala", "si"),
        ("Tamil-English", "Tamil", "ta"),
    ):
        for site in ("Newsfirst", "ITN"):
            folder = root / pair / site
            gold = {
                tuple(line.split("\t")[:2])
                for line in lines(folder / f"{site}.{code}-en")
                if "\t" in line
            }
            out[(code, site)] = (_read_docs(folder / lang), _read_docs(folder / "English"), gold)
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale(data: Path, n: int, seed: int) -> None:
    start = time.perf_counter()
    src, tgt, known = pooled(data)
    filler = news(data)
    for (code, _site), (src_docs, en_docs, _gold) in filler.items():
        src += [(sid, code, text, None) for doc in src_docs.values() for sid, text in doc]
        tgt += [(sid, "en", text) for doc in en_docs.values() for sid, text in doc]
    rng = random.Random(seed)
    rng.shuffle(src)
    rng.shuffle(tgt)
    src, tgt = src[:n], tgt[:n]
    # no document structure in the pool: one "edition" for all (the prior is neutral)
    src_items = [
        Item(sid, "pool", k, text, lang, mt, 0) for k, (sid, lang, text, mt) in enumerate(src)
    ]
    tgt_items = [
        Item(sid, "pool", k, text, lang, None, 0) for k, (sid, lang, text) in enumerate(tgt)
    ]
    loaded = time.perf_counter() - start
    print(
        f"pool: {len(src_items):,} source sentences ({sum(i.mt is not None for i in src_items):,} with MT) x {len(tgt_items):,} target sentences; loaded in {loaded:.1f} s"
    )
    # no merges: the pool is shuffled, neighbours in it are not neighbours in any text
    config = MiningConfig(merge=False)
    t0 = time.perf_counter()
    result = mine(src_items, tgt_items, config)
    seconds = time.perf_counter() - t0
    pairs = {(s, t) for p in result.links for s in p.src for t in p.tgt}
    src_ids, tgt_ids = {i.id for i in src_items}, {i.id for i in tgt_items}
    reachable = {(s, t) for s, t in known if s in src_ids and t in tgt_ids}
    found = len(pairs & reachable)
    print(
        f"mine: {seconds:.1f} s, peak RSS {peak_rss_mb():,.0f} MB, {int(result.stats['candidates']):,} candidates, "
        f"{len(result.links):,} links, {len(result.unmatched):,} source sentences unmatched"
    )
    steps = {k[8:]: v for k, v in result.stats.items() if k.startswith("seconds_")}
    print("  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    for name in ("mac", "bible", "tb"):
        part = {pair for pair in reachable if pair[0].split("-")[0].split(":")[0] == name}
        linked = {pair for pair in pairs if pair[0].split("-")[0].split(":")[0] == name}
        print(
            f"  {name:5s}: known pairs {len(part):5,}, recovered {len(pairs & part):5,} "
            f"(recall {len(pairs & part) / max(len(part), 1):.3f}); its links that are known pairs "
            f"{len(linked & part):,}/{len(linked):,}"
        )
    print(
        f"known 1-1 gold pairs in the pool: {len(reachable):,}; recovered {found:,} "
        f"(recall {found / max(len(reachable), 1):.3f}); links that are known pairs: "
        f"{len(pairs & reachable):,}/{len(pairs):,} ({len(pairs & reachable) / max(len(pairs), 1):.3f}, a lower bound on precision)"
    )


def bucc(data: Path) -> None:
    print(
        "\nSinhala/Tamil-English comparable news, BUCC-style (no MT: anchors + Latin-script overlap; document pairing as the prior)"
    )
    total_pred = total_correct = total_gold = 0
    for (code, site), (src_docs, en_docs, gold) in news(data).items():
        docs = sorted(set(src_docs) & set(en_docs))
        number = {doc: k for k, doc in enumerate(docs)}
        src_items = [
            Item(sid, doc, k, text, code, None, number[doc])
            for doc in docs
            for k, (sid, text) in enumerate(src_docs[doc])
        ]
        tgt_items = [
            Item(sid, doc, k, text, "en", None, number[doc])
            for doc in docs
            for k, (sid, text) in enumerate(en_docs[doc])
        ]
        t0 = time.perf_counter()
        result = mine(src_items, tgt_items, MiningConfig())
        seconds = time.perf_counter() - t0
        pred = {(s, t) for p in result.links for s in p.src for t in p.tgt}
        correct = len(pred & gold)
        total_pred, total_correct, total_gold = (
            total_pred + len(pred),
            total_correct + correct,
            total_gold + len(gold),
        )
        p = correct / len(pred) if pred else 0.0
        r = correct / len(gold) if gold else 0.0
        print(
            f"  {code}-en {site:9s} {len(src_items):5d} x {len(tgt_items):5d}: P {p:.3f} R {r:.3f} ({correct}/{len(pred)} predicted, {len(gold)} gold) {seconds:.1f} s"
        )
    p = total_correct / max(total_pred, 1)
    r = total_correct / max(total_gold, 1)
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(
        f"  micro-average: P {p:.3f} R {r:.3f} F1 {f:.3f} (1-2 links expanded into their 1-1 pairs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Comparable mining at scale (20k x 20k) and the BUCC-style news check."
    )
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    parser.add_argument("--n", type=int, default=20_000, help="sentences per side")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--bucc", action="store_true", help="also run the Sinhala/Tamil-English news check"
    )
    parser.add_argument("--bucc-only", action="store_true")
    args = parser.parse_args()
    if not args.bucc_only:
        scale(args.data, args.n, args.seed)
    if args.bucc or args.bucc_only:
        bucc(args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
