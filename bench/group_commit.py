"""Cost of the crash-safe commit: median time of an ``atomic_group`` of 1, 2 and 3 small
files (4 KB each), against another revision's ``workbench/fileio.py``, and of ``recover`` on a
clean folder of 10,000 files (what every command pays per folder when nothing was killed).

Usage: .venv/bin/python bench/group_commit.py [--baseline REV] [--folder DIR] [--reps N]
REV defaults to 170d9db (before the commit record); DIR to a new folder under /tmp.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench import fileio, recovery  # noqa: E402


def _baseline(rev: str, where: Path) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{rev}:workbench/fileio.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    path = where / "baseline_fileio.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("baseline_fileio", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _median_ms(module: ModuleType, folder: Path, files: int, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        with module.atomic_group() as group:
            for n in range(files):
                group.open(folder / f"f{n}.txt").write("x" * 4096)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="170d9db")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--reps", type=int, default=100)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(dir=args.folder))
    old = _baseline(args.baseline, folder)
    for files in (1, 2, 3):
        _median_ms(old, folder, files, 10)  # warm up both
        _median_ms(fileio, folder, files, 10)
        before = _median_ms(old, folder, files, args.reps)
        after = _median_ms(fileio, folder, files, args.reps)
        print(f"{files} file(s): {args.baseline} {before:.2f} ms, now {after:.2f} ms")
    big = Path(tempfile.mkdtemp(dir=args.folder))
    for i in range(10_000):
        (big / f"doc{i}.txt").touch()
    started = time.perf_counter()
    for _ in range(20):
        recovery.recover(big)
    print(
        f"recover() of a clean folder of 10,000 files: {(time.perf_counter() - started) * 50:.2f} ms"
    )


if __name__ == "__main__":
    main()
