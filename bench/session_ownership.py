"""Cost of the review session's ownership check (issue 11 item 4) beside a decision.

Before each journal append the session checks that its lock file (inode and holder) and its
journal (inode) are still its own: two ``stat`` calls and one small read. This measures that
check alone and a whole ``approve`` (apply + journal append + fsync) on a 2,000-link file in
a temporary folder.

Usage: ``.venv/bin/python bench/session_ownership.py [--decisions 300]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from workbench.store import Alignment, Link, Status, save_alignment
from workbench.store.session import ReviewSession


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.align.jsonl"
        links = [Link(f"L{i:05d}", [f"fr:{i}"], [f"en:{i}"], Status.AUTO, 0.5) for i in range(2000)]
        save_alignment(Alignment("fr", "en", ["fr"], ["en"], {}, {}, links), path)
        session = ReviewSession.open(path, "bench")
        session.prepare()
        start = time.perf_counter()
        for _ in range(2000):
            session.check_owner()
        check_us = (time.perf_counter() - start) / 2000 * 1e6
        n = min(args.decisions, 2000)
        start = time.perf_counter()
        for i in range(n):
            session.approve(i)
        approve_ms = (time.perf_counter() - start) / n * 1e3
        session.close()
    print(
        f"ownership check: {check_us:.1f} us; approve (incl. the check and fsync): {approve_ms:.2f} ms"
    )
    print(f"the check is {check_us / 1e3 / approve_ms:.1%} of a decision")


if __name__ == "__main__":
    main()
