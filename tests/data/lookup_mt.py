"""A stand-in MT for the ``command`` backend: looks each stdin line up in a reference TSV.

Usage: ``python tests/data/lookup_mt.py tests/data/seed_reference_en.tsv`` (reads one source
sentence per line, writes its reference English). The TSV holds ``id, source, English``
written by hand; an unknown line exits 1 naming it, so a stale reference file cannot pass
silently.
"""

from __future__ import annotations

import sys
import unicodedata


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: lookup_mt.py REFERENCE.tsv", file=sys.stderr)
        return 2
    table = {}
    with open(argv[1], encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            _sid, source, english = line.rstrip("\n").split("\t")
            table[_key(source)] = english
    out = []
    for line in sys.stdin.read().splitlines():
        english = table.get(_key(line))
        if english is None:
            print(f"lookup_mt: no reference for: {line[:80]}", file=sys.stderr)
            return 1
        out.append(english)
    sys.stdout.write("".join(o + "\n" for o in out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
