"""Review UI speed on a long file: open time and keypress-to-screen time, against the targets.

Builds a synthetic corpus (in memory) and a 100,000-link alignment file, then drives the real
app with Textual's Pilot (headless, 120x40):

* open: ``make_app`` (lock, load, checksum, sentence-id check, journal) + mount + first
  screen rendered; the corpus is passed in already built (ingest is not part of review);
* keypress: ``pilot.press(key)`` + ``pilot.pause()`` (the key handled, the screen refreshed),
  over several keys: moves, approve (journal fsync included), next pending, undo, reject,
  merge, split, page down, go-to-end.

Usage: ``.venv/bin/python bench/review_speed.py [--links 100000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbench.corpus.model import Corpus, Document, Sentence
from workbench.settings import AlignSettings, ReviewSettings
from workbench.store import Alignment, Link, Status, save_alignment

OPEN_TARGET_S = 2.0
KEY_TARGET_MS = 50.0
WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
]


def synthetic_corpus(n: int, per_doc: int = 1000) -> Corpus:
    docs = []
    for lang in ("fr", "en"):
        for d in range(0, n, per_doc):
            doc_id = f"{lang}-{d // per_doc:04d}"
            sentences = []
            for k in range(min(per_doc, n - d)):
                words = [WORDS[(d + k * 7 + j) % len(WORDS)] for j in range(12 + k % 9)]
                text = f"{lang} {d + k}: " + " ".join(words) + "."
                sentences.append(Sentence(f"{doc_id}:{k}", doc_id, k, 0, 0, len(text), text))
            docs.append(Document(doc_id, Path(f"{doc_id}.txt"), lang, "", sentences=sentences))
    return Corpus(Path("."), docs)


def synthetic_alignment(corpus: Corpus, n: int) -> Alignment:
    src = [s.id for d in corpus.by_language("fr") for s in d.sentences]
    tgt = [s.id for d in corpus.by_language("en") for s in d.sentences]
    links = [
        Link(
            f"L{i + 1:06d}",
            [src[i]],
            [tgt[i]],
            Status.AUTO,
            round((i * 37 % 100) / 100, 2),
            {"chrf": 0.5},
            created="2026-01-01T00:00:00+00:00",
        )
        for i in range(n)
    ]
    return Alignment("fr", "en", [], [], {"bench": True}, {}, links)


PAINTS: list[float] = []


def record_paints() -> None:
    """Time-stamp every screen update (compositor refresh or layout refresh)."""
    from textual.screen import Screen

    for name in ("_compositor_refresh", "_refresh_layout"):
        original = getattr(Screen, name)

        def patched(self, *args, _original=original, **kwargs):
            result = _original(self, *args, **kwargs)
            PAINTS.append(time.perf_counter())
            return result

        setattr(Screen, name, patched)


async def measure(
    path: Path, corpus: Corpus, repeat: int, rescore: bool = True, encoder: str = "none"
):
    """Open time, and per key: (key-to-last-paint ms, Pilot round-trip ms)."""
    from workbench.review.app import LOAD_ALIGNER_AFTER_S, make_app

    record_paints()
    start = time.perf_counter()
    settings = ReviewSettings(rescore=rescore)
    align = AlignSettings(encoder=encoder, embedding_cache=path.parent / "embeddings.sqlite")
    app = make_app(
        path, corpus=corpus, reviewer="bench", mt={}, settings=settings, align_settings=align
    )
    timings: dict[str, list[tuple[float, float]]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = PAINTS[-1] - start  # the first screen is on the (headless) terminal
        if rescore:  # the background load of the aligner and its context, as a reviewer waits
            await asyncio.sleep(LOAD_ALIGNER_AFTER_S + 0.2)
            await app.workers.wait_for_complete()
            await pilot.pause()
        keys = ["j", "k", "down", "a", "n", "u", "x", "u", "m", "u", "pagedown", "end", "home"]
        for _ in range(repeat):
            for key in keys:
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                end = time.perf_counter()
                painted = [p for p in PAINTS if t < p <= end]
                paint_ms = ((painted[-1] if painted else end) - t) * 1000
                timings.setdefault(key, []).append((paint_ms, (end - t) * 1000))
        if rescore:  # the first edit in documents the context does not cover yet
            t = time.perf_counter()
            app.session.rescorer.context(app.data.alignment, app.data.alignment.links[-1])
            timings["(cold context: first edit in another document)"] = [
                ((time.perf_counter() - t) * 1000, 0.0)
            ]
            # the operation alone (no screen): merge with rescoring, then undo, 20 times
            index = app.current_index()
            ops_ms = []
            for _ in range(20):
                t = time.perf_counter()
                app.session.merge_next(index)
                ops_ms.append(((time.perf_counter() - t) * 1000, 0.0))
                app.session.undo()
            timings["(merge operation with rescoring, no screen)"] = ops_ms
            # a corrected text: the context of its documents is patched for that sentence
            index = app.current_index()
            sid = app.data.alignment.links[index].src[0]
            t = time.perf_counter()
            app.session.edit_text(sid, "texte corrigé.", app.data.original(sid), index)
            timings["(save a corrected text)"] = [((time.perf_counter() - t) * 1000, 0.0)]
            print(
                f"contexts built {app.session.rescorer.builds}, patched {app.session.rescorer.patches}"
            )
        await pilot.press("q")
    return opened, timings


def report(opened: float, timings) -> bool:
    head = f"\n{'measure':<36}{'measured':>10}{'target':>8}{'ratio':>7}   max (ms)  Pilot round trip (ms)"
    print(head)
    ratio = opened / OPEN_TARGET_S
    print(f"{'open 100k-link file (s)':<36}{opened:>10.3f}{OPEN_TARGET_S:>8.1f}{ratio:>7.2f}")
    keys = {k: v for k, v in timings.items() if not k.startswith("(")}  # not "(cold context)"
    paint_all = [p for values in keys.values() for p, _ in values]
    trip_all = [r for values in keys.values() for _, r in values]
    rows = [
        (
            f"key {key}: to screen, median (ms)",
            statistics.median(p for p, _ in values),
            max(p for p, _ in values),
            statistics.median(r for _, r in values),
        )
        for key, values in timings.items()
    ]
    p95 = statistics.quantiles(paint_all, n=20)[-1]
    trip95 = statistics.quantiles(trip_all, n=20)[-1]
    rows.append(("all keys: to screen, p95 (ms)", p95, max(paint_all), trip95))
    for label, ms, worst, trip in rows:
        print(
            f"{label:<36}{ms:>10.1f}{KEY_TARGET_MS:>8.0f}{ms / KEY_TARGET_MS:>7.2f}"
            f"   {worst:8.1f}  {trip:8.1f}"
        )
    print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return opened < OPEN_TARGET_S and p95 < KEY_TARGET_MS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the key sequence")
    parser.add_argument(
        "--no-rescore", action="store_true", help="edits keep their old score ([review] rescore)"
    )
    parser.add_argument(
        "--encoder", default="none", help="[align] encoder for rescoring (default: none)"
    )
    args = parser.parse_args()
    t = time.perf_counter()
    corpus = synthetic_corpus(args.links)
    alignment = synthetic_alignment(corpus, args.links)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.align.jsonl"
        save_alignment(alignment, path)
        size_mb = path.stat().st_size / 1e6
        setup = time.perf_counter() - t
        print(
            f"setup: {args.links:,} links ({size_mb:.1f} MB file), synthetic corpus, {setup:.1f} s"
        )
        opened, timings = asyncio.run(
            measure(path, corpus, args.repeat, rescore=not args.no_rescore, encoder=args.encoder)
        )
    ok = report(opened, timings)
    print("\nresult:", "targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
