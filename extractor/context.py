"""Document context: title, publication date, reporting unit and the year the document reports on.

Each is decided from the parts of the page (see ``page``): the headline, the dateline, the report
header and the body. The year rated is a decision over several pieces of evidence, recorded with the
document so that a reader can see why it was chosen.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass

import regex

from .match import Mentions, UnitMention
from .models import ReportHeader
from .normalise import Normalised, fold
from .page import READ, Date, Page, calendar_dates
from .patterns import Patterns
from .units import unit_key

# A crawler's error line glued before the title: "The request was aborted: … secure channel. <title>"
_ASCII_PREFIX = regex.compile(r"^[\x20-\x7e]{12,}?[.!]\s+(?=\P{ASCII}|[A-Z])")
_HEADLINE_WEIGHT = 3  # a unit the headline names counts as much as three mentions in the body
_FORWARD_REACH = 40  # characters before a year in which a forward word makes it the year of next tasks
# Which date of the page is its publication date, best first: one a dateline word introduces, one
# after a weekday, a date on a line of its own, the place and date of a report.
_DATE_CUES = ("dateline", "weekday", "plain", "place")
# A year is rated at its end, from November on: a page published before then reports on the year
# before at the latest ("Ngày đăng: 16/01/2026" reports on 2025, and its "năm 2026" is a target; a
# July page reviewing a term reports on the years up to the last one), and so does a rating decision.
_RATED_FROM_MONTH = 11
# The evidence for the year rated, strongest first.
YEAR_SOURCES = ("body", "headline", "decision", "dateline", "caption", "other")


@dataclass(frozen=True, slots=True)
class YearEvidence:
    year: int
    source: str  # one of YEAR_SOURCES
    start: int  # offsets into the normalised text
    end: int
    set_aside: str | None = None  # why it does not count: "forward-looking", "target", "after publication"


@dataclass(frozen=True, slots=True)
class YearDecision:
    year: int | None
    source: str | None
    reason: str
    evidence: tuple[YearEvidence, ...]


def title(text: str, page: Page) -> str | None:
    """The headline (its lines joined), else the first line that reads as text."""
    lines = [" ".join(text[p.start:p.end].split()) for p in page.headline()]
    if not lines:
        lines = [line.strip() for line in text.split("\n")[:8] if sum(ch.isalpha() for ch in line) >= 8][:1]
    joined = " ".join(lines)
    return _ASCII_PREFIX.sub("", joined).strip() or None


_WORD = regex.compile(r"[\p{L}\d]")
_DOCUMENT_NUMBER = regex.compile(r"\d[\w.]*\s*[-/]\s*[\p{L}\d][\p{L}\d/.\-]*")


def report_header(norm: Normalised, page: Page, reporting_unit: str | None, from_header: bool,
                  patterns: Patterns) -> ReportHeader | None:
    """An official report's header block ("ĐẢNG BỘ TỈNH …" / "HUYỆN ỦY …" / "Số 45-BC/HU" / "…, ngày 10
    tháng 01 năm 2024") and the title after it ("BÁO CÁO" / "Kết quả …"), each part in a field of its own."""
    parts = [p for p in page.parts if p.role == "header"]
    if not parts:
        return None
    text = norm.text
    lines = [" ".join(line.split()) for p in parts for line in text[p.start:p.end].split("\n")]
    lines = [line for line in lines if _WORD.search(line)]  # not the "*" or "-----" under a body's name
    dated = _header_date(page, parts)
    title = " ".join(" ".join(text[p.start:p.end].split()) for p in page.parts[len(parts):]
                     if p.start > parts[0].start and p.role == "headline")
    return ReportHeader(issuing_body=reporting_unit if from_header else None, number=_number(norm, parts, patterns),
                        place=_place(text, dated), date=dated.iso() if dated else None, title=title or None,
                        lines=lines)


def _header_date(page: Page, parts: list) -> Date | None:
    """The date of a header's place-and-date line."""
    return next((d for d in page.dates if d.cue == "place" and any(p.start <= d.start < p.end for p in parts)), None)


def _number(norm: Normalised, parts: list, patterns: Patterns) -> str | None:
    """The document number of a header's "Số 45-BC/HU" line: "45-BC/HU"."""
    numbered = next((p for p in parts if patterns.phrases["document_number"].match(norm.folded[p.start:p.end])), None)
    written = _DOCUMENT_NUMBER.search(norm.text, numbered.start, numbered.end) if numbered else None
    return written.group() if written else None


def _place(text: str, dated: Date | None) -> str | None:
    """The place written before a report's date on its line ("Tân Lạc, ngày 10 tháng 01 năm 2024")."""
    if dated is None:
        return None
    return text[text.rfind("\n", 0, dated.start) + 1:dated.start].rstrip(" ,") or None


def publication_date(page: Page) -> Date | None:
    """The best-introduced date of the page's datelines and report header (a copyright year in the footer
    or the date of a cited document is never one); of dates as well introduced, one on a line of its own
    below the headline before one above it (the site's date of today, over its masthead), not one that
    opens a sentence of the body."""
    headline = page.headline()
    below = headline[0].start if headline else 0
    for cue in _DATE_CUES:
        found = [d for d in page.dates if d.cue == cue]
        if found and found[0].start < below:  # above the headline: it may be the site's date of today
            return next((d for d in found if d.start >= below and page.role_at(d.start) != "body"), found[0])
        if found:
            return found[0]
    return None


def header_units(units: list[UnitMention], page: Page, paragraph_of) -> list[UnitMention]:
    """The named units of a report's header block ("ĐẢNG BỘ TỈNH …", "HUYỆN ỦY …")."""
    return [u for u in units if u.name and page.role(paragraph_of(u.start)) == "header"]


def reporting_unit(norm: Normalised, units: list[UnitMention], page: Page, paragraph_of,
                   patterns: Patterns) -> str | None:
    """The body the document reports on:
    - a report's issuing body: the last line of its header block that names a unit ("HUYỆN ỦY MƯỜNG
      ẢNG" under "ĐẢNG BỘ TỈNH ĐIỆN BIÊN"), with the territory of the line above when it names none
      ("ĐẢNG ỦY CÔNG AN TỈNH" under "ĐẢNG BỘ TỈNH TÂY NINH" is the police committee of Tây Ninh);
    - else the unit the headline (thrice) and the body name most often, counting the nameless mentions
      of its level ("Ban Thường vụ Huyện ủy" for the district named), the first named on a tie, in its
      longest form ("Đảng ủy Công an tỉnh" named later in full as "… tỉnh Tây Ninh");
    - unless a committee named by its level alone is named more often ("Tỉnh ủy" in a provincial paper
      that names districts): "Đảng bộ tỉnh" with the place the page gives it;
    - or the body states the size of a unit at a higher level ("Đảng bộ huyện Cẩm Giàng hiện có 47 tổ
      chức cơ sở đảng" under a headline about one of its communes).
    Captions, teasers and menus name other units, so they do not count."""
    header = header_units(units, page, paragraph_of)
    if header:
        return _issuing_body(norm, header, patterns)
    named, weight, nameless = _mentions_read(units, page, paragraph_of, patterns)
    keys = [unit_key(norm.text[u.start:u.end], patterns) for u in named]
    best, score = _most_named(named, keys, weight, nameless, patterns)
    # a committee the page names by its level only, more often than any named unit ("Tỉnh ủy", "toàn
    # Đảng bộ tỉnh" in a provincial paper that names districts): named by the place the page gives it
    levels = [level for level in patterns.units.committee_names if nameless[level] > score
              and not any(u.level == level for u in named)]
    if levels:
        level = max(levels, key=lambda x: nameless[x])
        return _committee_named(norm, level, patterns)
    if best is None:
        return None
    # the page states the size of a unit above the one it names most: "Đảng bộ huyện Cẩm Giàng hiện có 47
    # tổ chức cơ sở đảng" under a headline about one of its communes
    sized = _sized(norm, named, page, paragraph_of, patterns)
    if sized is not None and _rank(named[sized].level, patterns) > _rank(named[best].level, patterns):
        best = sized
    return _longest_form(norm, named, keys, best)


def _mentions_read(units: list[UnitMention], page: Page, paragraph_of, patterns: Patterns):
    """The units the headline and body name (not a chi bộ, nor a table's row), each mention's weight (a
    headline's counts thrice), and the weighted count of nameless mentions by level."""
    read = [u for u in units if page.role(paragraph_of(u.start)) in ("headline", "body") and not u.row]
    weight = {id(u): _HEADLINE_WEIGHT if page.role(paragraph_of(u.start)) == "headline" else 1 for u in read}
    named = [u for u in read if u.name and u.head not in patterns.unit_branch_heads]
    nameless = Counter()
    for u in read:
        if not u.name and u.level:
            nameless[u.level] += weight[id(u)]
    return named, weight, nameless


def _sized(norm: Normalised, named: list[UnitMention], page: Page, paragraph_of, patterns: Patterns) -> int | None:
    """The first named unit of the body whose size the page states right after it ("… hiện có 47 tổ
    chức cơ sở đảng")."""
    return next((i for i, u in enumerate(named) if page.role(paragraph_of(u.start)) == "body"
                 and patterns.phrases["size_stated"].match(norm.folded, u.end)), None)


def _most_named(named: list[UnitMention], keys: list[str], weight: dict[int, int], nameless: Counter,
                patterns: Patterns) -> tuple[int | None, int]:
    """The index of the named unit the page names most (the first on a tie) and its score: its
    mentions, plus the nameless mentions of its level when it is the only unit named at that level
    (so "Huyện ủy" refers to it)."""
    if not named:
        return None, 0
    names = _names(keys, patterns)
    mentions = Counter()
    names_of_level: dict[str | None, set[str]] = {}
    for unit, name in zip(named, names):
        mentions[name] += weight[id(unit)]
        names_of_level.setdefault(unit.level, set()).add(name)

    def score_of(i: int) -> int:
        level = named[i].level
        alone = level is not None and len(names_of_level[level]) == 1
        return mentions[names[i]] + (nameless[level] if alone else 0)

    best = max(range(len(named)), key=lambda i: (score_of(i), -i))
    return best, score_of(best)


def _rank(level: str | None, patterns: Patterns) -> int:
    """How high a level stands: a province (3) over a district (2) over a commune (1) over the rest (0)."""
    ranks = patterns.units.level_ranks
    return next((len(ranks) - k for k, levels in enumerate(ranks) if level in levels), 0)


def _committee_named(norm: Normalised, level: str, patterns: Patterns) -> str:
    """"Đảng bộ tỉnh" and the place the page names at that level ("… nhân dân tỉnh Sóc Trăng"), if any;
    a bloc committee as written."""
    base = patterns.units.committee_names[level]
    place = patterns.place_of_level.get(level)  # none for a bloc
    m = place.search(norm.plain) if place is not None else None
    return f"{base} {norm.text[m.start('name'):m.end('name')]}" if m else base


def _names(keys: list[str], patterns: Patterns) -> list[str]:
    """Each key as the name of a unit: without the level it starts with ("xa cam vu" → "cam vu"), and a
    short form with no name of its own ("cong ty", "cong an tinh") as the longer name it starts."""
    names = [_name_key(k, patterns) for k in keys]
    ordered = sorted(set(names))
    out = []
    for name in names:
        generic = name in patterns.unit_agency_keys or name.rsplit(" ", 1)[-1] in patterns.unit_tail_words_folded
        k = bisect.bisect_left(ordered, name + " ") if generic else len(ordered)  # the first name that extends it
        out.append(ordered[k] if k < len(ordered) and ordered[k].startswith(name + " ") else name)
    return out


def _name_key(key: str, patterns: Patterns) -> str:
    """A unit key without the level it starts with: "xa cam vu" → "cam vu"."""
    for level in patterns.unit_levels_by_length:
        if key.startswith(level + " "):
            return key[len(level) + 1:]
    return key


def _issuing_body(norm: Normalised, header: list[UnitMention], patterns: Patterns) -> str:
    """The header's last unit, completed with the territory of the one above it when its name has
    none of its own: it stops at a level ("CÔNG AN TỈNH") or is only generic words ("KHỐI DOANH NGHIỆP")."""
    issuing = header[-1]
    written = norm.text[issuing.start:issuing.end]
    parent = header[-2] if len(header) > 1 else None
    if parent is None or not (issuing.level is None or issuing.level in patterns.unit_bloc_levels) \
            or parent.level_text is None:
        return written
    name = fold(issuing.name or "")
    if name.endswith(" " + fold(parent.level_text)):
        return f"{written} {parent.name}"  # "ĐẢNG ỦY CÔNG AN TỈNH" + "TÂY NINH"
    if name + " " in patterns.unit_lowercase_starts:
        return f"{written} {parent.level_text} {parent.name}"  # "ĐẢNG ỦY KHỐI DOANH NGHIỆP" + "TỈNH BÌNH DƯƠNG"
    return written


def _longest_form(norm: Normalised, named: list[UnitMention], keys: list[str], best: int) -> str:
    """The chosen unit as written, or the first mention that names it in full: a short form ("Đảng bộ
    Công ty", "… Công an tỉnh") goes on in that mention ("… Công ty Cà phê Việt Nam", "… tỉnh Tây Ninh")."""
    full = next((u for u, k in zip(named, keys) if k.startswith(keys[best] + " ")), None)
    unit = full if full is not None else named[best]
    return norm.text[unit.start:unit.end]


def _last_rated_year(published_on: str | None) -> int | None:
    if not published_on:
        return None
    year = int(published_on[:4])
    return year if int(published_on[5:7]) >= _RATED_FROM_MONTH else year - 1


@functools.lru_cache(maxsize=8)
def _year_words(patterns: Patterns) -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    def words(name: str) -> regex.Pattern:
        listed = sorted({fold(w) for w in patterns.page.lists[name].words}, key=len, reverse=True)
        return regex.compile(r"\b(?:" + "|".join(regex.escape(w) for w in listed) + r")\b")

    return words("rating"), words("forward"), words("decision")


def decide_year(norm: Normalised, mentions: Mentions, page: Page, dated: Date | None,
                patterns: Patterns) -> YearDecision:
    """The year the document reports on, from the evidence, strongest source first:
    - ``body``: the latest year named in a sentence about rating;
    - ``headline``: the latest year of the headline;
    - ``decision``: a dated rating decision ("Quyết định … ngày 4/1/2024": early in 2024, on 2023);
    - ``dateline``: the year before publication, or the same year from November;
    - ``caption``, ``other``: a year named in a caption or any other sentence.
    A year of the next tasks ("…, triển khai nhiệm vụ năm 2017"), of a target, or after the last year
    that can have been rated when the page came out is recorded but set aside. ``dated``: the page's
    publication date (``publication_date``)."""
    rating, forward, decision = _year_words(patterns)
    cap = _last_rated_year(dated.iso() if dated is not None else None)
    evidence = _named_years(norm, mentions, page, cap, rating, forward, patterns.phrases["year_leads_value"])
    evidence += _decision_years(norm, mentions, page, rating, decision, cap, patterns)
    if cap is not None:
        evidence.append(YearEvidence(cap, "dateline", dated.start, dated.end))
    evidence.sort(key=lambda e: e.start)
    for source in YEAR_SOURCES:
        usable = [e for e in evidence if e.source == source and e.set_aside is None]
        if usable:
            best = max(usable, key=lambda e: e.year)
            return YearDecision(best.year, source, _REASONS[source], tuple(evidence))
    return YearDecision(None, None, "no year is named and the page gives no date", tuple(evidence))


_REASONS = {
    "body": "the latest year named in a sentence about rating",
    "headline": "the latest year of the headline",
    "decision": "the year a dated rating decision reports on",
    "dateline": "the last year that can have been rated when the page was published",
    "caption": "the latest year named in a caption",
    "other": "the latest year named on the page",
}


def _named_years(norm: Normalised, mentions: Mentions, page: Page, cap: int | None, rating: regex.Pattern,
                 forward: regex.Pattern, leads_value: regex.Pattern) -> list[YearEvidence]:
    """Every year mention of the page's readable parts, with its source and why it is set aside."""
    found: list[YearEvidence] = []
    tokens, sentences, folded = mentions.tokens, mentions.sentences, norm.folded
    targets = _sentences_with_target(mentions)
    about_rating: dict[int, bool] = {}  # per sentence: a long one with many years is searched once
    i = -1
    while (i := mentions.symbols.find("Y", i + 1)) != -1:  # the years only, not a loop over every symbol
        tok = tokens[i]
        index = mentions.sentence_of[i]
        sentence = sentences[index]
        role = page.role(sentence.paragraph)
        if role not in READ and role not in ("header", "dateline"):
            continue
        if role == "body" and index not in about_rating:
            about_rating[index] = rating.search(folded[sentence.start:sentence.end]) is not None
        if role == "headline":
            source = "headline"
        elif role == "caption":
            source = "caption"
        elif role == "body" and about_rating[index]:
            source = "body"
        else:
            source = "other"
        found.append(YearEvidence(tok.value, source, tok.start, tok.end,
                                  _set_aside(tok, sentence, mentions.sentence_of[i] in targets, cap, rating, forward,
                                             folded, leads_value)))
    return found


def _sentences_with_target(mentions: Mentions) -> set[int]:
    """The sentences that state a target ("phấn đấu …"): their years are no year rated."""
    found = set()
    k = -1
    while (k := mentions.symbols.find("X", k + 1)) != -1:
        if mentions.tokens[k].code == "target":
            found.add(mentions.sentence_of[k])
    return found


def _set_aside(tok, sentence, in_target: bool, cap: int | None, rating: regex.Pattern, forward: regex.Pattern,
               folded: str, leads_value: regex.Pattern) -> str | None:
    before = folded[max(sentence.start, tok.start - _FORWARD_REACH):tok.start]
    ahead = None
    for ahead in forward.finditer(before):
        pass
    if ahead is not None and not rating.search(before, ahead.end()):
        return "forward-looking"
    if in_target:
        return "target"
    if cap is not None and tok.value > cap:
        return "after publication"
    if before.rstrip().endswith("(") and leads_value.match(folded, tok.end):
        return "compared with"  # "62 tổ chức cơ sở đảng (năm 2021: 63 tổ chức)": the year before, in passing
    return None


def _decision_years(norm: Normalised, mentions: Mentions, page: Page, rating: regex.Pattern,
                    decision: regex.Pattern, cap: int | None, patterns: Patterns) -> list[YearEvidence]:
    """Dates of rating decisions in the body: one made before November reports on the year before."""
    found = []
    for sentence in mentions.sentences:
        if page.role(sentence.paragraph) not in READ:
            continue
        text = norm.folded[sentence.start:sentence.end]
        if not (decision.search(text) and rating.search(text)):
            continue
        for date in calendar_dates(norm.folded, sentence.start, sentence.end, patterns):
            rated = date.year if date.month >= _RATED_FROM_MONTH else date.year - 1
            found.append(YearEvidence(rated, "decision", date.start, date.end,
                                      "after publication" if cap is not None and rated > cap else None))
    return found
