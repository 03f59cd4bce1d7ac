"""What a link's features mean, and which of them drive its score (for people, not the aligner).

Light on purpose (no numpy): the review screen names features on every key. The weights are
the comparable aligner's (``workbench.align.comparable``), passed in by the caller once loaded
(the review app loads them in the background), so that opening a review never waits for the
aligner's imports.
"""

from __future__ import annotations

# feature key -> short name shown to reviewers (keys not listed are shown as they are)
FEATURE_LABELS: dict[str, str] = {
    "chrf": "chrF of MT vs English",
    "surface": "character overlap (no MT)",
    "bleu": "BLEU of MT vs English (shown, not scored)",
    "cosine": "candidate cosine",
    "margin": "margin over neighbours",
    "length": "length ratio",
    "same_edition": "same edition",
    "numbers": "numbers agree",
    "dates": "dates agree",
    "names": "names agree",
    "number_conflict": "numbers conflict",
    "date_conflict": "dates conflict",
    "year_conflict": "years conflict",
    "best_score": "best candidate's score",
    "enc_cos": "sentence-encoder cosine",
    "enc_margin": "sentence-encoder margin",
    "enc_support": "sentence-encoder support",
    "lead": "both open their articles",
    "no_counterpart": "chance of no counterpart",
    "local_context": "scored against its documents only",
}
HIDDEN = {"mt", "partial"}  # bookkeeping, said otherwise ("with MT") or not at all


def label(key: str) -> str:
    return FEATURE_LABELS.get(key, key)


def named_features(features: dict[str, float]) -> list[tuple[str, float]]:
    """``[(name, value)]`` of the features worth showing, in a fixed order."""
    order = {key: n for n, key in enumerate(FEATURE_LABELS)}
    keys = [
        k
        for k in features
        if k not in HIDDEN
        and not k.startswith("merge.")
        and (features[k] or k in ("chrf", "surface"))
    ]
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    return [(label(k), float(features[k])) for k in keys]


def contributions(
    features: dict[str, float], weights: dict[tuple[bool, bool], dict[str, float]] | None
) -> list[tuple[str, float]] | None:
    """``[(name, weight x value)]`` of the scored features, largest effect first, plus the
    bias (the score is the logistic of their sum, with the edition prior). ``weights`` are the
    aligner's, by (with MT, with the sentence encoder) (:func:`aligner_weights`); ``None``
    (not loaded yet) gives ``None``."""
    if weights is None or "margin" not in features:  # not scored by the aligner (1-0, manual)
        return None
    chosen = weights.get((bool(features.get("mt")), "enc_cos" in features))
    if chosen is None:
        return None
    parts = [
        (label(k), chosen[k] * float(v))
        for k, v in features.items()
        if k in chosen and k != "bias" and chosen[k] * float(v) != 0
    ]
    parts.sort(key=lambda part: -abs(part[1]))
    return [*parts, ("bias", float(chosen["bias"]))]


def aligner_weights() -> dict[tuple[bool, bool], dict[str, float]]:
    """The comparable aligner's logistic weights by (MT, encoder); imports the aligner."""
    from workbench.align.comparable import WEIGHTS

    return WEIGHTS
