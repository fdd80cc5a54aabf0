"""Numbers: find and parse the Vietnamese number shapes of ``patterns/numbers.yaml``.

"43.899" is 43899 (dot = thousands), "68,41" is 68.41 (comma = decimal), "3.03%" is 3.03 (a dot
typed for the comma before a percent sign), "06" is 6. Dates, document numbers, year ranges,
references ("Chỉ thị 05", "Lượt xem: 14234") and durations ("10 năm") are not figures.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import regex

from .patterns import Patterns, RegexEntry

_WORD_AFTER = regex.compile(r"\s*([a-z]+(?:\s[a-z]+)?)")
_BARE_YEAR = regex.compile(r"(?:19[5-9]\d|20\d\d)")
_POSITION = operator.itemgetter(0, 1)


@dataclass(slots=True)
class NumberMention:
    kind: str  # percent | fraction | count | change | year | period
    start: int
    end: int
    value: Any
    rule: str


def parse_int(raw: str) -> int:
    """'43.899' → 43899, '06' → 6, '4055' → 4055."""
    return int(raw.replace(".", "").replace(" ", ""))


def parse_decimal(raw: str) -> float:
    """'68,41' → 68.41; '3.03' → 3.03 (dot as decimal mark); '1.234,5' → 1234.5; '43.899' → 43899."""
    raw = raw.strip()
    if "," in raw:
        return float(raw.replace(".", "").replace(",", "."))
    head, _, tail = raw.rpartition(".")
    if head and len(tail) != 3:
        return float(raw)
    return float(raw.replace(".", ""))


_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _trailing_word(text: str) -> str:
    """The run of a-z letters that ends ``text``."""
    return text[len(text.rstrip(_LOWER)):]


def _is_reference(folded: str, start: int, patterns: Patterns) -> bool:
    """The number at ``start`` follows a reference word: 'Chỉ thị 05', 'khóa XII', 'Lượt xem: 14234'
    (only spaces, ':', '.' or '(' between them)."""
    window = folded[max(0, start - 30):start]
    if patterns.phrases["according_to"].search(window):  # "theo quy định: 426 đồng chí" names no document
        return False
    before = window.rstrip(" \t\n:.(")
    last = _trailing_word(before)
    if not last:
        return False
    prev = _trailing_word(before[:-len(last)].rstrip(" \t\n:,.")) or None
    if f"{prev} {last}" in patterns.count_after:  # "tổng số 75", "trong số 229": a count follows
        return False
    if prev is not None and f"{prev} {last}" in patterns.not_reference:
        return False
    return last in patterns.reference_words or (prev is not None and f"{prev} {last}" in patterns.reference_words)


def _unit_after(folded: str, end: int, patterns: Patterns) -> bool:
    m = _WORD_AFTER.match(folded, end, min(len(folded), end + 24))
    if not m:
        return False
    words = m.group(1)
    if patterns.phrases["respectively"].fullmatch(words):  # "các năm 2013, 2014 lần lượt là …", not "times"
        return False
    return words.split(" ")[0] in patterns.unit_after or words in patterns.unit_after


def scan(folded: str, patterns: Patterns) -> list[tuple[Any, RegexEntry]]:
    """The number patterns' matches, leftmost first and not overlapping; at one position the pattern
    listed first wins: what one alternation of all the patterns would find. But an alternation is
    tried at every character, which is slow; instead the patterns that start at digits are tried
    where a run of digits starts, and the others each search the text on their own, where the regex
    engine finds their first word fast. Every pattern bounds its digit runs, so the work grows with
    the text, and no clock decides what is found."""
    candidates = []
    entry_of = patterns.number_entry
    for scanner in patterns.number_scanners:
        # overlapped: a match at every position where one starts, as the alternation would try them
        for m in scanner.finditer(folded, overlapped=True):
            order, entry = entry_of[m.lastgroup]  # the pattern's group closes last
            candidates.append((m.start(), order, m, entry))
    candidates.sort(key=_POSITION)
    chosen, last_end = [], 0
    for start, _, m, entry in candidates:
        if start >= last_end:
            chosen.append((m, entry))
            last_end = m.end()
    return chosen


def find_numbers(folded: str, patterns: Patterns, warnings: list) -> list[NumberMention]:
    """Every number-shaped mention of the folded text, classified and parsed."""
    found: list[NumberMention] = []
    for m, entry in scan(folded, patterns):
        if entry.type == "skip":
            continue
        read = _READERS[entry.type](m, folded, patterns)
        if read is not None:
            found.append(NumberMention(read[0], m.start(), m.end(), read[1], entry.id))
    return found


def _percent(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    return "percent", parse_decimal(m.group(0).rstrip("% "))


def _fraction(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    if m.groupdict().get("whole") is not None:  # "71 trong tổng số 74"
        part, whole = parse_int(m.group("part")), parse_int(m.group("whole"))
    else:
        part, whole = (parse_int(x) for x in m.group(0).split("/"))
    if part > whole or _is_reference(folded, m.start(), patterns):
        return None
    return "fraction", (part, whole)


def _count(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    text = m.group(0)
    if _is_reference(folded, m.start(), patterns) or _unit_after(folded, m.end(), patterns):
        return None
    if "," in text:  # "đạt 13,2" — a percent written without its sign
        return "percent", parse_decimal(text)
    return ("year" if _BARE_YEAR.fullmatch(text) else "count"), parse_int(text)


def _change(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    if m.group("pct") is None and _unit_after(folded, m.end("num"), patterns):
        return None
    sign = -1 if m.group("dir") in patterns.decrease_words else 1
    since = m.group("since")
    return "change", {"value": sign * parse_decimal(m.group("num")), "unit": "pp" if m.group("pct") else "count",
                      "since": int(since) if since else None}


def _year(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    return "year", int(m.group("year"))


def _period(m: Any, folded: str, patterns: Patterns) -> tuple[str, Any] | None:
    return "period", (int(m.group("y1")), int(m.group("y2")))


# How each type of number pattern is read: its kind as a mention and its value, or None to drop it.
_READERS = {"percent": _percent, "fraction": _fraction, "count": _count, "change": _change, "year": _year,
            "period": _period}
