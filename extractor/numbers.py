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
        kind = entry.type
        if kind == "skip":
            continue
        start, end = m.span()
        text = m.group(0)
        if kind == "percent":
            value = parse_decimal(text.rstrip("% "))
        elif kind == "fraction":
            if m.groupdict().get("whole") is not None:  # "71 trong tổng số 74"
                part, whole = parse_int(m.group("part")), parse_int(m.group("whole"))
            else:
                part, whole = (parse_int(x) for x in text.split("/"))
            if part > whole or _is_reference(folded, start, patterns):
                continue
            value = (part, whole)
        elif kind == "count":
            if _is_reference(folded, start, patterns) or _unit_after(folded, end, patterns):
                continue
            if "," in text:  # "đạt 13,2" — a percent written without its sign
                kind, value = "percent", parse_decimal(text)
            else:
                value = parse_int(text)
                if _BARE_YEAR.fullmatch(text):
                    kind = "year"
        elif kind == "change":
            if m.group("pct") is None and _unit_after(folded, m.end("num"), patterns):
                continue
            number = parse_decimal(m.group("num"))
            sign = -1 if m.group("dir") in patterns.decrease_words else 1
            since = m.group("since")
            value = {
                "value": sign * number,
                "unit": "pp" if m.group("pct") else "count",
                "since": int(since) if since else None,
            }
        elif kind == "year":
            value = int(m.group("year"))
        else:  # period
            value = (int(m.group("y1")), int(m.group("y2")))
        found.append(NumberMention(kind, start, end, value, entry.id))
    return found
