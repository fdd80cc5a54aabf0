"""Document context: title, publication date, reporting unit and the year the document reports on."""

from __future__ import annotations

from collections import Counter

import regex

from .match import Mentions, UnitMention
from .normalise import Normalised

_DATE = regex.compile(r"(?<![\d/.])(\d{1,2})[/.\-](\d{1,2})[/.\-]((?:19|20)\d{2})(?!\d)")
# A crawler's error line glued before the title: "The request was aborted: … secure channel. <title>"
_ASCII_PREFIX = regex.compile(r"^[\x20-\x7e]{12,}?[.!]\s+(?=\P{ASCII}|[A-Z])")
_RATING_WORDS = regex.compile(r"danh gia|xep loai|phan loai|kiem diem")
_TITLE_YEAR = regex.compile(r"\bnam ((?:19|20)\d{2})\b")
_COMMITTEE_LEVELS = frozenset({"tỉnh", "huyện", "thị xã", "thành phố", "quận", "khối"})
_HEAD_ONLY_NAMES = {"tỉnh": "Đảng bộ tỉnh", "huyện": "Đảng bộ huyện", "thị xã": "Đảng bộ thị xã",
                    "thành phố": "Đảng bộ thành phố", "quận": "Đảng bộ quận"}


def title(text: str) -> str | None:
    for line in text.split("\n")[:8]:
        line = line.strip()
        if sum(ch.isalpha() for ch in line) >= 8:
            return _ASCII_PREFIX.sub("", line).strip() or None
    return None


def published(text: str) -> str | None:
    """The first full date on a short line in the head of the article, as yyyy-mm-dd.

    Long lines are sentences, whose dates are those of documents cited ("Hướng dẫn … ngày 20/9/2016"),
    except for a dateline at their very start ("Ngày 18/01/2013, Thị ủy … tổ chức hội nghị").
    """
    lines = [line.strip() for line in text.split("\n")[:12] if line.strip()]
    head = "\n".join(line if len(line) <= 80 else line[:24] for line in lines)
    for m in _DATE.finditer(head):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def reporting_unit(norm: Normalised, units: list[UnitMention]) -> str | None:
    """The first party body named near the top ("Huyện ủy Điện Biên", "Đảng bộ phường Hòa Xuân Nam");
    without one, a committee named by its level alone ("Tỉnh ủy" → "Đảng bộ tỉnh")."""
    limit = max(2500, len(norm.text) // 3)
    nameless = None
    for u in units:
        if u.start > limit:
            break
        if u.name and u.head != "Chi bộ":
            return norm.text[u.start:u.end]
        if u.level in _COMMITTEE_LEVELS and nameless is None:
            nameless = u
    if nameless is None:
        return None
    if nameless.level == "khối":
        return norm.text[nameless.start:nameless.end]
    return _HEAD_ONLY_NAMES.get(nameless.level)


# A year is rated at its end: an article published up to June can report on the year before at the
# latest ("Ngày đăng: 16/01/2026" reports on 2025, and its "năm 2026" is a target).
_RATED_BY_MONTH = 6


def _last_rated_year(published_on: str | None) -> int | None:
    if not published_on:
        return None
    year = int(published_on[:4])
    return year - 1 if int(published_on[5:7]) <= _RATED_BY_MONTH else year


def document_year(norm: Normalised, mentions: Mentions, published_on: str | None) -> int | None:
    """The latest year named in a sentence about rating (not a change's "so với năm", nor a target's
    "năm 2026 phấn đấu …"), up to the last year that can have been rated when the article came out;
    else the year in the title; else the year before publication (ratings are published early the
    next year)."""
    cap = _last_rated_year(published_on)
    years = Counter()
    tokens = mentions.tokens
    sentence_text: dict[int, bool] = {}
    symbols = mentions.symbols
    i = -1
    while (i := symbols.find("Y", i + 1)) != -1:  # the years only, not a loop over every symbol
        tok = tokens[i]
        s = mentions.sentence_of[i]
        if s not in sentence_text:
            lo = i
            while lo > 0 and mentions.sentence_of[lo - 1] == s:
                lo -= 1
            hi = i
            while hi + 1 < len(tokens) and mentions.sentence_of[hi + 1] == s:
                hi += 1
            sentence_text[s] = bool(_RATING_WORDS.search(norm.folded, tokens[lo].start, tokens[hi].end + 1)) and not any(
                tokens[k].sym == "X" and tokens[k].code == "target" for k in range(lo, hi + 1))
        if sentence_text[s] and (cap is None or tok.value <= cap):
            years[tok.value] += 1
    if years:
        return max(years)
    first_line = norm.folded.lstrip().split("\n", 1)[0]
    in_title = [int(y) for y in _TITLE_YEAR.findall(first_line) if cap is None or int(y) <= cap]
    if in_title:
        return max(in_title)
    return int(published_on[:4]) - 1 if published_on else None
