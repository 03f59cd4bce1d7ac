"""Numbers normalised across Thai, French and English: ``3 แสนล้าน`` = ``300 billion`` = ``300 milliards``.

Each number becomes a :class:`Quantity` (value, unit, text). Units: ``""`` (a count or an
amount), ``"%"`` (a percentage). Years are not numbers here: :mod:`workbench.align.dates`
takes them, and :func:`extract_numbers` skips the spans it is given.

Separators depend on the language: in French a comma is the decimal mark ("1,1 million")
and a space or a dot groups thousands ("3 000"); in English and Thai a comma groups
thousands ("3,000") and a dot is the decimal mark ("356.3 billion").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Scale words, longest first inside the alternation (regex picks the first that matches).
_EN_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "bn": 1e9,
    "mn": 1e6,
}
_FR_SCALES = {
    "mille": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
    "billion": 1e12,  # French "billion" is 10^12
    "billions": 1e12,
    "mrd": 1e9,
    "md": 1e9,
}
# Thai scale words combine by multiplication: แสนล้าน = แสน x ล้าน = 10^11.
_TH_SCALES = {"สิบ": 1e1, "ร้อย": 1e2, "พัน": 1e3, "หมื่น": 1e4, "แสน": 1e5, "ล้าน": 1e6}

_PERCENT = r"(?:\s?%|\s?(?:per\s?cent|percent|pour\s?cent|เปอร์เซ็นต์))"


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # "" or "%"
    text: str
    start: int = 0
    end: int = 0

    @property
    def key(self) -> str:
        """A canonical string: equal keys = the same quantity in any language."""
        return f"{format_value(self.value)}{self.unit}"

    def same(self, other: Quantity) -> bool:
        return self.unit == other.unit and math.isclose(self.value, other.value, rel_tol=1e-9)


def format_value(value: float) -> str:
    """Short canonical spelling: 300000000000 -> ``3e+11``, 1.1e6 -> ``1.1e+06``, 50 -> ``50``."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.6g}"


def _number_pattern(lang: str) -> str:
    if lang == "fr":
        # 1 000 000 / 1.000.000 (groups) then an optional decimal comma
        integer = r"\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?!\d)|\d{1,3}(?:\.\d{3})+(?![\d,])|\d+"
        return rf"(?P<num>(?:{integer})(?:,\d+)?)"
    integer = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
    return rf"(?P<num>(?:{integer})(?:\.\d+)?)"


def _scale_pattern(lang: str) -> str:
    if lang == "th":
        words = "|".join(sorted(_TH_SCALES, key=len, reverse=True))
        return rf"(?:\s?(?P<scale>(?:{words})+))?"
    words = _FR_SCALES if lang == "fr" else _EN_SCALES
    alternation = "|".join(sorted(words, key=len, reverse=True))
    return rf"(?:\s?(?:de\s)?(?P<scale>(?:{alternation}))\b)?"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(lang: str) -> re.Pattern[str]:
    key = lang if lang in ("fr", "th") else "en"
    if key not in _PATTERNS:
        _PATTERNS[key] = re.compile(
            rf"(?<![0-9A-Za-z.,]){_number_pattern(key)}(?![0-9A-Za-z])(?!,\d)(?!\.\d){_scale_pattern(key)}(?P<pct>{_PERCENT})?",
            re.IGNORECASE,
        )
    return _PATTERNS[key]


def parse_number(text: str, lang: str) -> float:
    """The value of a digit string as written in ``lang`` (no scale word)."""
    text = text.translate(THAI_DIGITS)
    if lang == "fr":
        text = re.sub(r"[\u00a0\u202f ]", "", text)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text.split(",")[0]):
            text = text.replace(".", "")
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


def thai_scale(words: str) -> float:
    """``แสนล้าน`` -> 1e11: the product of the Thai scale words in ``words``."""
    value = 1.0
    rest = words
    while rest:
        for word in sorted(_TH_SCALES, key=len, reverse=True):
            if rest.startswith(word):
                value *= _TH_SCALES[word]
                rest = rest[len(word) :]
                break
        else:
            raise ValueError(f"not a Thai scale word: {rest!r}")
    return value


def extract_numbers(
    text: str, lang: str, skip: list[tuple[int, int]] | None = None
) -> list[Quantity]:
    """Every number in ``text`` (a sentence in ``lang``), normalised; spans in ``skip`` are ignored."""
    text = text.translate(THAI_DIGITS)
    skip = skip or []
    found: list[Quantity] = []
    for match in _pattern(lang).finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in skip):
            continue
        try:
            value = parse_number(match.group("num"), lang)
        except ValueError:
            continue
        scale = match.group("scale")
        if scale:
            if lang == "th":
                value *= thai_scale(scale)
            else:
                table = _FR_SCALES if lang == "fr" else _EN_SCALES
                value *= table[scale.lower()]
        unit = "%" if match.group("pct") else ""
        found.append(Quantity(value, unit, match.group(0).strip(), start, end))
    half = _HALF.get(lang if lang in _HALF else "en")
    for match in half.finditer(text):
        if not any(s < match.end() and match.start() < e for s, e in skip):
            found.append(Quantity(50.0, "%", match.group(0), match.start(), match.end()))
    found.sort(key=lambda q: q.start)
    return found


_MAYBE = re.compile(r"[0-9๐-๙]|half|moitié|ครึ่ง", re.IGNORECASE)


def may_hold_numbers(text: str) -> bool:
    """A cheap test: False means :func:`extract_numbers` would find nothing."""
    return _MAYBE.search(text) is not None


# "one-half of Jiangsu" = "50 % de celle du Jiangsu" = "ครึ่งหนึ่ง": a share written as a word
_HALF = {
    # "half of" as a share, not "the first half of the year"
    "en": re.compile(r"\b(?:one[- ]half|(?<!first )(?<!second )(?<!the )half of)\b", re.IGNORECASE),
    "fr": re.compile(r"\b(?:la )?moitié\b", re.IGNORECASE),
    "th": re.compile(r"ครึ่งหนึ่ง"),
}
