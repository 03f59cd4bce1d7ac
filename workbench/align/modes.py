"""Registry of alignment modes: mode name -> :class:`Mode` (what it accepts, how it aligns).

``workbench align-pair`` looks a mode up here and checks its input against the mode's
declared needs (no per-mode ``if`` in the callers); ``workbench align`` over a corpus runs
the modes that declare ``corpus=True``. An aligner takes the source sentences, their MT into
the target language (line-parallel to the source, or None), the target sentences and the
align settings, plus the optional signals (the target's MT into the source language, a
sentence encoder), and returns a :class:`PairAlignment`. Add a mode by adding an entry to
:data:`MODES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from workbench.align.beads import Bead
from workbench.align.signals.semantic import TextEncoder
from workbench.errors import InputError
from workbench.settings import AlignSettings


@dataclass
class PairAlignment:
    beads: list[Bead]
    scores: list[float]  # calibrated score in [0, 1] per bead (0 for 1-0 / 0-1)
    features: list[dict[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings for the user


class Aligner(Protocol):
    def __call__(
        self,
        src: Sequence[str],
        mt: Sequence[str] | None,
        tgt: Sequence[str],
        settings: AlignSettings,
        *,
        tgt_mt: Sequence[str] | None = None,
        encoder: TextEncoder | None = None,
    ) -> PairAlignment: ...


@dataclass(frozen=True)
class Mode:
    name: str
    align: Aligner
    summary: str
    uses_tgt_mt: bool = False  # scores with the target's MT into the source language
    corpus: bool = False  # `workbench align` runs it over a corpus


def align_parallel_mode(
    src: Sequence[str],
    mt: Sequence[str] | None,
    tgt: Sequence[str],
    settings: AlignSettings,
    *,
    tgt_mt: Sequence[str] | None = None,
    encoder: TextEncoder | None = None,
) -> PairAlignment:
    """Monotone DP over beads (see :mod:`workbench.align.parallel`): chrF of the MT, the
    bead cosine of the sentence encoder, or both mixed (``parallel_encoder_weight``); with
    ``tgt_mt`` (MT of the target into the source language) beads are scored both ways."""
    from workbench.align.parallel import align_parallel, params_from_settings
    from workbench.align.signals.bead_cosines import encode_sides

    if mt is None and encoder is None:
        raise InputError(
            "--mode parallel needs --src-translation (MT of SRC into TGT's language) "
            "or a sentence encoder (--encoder, not none), or both"
        )
    if mt is None and tgt_mt is not None:
        raise InputError("--tgt-translation needs --src-translation as well")
    params = params_from_settings(settings)
    notes: list[str] = []
    unread = unread_languages(encoder, {"source": src, "target": tgt})
    if encoder is not None and unread:
        sides = ", ".join(f"the {role} ({lang})" for role, lang in unread.items())
        if mt is not None:  # fall back to the other signal
            notes.append(f"the encoder was not trained on {sides}: aligned on the MT alone")
            encoder = None
        else:
            notes.append(f"the encoder was not trained on {sides}: expect a poor alignment")
    embeddings = None
    if encoder is not None:
        embeddings = encode_sides(
            encoder, src, tgt, params.encoder_concat, params.encoder_lazy_above
        )
    if mt is None:
        result = align_parallel(None, tgt, params, src=src, embeddings=embeddings)
    elif tgt_mt is not None:
        result = align_parallel(mt, tgt, params, src=src, tgt_mt=tgt_mt, embeddings=embeddings)
    else:
        result = align_parallel(mt, tgt, params, embeddings=embeddings)
    key = "chrf" if encoder is None else ("sim" if mt is not None else "cosine")
    features = [
        {key: round(s, 4), "margin": round(g, 4)}
        | {name: round(v, 4) for name, v in extra.items() if name != "sim"}
        if s == s
        else {}
        for s, g, extra in zip(result.sims, result.margins, result.features, strict=True)
    ]
    return PairAlignment(beads=result.beads, scores=result.scores, features=features, notes=notes)


UNREAD_MIN_LETTERS = 80  # a side's language is judged only on at least this many letters


def unread_languages(
    encoder: TextEncoder | None, sides: dict[str, Sequence[str]]
) -> dict[str, str]:
    """Role -> detected language, for the sides whose language ``encoder`` was not trained
    on (a side with too little text to tell is not judged)."""
    if encoder is None:
        return {}
    from workbench.corpus.langid import detect_language

    detect = getattr(encoder, "detect_language", None) or detect_language  # cached answers
    out = {}
    for role, lines in sides.items():
        sample = " ".join(lines[:300])
        if sum(ch.isalpha() for ch in sample) < UNREAD_MIN_LETTERS:
            continue
        language = detect(sample)
        if not encoder.supports(language):
            out[role] = language
    return out


def align_comparable_mode(
    src: Sequence[str],
    mt: Sequence[str] | None,
    tgt: Sequence[str],
    settings: AlignSettings,
    *,
    tgt_mt: Sequence[str] | None = None,
    encoder: TextEncoder | None = None,
) -> PairAlignment:
    """Order-free mining (see :mod:`workbench.align.comparable`) on the encoder, the MT when
    given and the anchors."""
    from workbench.align.comparable import align_lines
    from workbench.align.corpus_align import mining_config

    beads, scores, features = align_lines(src, mt, tgt, mining_config(settings), encoder=encoder)
    notes = []
    if mt is None and encoder is None:
        notes.append("comparable mode without --src-translation or an encoder: anchors only")
    return PairAlignment(beads=beads, scores=scores, features=features, notes=notes)


MODES: dict[str, Mode] = {
    "parallel": Mode(
        "parallel",
        align_parallel_mode,
        "monotone bead DP (translations kept in order: books, subtitles, manuals)",
        uses_tgt_mt=True,
    ),
    "comparable": Mode(
        "comparable",
        align_comparable_mode,
        "order-free mining (articles on the same event)",
        corpus=True,
    ),
}
ALIGNERS: dict[str, Callable[..., PairAlignment]] = {n: m.align for n, m in MODES.items()}


def get_mode(name: str) -> Mode:
    try:
        return MODES[name]
    except KeyError:
        raise InputError(
            f"unknown alignment mode {name!r} (known: {', '.join(sorted(MODES))})"
        ) from None


def get_aligner(mode: str) -> Aligner:
    return get_mode(mode).align
