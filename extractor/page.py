"""Page: the parts of a published page, one role per paragraph.

A page copied from the web, or an official report, holds more than its article. Each paragraph (a
line, see ``segment.paragraphs``) gets one role:

- ``furniture``: menus, breadcrumbs, counters, share buttons, tags;
- ``footer``: copyright, licence, address and contact lines;
- ``sidebar``: a "Tin cùng chuyên mục" heading and the teasers of other articles after it;
- ``header``: the lines of an official report's header block above its title ("ĐẢNG BỘ TỈNH …",
  "Số 45-BC/HU", "…, ngày 10 tháng 01 năm 2024");
- ``dateline``: a short line that gives the publication date;
- ``headline``: the title of the article or report;
- ``caption``: a photo caption ("… (Ảnh: Minh Hà)");
- ``body``: the article itself (its first paragraph is the sapo).

Figures are read from the headline, the body and captions; the year and the publication date are
decided from the headline, the dateline and the body (see ``context``).
"""

from __future__ import annotations

import bisect
import datetime
import functools
from dataclasses import dataclass

import regex

from .normalise import fold
from .patterns import Patterns

READ = frozenset({"headline", "body", "caption"})  # roles whose figures are the article's
_HEAD_LINES = 15  # the headline, dateline and report header are among the first lines
_TAIL_LINES = 12  # a byline with the date may close the page
_CITED_REACH = 24  # characters before a date beyond which, in a long line, it is one of a sentence
# a document's number before a date ("Kế hoạch số 96-KH/ThU ngày 24/11/2023"): the date is that document's
_DOCUMENT_NUMBER = regex.compile(r"\d+\s?[-/]\s?[^\W\d_]+")
_SHORT = 100  # characters: a dateline, a heading or a menu line is short
_TEASER = 250  # characters: teasers are headlines, shorter than a body paragraph
_CAPTION = 400
_CUE_REACH = 30  # characters before a date in which "Cập nhật:" or a weekday introduces it
# a breadcrumb ("Trang chủ › Xây dựng Đảng") or a menu ("Tin tức | Chính trị | Xã hội")
_BREADCRUMB = regex.compile(r"\s(?:[»›>]{1,2}|->|→)\s")
_MENU_SEPARATORS = regex.compile(r"\s[|/•·]\s|\s[|•·]|[|•·]\s")
_WIDE_GAPS = regex.compile(r"\S {2,}(?=\S)")  # "TRANG CHỦ   THỜI SỰ   XÂY DỰNG ĐẢNG": a menu laid out with spaces
_SITE_NAME = 160  # characters: a masthead is shorter, and holds no figure
_DIGIT = regex.compile(r"\d")
_LETTERS = regex.compile(r"\p{L}")
_STARS = regex.compile(r"^[\s*\-–—_=.]+$")
_ENDS_SENTENCE = regex.compile(r"[.!?…:;]$")


@dataclass(frozen=True, slots=True)
class Part:
    start: int
    end: int
    role: str


@dataclass(frozen=True, slots=True)
class Date:
    """A calendar date found in the text, with its span and what introduced it."""

    year: int
    month: int
    day: int
    start: int
    end: int
    cue: str  # dateline | weekday | place | plain

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Page:
    parts: tuple[Part, ...]  # one per paragraph, in order
    dates: tuple[Date, ...]  # dates of datelines and of the report header, in text order

    def role(self, paragraph: int) -> str:
        return self.parts[paragraph].role if 0 <= paragraph < len(self.parts) else "body"

    def role_at(self, offset: int) -> str:
        """The role of the paragraph holding the character at ``offset``."""
        k = bisect.bisect_right(self.parts, offset, key=lambda part: part.start) - 1
        return self.parts[k].role if k >= 0 and offset < self.parts[k].end else "body"

    def headline(self) -> list[Part]:
        """The first run of headline paragraphs: the page's headline, or the report's title."""
        run: list[Part] = []
        for part in self.parts:
            if part.role == "headline":
                run.append(part)
            elif run:
                break
        return run


class _Words:
    """The page lists of ``patterns/page.yaml`` as regexes over folded text."""

    def __init__(self, patterns: Patterns):
        lists = patterns.page.lists

        def alternation(name: str) -> str:
            words = sorted({fold(w) for w in lists[name].words}, key=len, reverse=True)
            return "|".join(regex.escape(w) for w in words)

        def words_regex(name: str) -> regex.Pattern:
            return regex.compile(rf"(?<![\p{{L}}\d])(?:{alternation(name)})(?![\p{{L}}\d])")

        self.sidebar = regex.compile(rf"^\W*(?:{alternation('sidebar')})\W*$")
        self.footer = words_regex("footer")
        self.furniture = words_regex("furniture")
        self.site = words_regex("site")
        self.caption_start = regex.compile(rf"^\W*(?:{alternation('caption')})")
        self.caption_end = regex.compile(rf"(?:{alternation('caption')})[^()]{{0,60}}\)?\s*\.?$")
        self.report_title = regex.compile(rf"^(?:{alternation('report_title')})\W*$")
        self.dateline = words_regex("dateline")
        self.topic = words_regex("topic")
        self.weekday = words_regex("weekdays")
        self.months = {fold(m): n for m, n in patterns.page.months.items()}
        self.dates = patterns.phrases["calendar_date"]
        self.document_number = patterns.phrases["document_number"]  # "Số 45-BC/HU" of an official document


@functools.lru_cache(maxsize=8)
def words_of(patterns: Patterns) -> _Words:
    """The page regexes of one pattern set, compiled once."""
    return _Words(patterns)


def _date(m: regex.Match, words: _Words) -> tuple[int, int, int] | None:
    """(year, month, day) of a date match, if it is a real calendar date ("31/02/2019" is not)."""
    for suffix in ("", "2", "3", "4"):
        if m.group("y" + suffix):
            raw_month = m.group("m" + suffix)
            month = int(raw_month) if raw_month.isdigit() else words.months.get(raw_month)
            year, day = int(m.group("y" + suffix)), int(m.group("d" + suffix))
            try:
                datetime.date(year, month or 0, day)
            except ValueError:
                return None
            return year, month, day
    return None


def calendar_dates(folded: str, start: int, end: int, patterns: Patterns) -> list[Date]:
    """The real calendar dates written in ``folded[start:end]`` ("4/1/2024", "ngày 10 tháng 01 năm 2024")."""
    words = words_of(patterns)
    found = []
    for m in words.dates.finditer(folded, start, end):
        ymd = _date(m, words)
        if ymd is not None:
            found.append(Date(*ymd, m.start(), m.end(), "plain"))
    return found


def _is_upper(text: str) -> bool:
    letters = _LETTERS.findall(text)
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _letters(text: str) -> int:
    return len(_LETTERS.findall(text))


def read_page(text: str, folded: str, paragraphs: list[tuple[int, int]], patterns: Patterns) -> Page:
    """The role of every paragraph, and the dates of the page's datelines and report header."""
    words = words_of(patterns)
    roles = _line_roles(text, folded, paragraphs, words)
    _report_header(text, folded, paragraphs, roles, words)
    dates = _datelines(text, folded, paragraphs, roles, words)
    _headline(text, folded, paragraphs, roles, words)
    parts = tuple(Part(s, e, r) for (s, e), r in zip(paragraphs, roles))
    return Page(parts, tuple(sorted(dates, key=lambda d: d.start)))


def _line_roles(text: str, folded: str, paragraphs: list[tuple[int, int]], words: _Words) -> list[str]:
    """Each paragraph's role from its own words: footer, sidebar (a heading and the teasers after it),
    furniture, caption, or body."""
    n = len(paragraphs)
    roles = ["body"] * n
    in_sidebar = False
    for i, (start, end) in enumerate(paragraphs):
        line, low, length = text[start:end], folded[start:end], end - start
        if length <= _TEASER and words.footer.search(low) and i >= n // 2:
            roles[i], in_sidebar = "footer", False
        elif words.sidebar.match(low) and length <= _SHORT:
            roles[i], in_sidebar = "sidebar", True
        elif in_sidebar and length <= _TEASER:
            roles[i] = "sidebar"
        elif _is_furniture(line, low, words):
            roles[i], in_sidebar = "furniture", False
        elif length <= _CAPTION and (words.caption_start.match(low) or words.caption_end.search(low)):
            roles[i], in_sidebar = "caption", False
        else:
            in_sidebar = False
    return roles


def _datelines(text: str, folded: str, paragraphs: list[tuple[int, int]], roles: list[str],
               words: _Words) -> list[Date]:
    """The dates of the page's first and last lines; a short body line holding one becomes a dateline."""
    n = len(paragraphs)
    dates: list[Date] = []
    near = set(range(min(n, _HEAD_LINES))) | set(range(max(0, n - _TAIL_LINES), n))
    for i in sorted(near):
        if roles[i] in ("sidebar", "footer"):
            continue
        start, end = paragraphs[i]
        found = _line_dates(text, folded, start, end, roles[i], words)
        if found:
            dates.extend(found)
            if roles[i] == "body" and end - start <= _SHORT and _letters(text[start:end]) <= 40:
                roles[i] = "dateline"
    return dates


def _is_furniture(line: str, low: str, words: _Words) -> bool:
    length = len(line)
    if length > _SHORT * 2 or _ENDS_SENTENCE.search(line) and length > _SHORT:
        return False
    if _ENDS_SENTENCE.search(line):
        return bool(length <= _SHORT and words.furniture.search(low))
    return bool(length <= _SHORT and (words.furniture.search(low) or _BREADCRUMB.search(line))
                or length <= _SITE_NAME and words.site.search(low) and not _DIGIT.search(line)
                or words.furniture.match(low)  # a menu that opens with "Trang chủ"
                or len(_MENU_SEPARATORS.findall(line)) >= 2 or len(_WIDE_GAPS.findall(line)) >= 3)


def _line_dates(text: str, folded: str, start: int, end: int, role: str, words: _Words) -> list[Date]:
    """Dates on a short line (a dateline, a byline, the report's place and date), or at the start of
    a long one ("Ngày 18/01/2013, Thị ủy … tổ chức hội nghị"), each with what introduced it."""
    found = []
    for m in words.dates.finditer(folded, start, end):
        ymd = _date(m, words)
        if ymd is None:
            continue
        before = folded[start:m.start()]
        if end - start > _SHORT and (len(before) > _CITED_REACH or role != "body"):
            continue  # a date inside a sentence: of a document cited, a meeting, a decision
        near = before[-_CUE_REACH:]
        if words.dateline.search(near):
            cue = "dateline"
        elif words.weekday.search(near):
            cue = "weekday"
        elif role == "header" or (before.rstrip().endswith(",") and m.group("d3") is not None):  # ", ngày 10 tháng 1 …"
            cue = "place"
        elif _DOCUMENT_NUMBER.search(before):
            continue  # "… ban hành Kế hoạch số 96-KH/ThU ngày 24/11/2023 …": a cited document's date
        else:
            cue = "plain"
        found.append(Date(*ymd, m.start(), m.end(), cue))
    return found


def _report_header(text: str, folded: str, paragraphs: list[tuple[int, int]], roles: list[str], words: _Words) -> None:
    """An official report: the header block right above its title word ("BÁO CÁO"), and the title after it."""
    for i in range(min(len(paragraphs), _HEAD_LINES)):
        start, end = paragraphs[i]
        first_line = text[start:end].split("\n", 1)[0]  # its title may go on in lower case on the next line
        if not (words.report_title.match(folded[start:start + len(first_line)]) and _is_upper(first_line)):
            continue
        for k in range(i - 1, -1, -1):  # up through the lines that read as a header block
            s, e = paragraphs[k]
            if roles[k] == "body" and _is_header_line(text[s:e], folded[s:e], words):
                roles[k] = "header"
            elif roles[k] != "furniture":
                break
        roles[i] = "headline"
        # the title runs on over the short lines after its word, up to the first sentence of the body
        for k in range(i + 1, min(len(paragraphs), i + 4)):
            s, e = paragraphs[k]
            line = text[s:e]
            if e - s > _TEASER or _ENDS_SENTENCE.search(line) and not _is_upper(line) or roles[k] != "body":
                break
            if words.document_number.match(folded[s:e]) or _STARS.match(line):
                roles[k] = "header"
                continue
            roles[k] = "headline"
        return


def _is_header_line(line: str, low: str, words: _Words) -> bool:
    """A line of a report's header block: the issuing bodies in capitals, "*", "Số 45-BC/HU", the
    place and date ("Đồng Xuyên, ngày 21 tháng 01 năm 2019")."""
    return (len(line) <= _TEASER and (_is_upper(line) or _STARS.match(line) or words.document_number.match(low)
                                      or bool(words.dates.search(low)) and len(line) <= _SHORT))


def _headline(text: str, folded: str, paragraphs: list[tuple[int, int]], roles: list[str], words: _Words) -> None:
    """The page's headline: of the lines that read as a title (a few words at least, not furniture, a
    dateline or a paragraph of the body), above a report's header block if there is one (whose title
    after "BÁO CÁO" is a headline too), the first that names the topic ("Đảng bộ …", "xếp loại"), else
    the first not in capitals (a line in capitals is most often the site's name), else the first."""
    header = next((i for i, role in enumerate(roles) if role in ("header", "headline")), None)
    candidates = []
    for i in range(min(len(paragraphs), _HEAD_LINES if header is None else header)):
        if roles[i] != "body":
            continue
        start, end = paragraphs[i]
        if end - start > _TEASER:
            break  # the body has begun
        if len(text[start:end].split()) >= 4:  # not a site or section name: "Xây dựng Đảng"
            candidates.append(i)
    if not candidates:
        return
    on_topic = [i for i in candidates if words.topic.search(folded, *paragraphs[i])]
    plain = [i for i in candidates if not _is_upper(text[slice(*paragraphs[i])])]
    roles[(on_topic or plain or candidates)[0]] = "headline"
