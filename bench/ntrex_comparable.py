"""Comparable-news simulation from NTREX-128 (en, fr, th), and comparable mode's F1 on it.

Built from ``../shared/benchmarks/ntrex128-en-fr-th/`` (read, never copied): the 123 articles
are rebuilt from ``DOCUMENT_IDS.tsv``; per article and language a different random ~70% of
the sentences is kept; the kept English sentences are cut into paragraphs of 3 and the
paragraphs shuffled; ~10% of the English sentences are glued to the next one of their
paragraph (one segment). Gold: every sentence kept on both sides.

Scoring is by text overlap: every segment handed to the aligner is a span of its article's
text, mapped to the original sentences it covers (> half of their characters); a link then
stands for (source segment, English segment) pairs, and a pair is right when the two segments
share an original sentence. Precision = right pairs / predicted pairs, recall = gold pairs
found / gold pairs, so a 1-1 link to a glued English segment is right, and a missed 2-1 merge
costs recall only. Any segmenter could be plugged in the same way.

Dev/test: articles in even positions are the dev split (tuning, fitting), odd ones the test
split; each split is mined as one pool (every source article against every English article,
so other articles' sentences are the distractors). Without MT (no MT model on this machine).

    .venv/bin/python bench/ntrex_comparable.py [--split dev|test|all] [--langs th,fr]
        [--encoder NAME|none] [--seed 0] [-v]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.align.comparable import Item, MiningResult  # noqa: E402

DATA = ROOT.parent / "shared/benchmarks/ntrex128-en-fr-th"
FILES = {
    "en": "newstest2019-src.eng.txt",
    "fr": "newstest2019-ref.fra.txt",
    "th": "newstest2019-ref.tha.txt",
}
KEEP = 0.7
GLUE = 0.1
PARAGRAPH = 3


@dataclass
class Segment:
    id: str
    doc: str
    index: int
    text: str
    originals: list[int]  # original line numbers covered (> half their characters)


@dataclass
class Simulation:
    src: dict[str, list[Segment]] = field(default_factory=dict)  # language -> segments
    en: list[Segment] = field(default_factory=list)

    def gold(self, lang: str) -> set[tuple[str, str]]:
        where = {}
        for seg in self.en:
            for o in seg.originals:
                where[o] = seg.id
        return {(s.id, where[o]) for s in self.src[lang] for o in s.originals if o in where}


def articles(data: Path = DATA) -> tuple[list[list[int]], dict[str, list[str]]]:
    lines = {
        lang: (data / name).read_text(encoding="utf-8").splitlines() for lang, name in FILES.items()
    }
    ids = (data / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    groups: list[list[int]] = []
    for n, doc in enumerate(ids):
        if n and doc == ids[n - 1]:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups, lines


def _spans(
    parts: list[tuple[list[int], list[str]]],
) -> tuple[str, list[tuple[int, int, list[int]]]]:
    """Article text from segments (each: original line numbers, their texts) and the spans."""
    text, spans = "", []
    for originals, texts in parts:
        start = len(text) + (1 if text else 0)
        text = (text + " " if text else "") + " ".join(texts)
        spans.append((start, len(text), originals))
    return text, spans


def _segments(doc: str, text: str, spans, boundaries) -> list[Segment]:
    """Segments at ``spans`` mapped back to original sentences by character overlap."""
    out = []
    for n, (start, end, _) in enumerate(spans):
        covered = [
            o
            for o, (b_start, b_end) in boundaries.items()
            if min(end, b_end) - max(start, b_start) > (b_end - b_start) / 2
        ]
        out.append(Segment(f"{doc}:{n}", doc, n, text[start:end], sorted(covered)))
    return out


def _boundaries(spans) -> dict[int, tuple[int, int]]:
    """Where each original sentence lies in the article text (glued ones split by length)."""
    out = {}
    for start, end, originals in spans:
        if len(originals) == 1:
            out[originals[0]] = (start, end)
        else:
            out.update(_split_glued(start, end, originals))
    return out


_LENGTHS: dict[int, int] = {}


def _split_glued(start: int, end: int, originals: list[int]) -> dict[int, tuple[int, int]]:
    out, pos = {}, start
    for o in originals:
        out[o] = (pos, pos + _LENGTHS[o])
        pos += _LENGTHS[o] + 1
    return out


def simulate(seed: int = 0, split: str = "all", data: Path = DATA) -> Simulation:
    groups, lines = articles(data)
    for n, text in enumerate(lines["en"]):
        _LENGTHS[n] = len(text)
    sim = Simulation(src={"fr": [], "th": []})
    for a, group in enumerate(groups):
        if split == "dev" and a % 2 or split == "test" and not a % 2:
            continue
        rng = random.Random(seed * 100_003 + a)
        for lang in ("fr", "th"):
            kept = sorted(rng.sample(group, max(1, round(KEEP * len(group)))))
            parts = [([o], [lines[lang][o]]) for o in kept]
            text, spans = _spans(parts)
            bounds = {o: (s, e) for s, e, (o,) in spans}
            sim.src[lang] += _segments(f"{lang}-{a}", text, spans, bounds)
        kept = sorted(rng.sample(group, max(1, round(KEEP * len(group)))))
        paragraphs = [kept[i : i + PARAGRAPH] for i in range(0, len(kept), PARAGRAPH)]
        rng.shuffle(paragraphs)
        parts = []
        for para in paragraphs:
            i = 0
            while i < len(para):
                if i + 1 < len(para) and rng.random() < GLUE:
                    parts.append((para[i : i + 2], [lines["en"][o] for o in para[i : i + 2]]))
                    i += 2
                else:
                    parts.append(([para[i]], [lines["en"][para[i]]]))
                    i += 1
        text, spans = _spans(parts)
        sim.en += _segments(f"en-{a}", text, spans, _boundaries(spans))
    return sim


def items(segments: list[Segment], lang: str, edition: int | None = None) -> list[Item]:
    return [Item(s.id, s.doc, s.index, s.text, lang, edition=edition) for s in segments]


def score(result: MiningResult, gold: set[tuple[str, str]]) -> dict[str, float]:
    predicted = {(s, t) for p in result.links for s in p.src for t in p.tgt}
    right = len(predicted & gold)
    precision = right / len(predicted) if predicted else 0.0
    recall = right / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"P": precision, "R": recall, "F1": f1, "pairs": len(predicted), "gold": len(gold)}


def ece(scores: list[float], right: list[bool], bins: int = 10) -> float:
    """Expected calibration error: bin-size-weighted |accuracy - mean score| over 10 bins."""
    if not scores:
        return 0.0
    total, out = len(scores), 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [n for n, x in enumerate(scores) if lo <= x < hi or (b == bins - 1 and x == 1.0)]
        if inside:
            accuracy = sum(right[n] for n in inside) / len(inside)
            confidence = sum(scores[n] for n in inside) / len(inside)
            out += len(inside) / total * abs(accuracy - confidence)
    return out


def calibration(result: MiningResult, gold: set[tuple[str, str]]) -> dict[str, float]:
    """ECE of link scores (a link is right when all its pairs are gold), ECE of the
    "no counterpart" (1-0) scores, and wrong 1-0 links scoring above 0.7."""
    link_scores = [p.score for p in result.links]
    link_right = [all((s, t) in gold for s in p.src for t in p.tgt) for p in result.links]
    paired = {s for s, _ in gold}
    none_scores = [p.features.get("no_counterpart", 0.0) for p in result.unmatched]
    none_right = [p.src[0] not in paired for p in result.unmatched]
    wrong_high = sum(1 for x, ok in zip(none_scores, none_right, strict=True) if x > 0.7 and not ok)
    return {
        "ece_links": ece(link_scores, link_right),
        "ece_none": ece(none_scores, none_right),
        "none": len(none_scores),
        "none_wrong": sum(1 for ok in none_right if not ok),
        "none_wrong_above_0.7": wrong_high,
    }


def run(sim: Simulation, lang: str, encoder, config=None, edition: int | None = None):
    from workbench.align.comparable import MiningConfig, mine

    config = config or MiningConfig()
    src, en = items(sim.src[lang], lang, edition), items(sim.en, "en", edition)
    result = mine(src, en, config, encoder=encoder)
    return result, score(result, sim.gold(lang))


def mining_config(items: list[str]):
    """MiningConfig with ``NAME=VALUE`` overrides (numbers as numbers)."""
    from workbench.align.comparable import MiningConfig

    values = {}
    for item in items:
        name, _, text = item.partition("=")
        values[name] = float(text) if "." in text else int(text)
    return MiningConfig(**values)


def load_encoder(name: str):
    from workbench.align.signals.embed_cache import CachedEncoder
    from workbench.align.signals.encoder import get_encoder
    from workbench.settings import AlignSettings

    encoder = get_encoder(name)
    if encoder is None:
        return None
    return CachedEncoder(encoder, ROOT / AlignSettings().embedding_cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--langs", default="th,fr")
    parser.add_argument("--encoder", default="use-multilingual-v3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--edition",
        type=int,
        default=None,
        help="every document of this one edition: the order veto applies (harsh here: the "
        "English paragraphs are shuffled)",
    )
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    encoder = load_encoder(args.encoder)
    sim = simulate(args.seed, args.split)
    for lang in args.langs.split(","):
        start = time.perf_counter()
        result, figures = run(sim, lang, encoder, mining_config(args.set), args.edition)
        seconds = time.perf_counter() - start
        print(
            f"ntrex-sim {args.split} {lang}-en encoder={args.encoder} no MT: "
            f"P {figures['P']:.3f} R {figures['R']:.3f} F1 {figures['F1']:.3f} "
            f"({figures['pairs']} pairs, {figures['gold']} gold, {len(sim.src[lang])} x "
            f"{len(sim.en)} segments, {seconds:.1f} s)"
        )
        cal = calibration(result, sim.gold(lang))
        print(
            f"  calibration: ECE links {cal['ece_links']:.3f}, ECE no-counterpart "
            f"{cal['ece_none']:.3f}; 1-0 links {cal['none']} ({cal['none_wrong']} wrong, "
            f"{cal['none_wrong_above_0.7']} of them above 0.7)"
        )
        if args.verbose:
            gold = sim.gold(lang)
            text = {s.id: s.text for s in [*sim.src[lang], *sim.en]}
            for p in result.links:
                for s in p.src:
                    for t in p.tgt:
                        if (s, t) not in gold:
                            print(f"  wrong {p.score:.2f} {text[s][:60]} -> {text[t][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
