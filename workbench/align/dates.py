"""Dates normalised across Thai, French and English: ``26 novembre`` / ``November 26`` / ``26 พฤศจิกายน``.

A :class:`DateMention` has optional year, month and day; its key is ISO-like with ``??``
for what is missing (``2021-??-??``, ``????-10-26``). Thai years in the Buddhist Era
(2400-2700, or after ``พ.ศ.``) are converted: 2564 -> 2021.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.align.numbers import THAI_DIGITS

BE_OFFSET = 543
_DIGIT = re.compile(r"\d")

EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
FR_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "janv": 1, "févr": 2, "avr": 4, "juil": 7, "sept": 9,
    "oct": 10, "nov": 11, "déc": 12,
}  # fmt: skip
TH_MONTHS = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11, "ธันวาคม": 12,
    "ม.ค.": 1, "ก.พ.": 2, "มี.ค.": 3, "เม.ย.": 4, "พ.ค.": 5, "มิ.ย.": 6, "ก.ค.": 7,
    "ส.ค.": 8, "ก.ย.": 9, "ต.ค.": 10, "พ.ย.": 11, "ธ.ค.": 12,
}  # fmt: skip
MONTHS = {"en": EN_MONTHS, "fr": FR_MONTHS, "th": TH_MONTHS}


@dataclass(frozen=True)
class DateMention:
    year: int | None
    month: int | None
    day: int | None
    text: str
    start: int = 0
    end: int = 0

    @property
    def key(self) -> str:
        y = f"{self.year:04d}" if self.year else "????"
        m = f"{self.month:02d}" if self.month else "??"
        d = f"{self.day:02d}" if self.day else "??"
        return f"{y}-{m}-{d}"

    def compatible(self, other: DateMention) -> bool:
        """True when no field known on both sides differs."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return all(a is None or b is None or a == b for a, b in pairs)

    def overlaps(self, other: DateMention) -> bool:
        """True when at least one field is known on both sides (the two can be compared)."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return any(a is not None and b is not None for a, b in pairs)


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _year_value(text: str, lang: str, era: str | None = None) -> int | None:
    year = int(text)
    if era in ("พ.ศ.", "พ.ศ", "BE", "B.E.") or (
        lang == "th" and era is None and 2400 <= year <= 2700
    ):
        return year - BE_OFFSET
    if 1800 <= year <= 2200:
        return year
    return None


def _compile(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    months = MONTHS.get(lang, EN_MONTHS)
    mon = rf"(?P<month>{_alternation(months)})\.?"
    day = r"(?P<day>[0-3]?\d)(?:er|st|nd|rd|th)?"
    era = r"(?:(?P<era>พ\.ศ\.?|ค\.ศ\.?|B\.?E\.?|A\.?D\.?)\s?)?"
    year = rf"{era}(?P<year>\d{{4}})"
    b = r"(?<![0-9A-Za-z])"
    e = r"(?![0-9A-Za-z])"
    patterns = [
        ("iso", rf"{b}(?P<year>\d{{4}})-(?P<month>[01]\d)-(?P<day>[0-3]\d){e}"),
        ("day_month", rf"{b}{day}\s?{mon}(?:,?\s?{year})?{e}"),
        ("month_day", rf"{b}{mon}\s{day}(?:,?\s?{year})?{e}"),
        ("month_year", rf"{b}{mon}\s?{year}{e}"),
        ("month", rf"{b}{mon}{e}"),
        ("year", rf"{b}{year}{e}"),
    ]
    if lang != "en":
        patterns.remove(patterns[2])  # month-first dates are English
    flags = re.IGNORECASE
    return [(name, re.compile(p, flags)) for name, p in patterns]


_COMPILED: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


def extract_dates(text: str, lang: str) -> list[DateMention]:
    """Dates and years in ``text`` (a sentence in ``lang``), earliest first."""
    key = lang if lang in MONTHS else "en"
    if key not in _COMPILED:
        _COMPILED[key] = _compile(key)
    months = MONTHS[key]
    text = text.translate(THAI_DIGITS)
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    has_digit = _DIGIT.search(text) is not None
    for name, pattern in _COMPILED[key]:
        if name != "month" and not has_digit:
            continue  # every other pattern needs a digit
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            groups = match.groupdict()
            month = groups.get("month")
            if (
                name == "month"
                and key == "en"
                and month
                and month.lower() in ("may", "mar", "jan", "dec")
            ):
                continue  # "may" is a verb; a bare abbreviation is not reliable on its own
            month_value = None
            if month:
                lowered = month.lower()
                month_value = (
                    int(month)
                    if month.isdigit()
                    else months.get(lowered, months.get(lowered.rstrip(".")))
                )
                if month_value is None:
                    continue
            year_value = None
            if groups.get("year"):
                year_value = _year_value(groups["year"], key, groups.get("era"))
                if year_value is None:
                    continue
            day_value = int(groups["day"]) if groups.get("day") else None
            if day_value is not None and not 1 <= day_value <= 31:
                continue
            taken.append((start, end))
            found.append(
                DateMention(year_value, month_value, day_value, match.group(0), start, end)
            )
    found.sort(key=lambda d: d.start)
    return found
