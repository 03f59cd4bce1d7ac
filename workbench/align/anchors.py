"""Language-independent anchors: numbers, dates, Latin-script names and length, without MT.

``sentence_anchors(text, lang)`` reads what survives translation in every edition;
``anchor_features(src, tgt)`` compares two of them and returns the features saved on a link
(all in [0, 1]); ``anchor_tokens`` turns anchors into tokens for the candidate index
(``n:3e+11``, ``y:2021``, ``md:10-26``, ``w:wuxi``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from workbench.align.dates import EN_MONTHS, FR_MONTHS, DateMention, extract_dates
from workbench.align.numbers import Quantity, extract_numbers, may_hold_numbers

# Words that are capitalised or Latin-script without being names (sentence starts, articles).
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "it",
        "its",
        "this",
        "that",
        "le",
        "la",
        "les",
        "l",
        "de",
        "des",
        "du",
        "d",
        "et",
        "en",
        "au",
        "aux",
        "un",
        "une",
        "dans",
        "par",
        "pour",
        "sur",
        "ce",
        "ces",
        "cet",
        "cette",
        "lors",
        "sous",
        "il",
        "elle",
        "ils",
        "on",
        "qui",
        "que",
    ]
)
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9&\-]*[A-Za-z0-9]|[A-Z]")
# The same name spelled differently by language (French ``IdO`` = ``IoT``).
ALIASES = {"ido": "iot"}
_WORD = re.compile(r"\w+")
_HAS_DIGIT = re.compile(r"[0-9๐-๙]")
_DIGIT_NAME = re.compile(r"\b\d+[A-Za-z]+\w*\b")
_MONTH_WORDS = frozenset(EN_MONTHS) | frozenset(FR_MONTHS)

# Expected characters of source text per English character (median over the seed reference
# translations; see tests/data/seed_reference_en.tsv). Used by the no-MT length feature.
LENGTH_FACTOR = {"en": 1.0, "fr": 1.14, "th": 0.93}


@dataclass(frozen=True)
class SentenceAnchors:
    lang: str
    numbers: tuple[Quantity, ...] = ()
    dates: tuple[DateMention, ...] = ()
    names: frozenset[str] = frozenset()  # lower-cased Latin names/acronyms
    words: frozenset[str] = field(default=frozenset(), repr=False)  # lower-cased Latin tokens
    length: int = 0

    @property
    def empty(self) -> bool:
        return not (self.numbers or self.dates or self.names)


def latin_names(text: str, lang: str) -> set[str]:
    """Latin-script names and acronyms (``IoT``, ``Wuxi``, ``CNW``), lower-cased.

    In Thai text every Latin-script word counts (it was left untranslated). In French and
    English text, a word counts when it has a capital that is not the sentence's first
    letter, or is an acronym (``ITU``, ``IdO``), or mixes letters and digits (``5G``).
    """
    names: set[str] = set()
    lead = len(text) - len(text.lstrip(" \"'“«(-–—"))  # where the first word starts
    for match in _LATIN_TOKEN.finditer(text):
        token = match.group(0)
        lower = ALIASES.get(token.lower(), token.lower())
        if len(token) < 2 or lower in _STOP or lower in _MONTH_WORDS:
            continue
        if lang == "th":
            names.add(lower)
            continue
        upper_inside = token[1:] != token[1:].lower()
        sentence_start = match.start() <= lead
        if upper_inside or (token[0].isupper() and not sentence_start):
            names.add(lower)
    if _HAS_DIGIT.search(text):
        for match in _DIGIT_NAME.finditer(text):
            names.add(match.group(0).lower())  # 5G, 4K
    return names


def sentence_anchors(text: str, lang: str) -> SentenceAnchors:
    dates = extract_dates(text, lang)
    numbers = (
        extract_numbers(text, lang, skip=[(d.start, d.end) for d in dates])
        if may_hold_numbers(text)
        else []
    )
    words = set(_WORD.findall(text.lower()))
    for alias in ALIASES.keys() & words:
        words.add(ALIASES[alias])
    return SentenceAnchors(
        lang=lang,
        numbers=tuple(numbers),
        dates=tuple(dates),
        names=frozenset(latin_names(text, lang)),
        words=frozenset(words),
        length=len(text),
    )


def date_tokens(date: DateMention) -> list[str]:
    tokens = []
    if date.year:
        tokens.append(f"y:{date.year}")
    if date.month and date.day:
        tokens.append(f"md:{date.month:02d}-{date.day:02d}")
    elif date.month:
        tokens.append(f"m:{date.month:02d}")
    return tokens


def anchor_tokens(anchors: SentenceAnchors) -> list[str]:
    """Tokens for the candidate index: equal tokens mean the same anchor in any language."""
    tokens = [f"n:{q.key}" for q in anchors.numbers]
    for date in anchors.dates:
        tokens.extend(date_tokens(date))
    tokens.extend(f"w:{name}" for name in sorted(anchors.names))
    return tokens


def _dice(matched: int, a: int, b: int) -> float:
    return 2.0 * matched / (a + b) if a + b else 0.0


def match_numbers(
    src: tuple[Quantity, ...], tgt: tuple[Quantity, ...]
) -> tuple[list[Quantity], list[Quantity], int]:
    """Greedy one-to-one matching: (unmatched source, unmatched target, matched count)."""
    left = list(tgt)
    unmatched: list[Quantity] = []
    matched = 0
    for q in src:
        for i, t in enumerate(left):
            if q.same(t):
                del left[i]
                matched += 1
                break
        else:
            unmatched.append(q)
    return unmatched, left, matched


def length_score(src_len: int, tgt_len: int, factor: float = 1.0) -> float:
    """exp(-|log ratio|) of the lengths after the expected factor: 1.0 for the expected length."""
    if src_len <= 0 or tgt_len <= 0:
        return 0.0
    return math.exp(-abs(math.log(src_len / (factor * tgt_len))))


def anchor_features(src: SentenceAnchors, tgt: SentenceAnchors) -> dict[str, float]:
    """The features of :func:`compare_anchors` alone."""
    return compare_anchors(src, tgt)[0]


def compare_anchors(src: SentenceAnchors, tgt: SentenceAnchors) -> tuple[dict[str, float], list]:
    """Features in [0, 1] comparing the anchors of a source and an English sentence (or group),
    and the discrepancy flags (:func:`workbench.align.discrepancy.find_discrepancies`).

    ``numbers``: Dice of matched quantities; ``dates``: Dice of compatible dates;
    ``names``: share of the source's names found among the English words (and of the
    English names found in the source, for Latin-script sources); ``number_conflict``,
    ``date_conflict``: 1 when the two sides carry numbers or dates that disagree;
    ``year_conflict``: 1 when both mention years and share none (another edition);
    ``length``: length agreement.
    """
    n_matched = match_numbers(src.numbers, tgt.numbers)[2] if src.numbers and tgt.numbers else 0
    d_matched = sum(
        1 for d in src.dates if any(d.compatible(t) and d.overlaps(t) for t in tgt.dates)
    )
    d_matched = min(d_matched, len(tgt.dates))  # two source dates on one English date: Dice <= 1
    found = len(src.names & tgt.words)
    total = len(src.names)
    if src.lang != "th":  # names written the same way both ways
        found += len(tgt.names & src.words)
        total += len(tgt.names)
    from workbench.align.discrepancy import find_discrepancies  # local: avoids an import cycle

    comparable = (src.numbers and tgt.numbers) or (src.dates and tgt.dates)
    flags = find_discrepancies(src, tgt) if comparable else []
    src_years = {d.year for d in src.dates if d.year}
    tgt_years = {d.year for d in tgt.dates if d.year}
    year_conflict = bool(src_years and tgt_years and src_years.isdisjoint(tgt_years))
    features = {
        "numbers": _dice(n_matched, len(src.numbers), len(tgt.numbers)),
        "dates": _dice(d_matched, len(src.dates), len(tgt.dates)),
        "names": found / total if total else 0.0,
        "number_conflict": 1.0 if any(f.kind == "number" for f in flags) else 0.0,
        "date_conflict": 1.0 if any(f.kind == "date" for f in flags) else 0.0,
        "year_conflict": 1.0 if year_conflict else 0.0,
        "length": length_score(src.length, tgt.length, LENGTH_FACTOR.get(src.lang, 1.0)),
    }
    return features, flags


def merge_anchors(parts: list[SentenceAnchors]) -> SentenceAnchors:
    """Anchors of consecutive sentences taken together (for 2-1 and 1-2 links)."""
    if len(parts) == 1:
        return parts[0]
    return SentenceAnchors(
        lang=parts[0].lang,
        numbers=tuple(q for p in parts for q in p.numbers),
        dates=tuple(d for p in parts for d in p.dates),
        names=frozenset().union(*(p.names for p in parts)),
        words=frozenset().union(*(p.words for p in parts)),
        length=sum(p.length for p in parts) + len(parts) - 1,
    )
