"""Which links an export takes: status set, minimum score, language pairs.

Order is deterministic: alignment files sorted by name, links in file order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.errors import WorkbenchError
from workbench.store.model import Status

ALL = "all"


def parse_statuses(value: str | Iterable[str] | None) -> frozenset[Status]:
    """``"approved"`` (default), ``"approved,flagged"`` or ``"all"`` -> a set of statuses."""
    if value is None:
        return frozenset({Status.APPROVED})
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip().lower() for n in names if n.strip()]
    if not names:
        raise WorkbenchError("--status is empty; give e.g. 'approved', 'approved,flagged' or 'all'")
    if ALL in names:
        return frozenset(Status)
    known = {s.value for s in Status}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise WorkbenchError(
            f"unknown status {', '.join(unknown)}; choose from {', '.join(sorted(known))} or 'all'"
        )
    return frozenset(Status(n) for n in names)


def parse_langs(value: str | Iterable[str] | None) -> frozenset[str] | None:
    """``"th-en"`` or ``"th-en,fr-en"`` -> a set of pairs; ``None``/``"all"`` -> no filter."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip().lower() for n in names if n.strip()]
    if not names or ALL in names:
        return None
    # compared with each file's "SRC-TGT" as a whole, so a region tag needs no split: fr-CA-en
    bad = [n for n in names if "-" not in n or "" in n.split("-")]
    if bad:
        raise WorkbenchError(
            f"--lang {', '.join(bad)}: expected SRC-TGT such as th-en, fr-en or fr-CA-en"
        )
    return frozenset(names)


@dataclass(frozen=True)
class Selection:
    statuses: frozenset[Status] = frozenset({Status.APPROVED})
    min_score: float | None = None
    langs: frozenset[str] | None = None

    @classmethod
    def parse(
        cls, status: str | None = None, min_score: float | None = None, lang: str | None = None
    ) -> Selection:
        return cls(parse_statuses(status), min_score, parse_langs(lang))

    def takes_pair(self, pair: str) -> bool:
        return self.langs is None or pair.lower() in self.langs

    def describe(self) -> dict[str, object]:
        """The filters as plain data, for provenance."""
        statuses = sorted(s.value for s in self.statuses)
        return {
            "status": ALL if len(statuses) == len(Status) else ",".join(statuses),
            "min_score": self.min_score,
            "lang": ALL if self.langs is None else ",".join(sorted(self.langs)),
        }
