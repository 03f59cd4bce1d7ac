"""Registry of alignment modes for ``workbench align-pair``: mode name -> aligner.

An aligner takes the source sentences, their MT into the target language (line-parallel to
the source, or None) and the target sentences, plus the align settings, and returns a
:class:`PairAlignment`. Add a mode by adding an entry to :data:`ALIGNERS` (the comparable
mode registers itself the same way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.align.beads import Bead
from workbench.errors import InputError
from workbench.settings import AlignSettings

if TYPE_CHECKING:
    import numpy as np


@dataclass
class PairAlignment:
    beads: list[Bead]
    scores: list[float]  # calibrated score in [0, 1] per bead (0 for 1-0 / 0-1)
    features: list[dict[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings for the user


Aligner = Callable[
    [Sequence[str], Sequence[str] | None, Sequence[str], AlignSettings], PairAlignment
]


def align_parallel_mode(
    src: Sequence[str],
    mt: Sequence[str] | None,
    tgt: Sequence[str],
    settings: AlignSettings,
    tgt_mt: Sequence[str] | None = None,
    embeddings: tuple[np.ndarray, np.ndarray] | None = None,
) -> PairAlignment:
    """Monotone DP over beads (see :mod:`workbench.align.parallel`); with ``tgt_mt`` (MT of
    the target into the source language) beads are scored both ways; with ``embeddings``
    (source and target sentence embeddings) the chrF similarity is mixed with their cosine,
    or replaced by it when there is no MT."""
    from workbench.align.parallel import align_parallel, params_from_settings

    if mt is None and embeddings is None:
        raise InputError(
            "--mode parallel needs --src-translation (MT of SRC into TGT's language) "
            "or --embeddings MODEL (a multilingual sentence encoder), or both"
        )
    if mt is None and tgt_mt is not None:
        raise InputError("--tgt-translation needs --src-translation as well")
    params = params_from_settings(settings)
    if mt is None:
        result = align_parallel(None, tgt, params, src=src, embeddings=embeddings)
    elif tgt_mt is not None:
        result = align_parallel(mt, tgt, params, src=src, tgt_mt=tgt_mt, embeddings=embeddings)
    else:
        result = align_parallel(mt, tgt, params, embeddings=embeddings)
    key = "chrf" if embeddings is None else ("sim" if mt is not None else "cosine")
    features = [
        {key: round(s, 4), "margin": round(g, 4)}
        | {name: round(v, 4) for name, v in extra.items() if name != "sim"}
        if s == s
        else {}
        for s, g, extra in zip(result.sims, result.margins, result.features, strict=True)
    ]
    notes = []
    if embeddings is not None and mt is None:
        notes.append(
            "parallel mode on embeddings alone: bead scores are calibrated for chrF (untuned here)"
        )
    return PairAlignment(beads=result.beads, scores=result.scores, features=features, notes=notes)


def align_comparable_mode(
    src: Sequence[str], mt: Sequence[str] | None, tgt: Sequence[str], settings: AlignSettings
) -> PairAlignment:
    """Order-free mining (see :mod:`workbench.align.comparable`); anchors only without MT."""
    from workbench.align.comparable import align_lines
    from workbench.align.corpus_align import mining_config

    beads, scores, features = align_lines(src, mt, tgt, mining_config(settings))
    notes = [] if mt is not None else ["comparable mode without --src-translation: anchors only"]
    return PairAlignment(beads=beads, scores=scores, features=features, notes=notes)


ALIGNERS: dict[str, Aligner] = {
    "parallel": align_parallel_mode,
    "comparable": align_comparable_mode,
}


def get_aligner(mode: str) -> Aligner:
    try:
        return ALIGNERS[mode]
    except KeyError:
        raise InputError(
            f"unknown alignment mode {mode!r} (known: {', '.join(sorted(ALIGNERS))})"
        ) from None
