"""Resolve: run the shape grammar over the symbols and give each figure its subject, year and unit.

Context rules, in order:
- subject: the subject noun of the figure itself; else the nearest one before it in the sentence;
  else the previous figure's. A counting word ("đồng chí") means cán bộ inside a passage about
  cán bộ lãnh đạo, quản lý, and đảng viên otherwise.
- year: the nearest "năm Y" before the figure in its sentence, else one right after it, else the
  document's year. A figure in a clause with "bình quân" and a year range is a multi-year average.
- unit: the last unit named in the sentence up to the figure (a nameless "Đảng bộ xã" refers back to
  the last named unit of that level), else the reporting unit.
- a clause holding a distractor word (award, target, admission, …) yields no figure.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import regex

from .match import Mentions, Token, UnitMention
from .page import READ, Page
from .patterns import Patterns, ShapeEntry
from .units import unit_key

_CLAUSE_BREAK = regex.compile("[;|¶]")
_DECIMALS = regex.compile(r"[.,](\d+)")
_OPENER_REACH = 12  # characters: "Tại Đảng bộ xã A, …", "Riêng Đảng bộ xã A …" still open the sentence
_OPENER_SENTENCES = 30  # how many earlier sentences of the paragraph a sub-unit may reach
_SENTENCE_BREAK = regex.compile("[|¶]")
# after a year: a value of that year ("…, chiếm 15,3%, năm 2020 là 13,7%"), which the year leads; and
# a share alone that ends its clause, compared with in passing
_LEADS_VALUE = regex.compile("[w:]?[NFP]")
_LEADS_ASIDE = regex.compile("[w:]?P[;|¶]")
_WORDS = regex.compile(r"[^\W\d_]+")
_COUNTED = frozenset({"TONG_SO", "DA_DANH_GIA", "CHUA_DANH_GIA", "MIEN_DANH_GIA"})  # counts with no share of their own
_UNRATED = frozenset({"CHUA_DANH_GIA", "MIEN_DANH_GIA"})
_PERSONS = frozenset({"DANG_VIEN", "CAN_BO"})
_ORGANISATIONS = frozenset({"TCCSD", "CHI_BO", "TAP_THE", "DANG_BO_CAP_TREN"})


_PASSAGE_PARAGRAPHS = 4  # how many paragraphs back a passage's heading may lie
_PASSAGE_REACH = 2000  # characters back in a paragraph in which a statement's period is looked for
_UNSET = object()
_HEADING_LENGTH = 160  # characters: a heading is short …
_HEADING_END = regex.compile(r"[.;!?…]\s*$")  # … and is not a sentence
_YEAR_RANGE = regex.compile(r"(?<![\d/.])((?:19|20)\d{2})\s{0,2}[\-–—]\s{0,2}((?:19|20)\d{2})(?!\d)")


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) <= _HEADING_LENGTH and not _HEADING_END.search(paragraph)


# How far back or ahead a context rule looks, in symbols. Real sentences are far shorter; the bound
# keeps a pathological input (one "sentence" of 100 000 mentions) linear.
MAX_SCAN = 200


def _count_and_total(val: Token | None) -> tuple[int | None, int | None]:
    """A value's count, and the whole of a fraction (36/69 → 36, 69)."""
    if val is None:
        return None, None
    return val.value if val.sym == "F" else (val.value, None)


def _rule(token: Token | None) -> str | None:
    return token.rule if token is not None else None


def _qualifier(val: Token | None, pct: Token | None) -> str | None:
    """The hedge on a figure ("gần", "trên"): the value's, else the percent's."""
    if val is not None and val.qualifier:
        return val.qualifier
    return pct.qualifier if pct is not None else None


class Layout:
    """Positions in the symbol string, precomputed once so that context look-ups cost O(1). Each
    table has one entry per symbol index and one for the end. A table is constant between two
    occurrences of the symbols it follows, so it is built a stretch at a time from where those
    symbols occur: a Python loop over every symbol costs more than the rest of the stage, and NumPy
    costs more than both on the short symbol strings of most documents."""

    def __init__(self, symbols: str):
        n = len(symbols)
        sentence_breaks = _positions(symbols, _SENTENCE_BREAK)
        clause_breaks = _positions(symbols, _CLAUSE_BREAK)
        self.sentence_lo, self.sentence_hi = _after(sentence_breaks, n), _at_or_after(sentence_breaks, n)
        self.clause_lo, self.clause_hi = _after(clause_breaks, n), _at_or_after(clause_breaks, n)
        self.opened = _count(_positions(symbols, "("), n)
        self.closed = _count(_positions(symbols, ")"), n)
        self.averages = _count(_positions(symbols, "A"), n)
        self.last_subject = _steps(_positions(symbols, "S"), n, -1)  # the last S strictly before k, or -1
        self.last_year = _steps(_positions(symbols, "Y"), n, -1)
        ranges = _positions(symbols, "R")
        self.last_range = _steps(ranges, n, -1)
        self.next_range = _at_or_after(ranges, n)  # the first R at or after k, or n


def _positions(symbols: str, wanted: str | regex.Pattern) -> list[int]:
    """Where ``wanted`` (one symbol, or a pattern of one symbol) occurs, in order."""
    if not isinstance(wanted, str):
        return [m.start() for m in wanted.finditer(symbols)]
    found, k = [], symbols.find(wanted)
    while k != -1:
        found.append(k)
        k = symbols.find(wanted, k + 1)
    return found


def _steps(positions: list[int], n: int, before: int, values=None) -> list[int]:
    """For each index k in 0..n: ``values[i]`` where ``positions[i]`` is the last position before k
    (``positions[i]`` itself when ``values`` is None), or ``before`` when none is."""
    out: list[int] = []
    start, value = 0, before
    for p, v in zip(positions, positions if values is None else values):
        out += [value] * (p + 1 - start)
        value, start = v, p + 1
    out += [value] * (n + 1 - start)
    return out


def _after(positions: list[int], n: int) -> list[int]:
    """For each index: the index after the last position before it, or 0."""
    return _steps(positions, n, 0, [p + 1 for p in positions])


def _at_or_after(positions: list[int], n: int) -> list[int]:
    """For each index: the first position at or after it, or n."""
    return _steps(positions, n, positions[0] if positions else n, positions[1:] + [n])


def _count(positions: list[int], n: int) -> list[int]:
    """For each index k: how many positions lie before k."""
    return _steps(positions, n, 0, range(1, len(positions) + 1))


@dataclass(slots=True)
class Draft:
    """A figure before emission: offsets are into the normalised text."""

    rule: str
    category: str
    label: str | None
    subject: str
    year: int | None
    period: tuple[int, int] | None
    unit: str | None
    count: int | None
    total: int | None
    percent: float | None
    percent_of: str | None
    change: dict | None
    qualifier: str | None
    covers: list[str] | None
    start: int
    end: int
    rules: list[str] = field(default_factory=list)
    percent_of_source: str | None = None
    derived: list[str] = field(default_factory=list)
    percent_decimals: int = 2  # as written: "68,41%" has 2, "7,3%" 1, "85%" 0
    # The figure a "trong đó" before this one breaks down, if any (its category may or may not
    # contain this one's: the check stage decides).
    after_nesting: "Draft | None" = None
    symbols: tuple[int, int] = (0, 0)  # the figure's range in the symbol string
    paragraph: int = 0
    year_source: str | None = None  # which context rule gave the year (see Resolver._year)
    unit_source: str | None = None  # which context rule gave the unit (see Resolver._unit)
    repeat_of: "Draft | None" = None  # an earlier figure this one states again


@dataclass
class Context:
    reporting_unit: str | None
    year: int | None
    page: Page | None = None  # the parts of the page; without it every paragraph is body text


@dataclass(slots=True)
class Attempt:
    """One shape tried at one place, for ``xeploai explain``: what came of it."""

    shape: str
    symbols: tuple[int, int]
    outcome: str
    drafts: list[Draft] = field(default_factory=list)


class Resolver:
    def __init__(self, mentions: Mentions, folded: str, text: str, patterns: Patterns, context: Context,
                 trace: list[Attempt] | None = None):
        self.m = mentions
        self.trace = trace  # when a list: every shape tried and its outcome
        self.reasons: list[str] = []  # why the figures of the match being built were ruled out
        self.page_period = _UNSET  # the term of the page's headline, once looked up
        self.tokens = mentions.tokens
        self.symbols = mentions.symbols
        self.folded = folded
        self.text = text
        self.patterns = patterns
        self.phrase = patterns.phrases
        self.context = context
        self.drafts: list[Draft] = []
        self.population_at: set[int] = set()  # sentence indexes where a population figure was taken
        self.last_match_end: int | None = None
        # Named units by level and by head, with their start offsets, for "the last xã named before".
        self.named_before: dict[tuple[str, str | None], tuple[list[UnitMention], list[int]]] = {}
        for unit in mentions.units:
            if unit.name:
                for key in (("level", unit.level), ("head", unit.head)):
                    named, starts = self.named_before.setdefault(key, ([], []))
                    named.append(unit)
                    starts.append(unit.start)
        self.unit_starts = [u.start for u in mentions.units]
        self.population_rules = {entry.id for entry, _ in patterns.shapes if entry.category_from == "population"}
        self.layout = Layout(self.symbols)
        # Each paragraph's span, and the first symbol of each paragraph's first sentence.
        self.paragraphs: dict[int, tuple[int, int]] = {}
        for sentence in mentions.sentences:
            lo, _ = self.paragraphs.get(sentence.paragraph, (sentence.start, sentence.end))
            self.paragraphs[sentence.paragraph] = (lo, sentence.end)

    # --- grammar -----------------------------------------------------------------------------
    def run(self) -> list[Draft]:
        """At the leftmost position where any shape matches, try the shapes in their listed order;
        take the first whose requirements hold and that yields a figure, then go on after it.
        Each shape finds all the positions where it matches in one pass (a regex engine searches
        for one pattern fast, and character by character for an alternation of all of them)."""
        matches_at: dict[int, list[tuple[ShapeEntry, regex.Match]]] = {}
        for entry, rx in self.patterns.shapes:
            for match in rx.finditer(self.symbols, overlapped=True):
                matches_at.setdefault(match.start(), []).append((entry, match))
        pos = 0
        for at in sorted(matches_at):
            if at < pos:
                if self.trace is not None:
                    self.trace.extend(Attempt(e.id, m.span(), "inside the match before") for e, m in matches_at[at])
                continue
            for entry, match in matches_at[at]:
                failed = self._failed_requirement(entry, match)
                if failed is not None:
                    self._note(entry, match, f"requirement {failed} does not hold")
                    continue
                self.reasons = []
                drafts = self._build(entry, match)
                if not drafts:
                    self._note(entry, match, "gives no figure")
                    continue
                # a figure, or one ruled out (a distractor's): either way the match is used
                made = [d for d in drafts if d is not None]
                self._note(entry, match, "figure" if made else "ruled out: " + "; ".join(self.reasons), made)
                self.drafts.extend(made)
                pos = self.last_match_end = match.end()
                break
        self.drafts.sort(key=lambda d: (d.start, d.end))
        self._complete_elliptical_changes()
        return self.drafts

    def _complete_elliptical_changes(self) -> None:
        """"(bằng 75,68% và tăng 5,4%)" after "… giảm 2,7% so với năm 2021": the year compared with
        carries over within the paragraph."""
        since, paragraph = None, None
        for d in self.drafts:
            here = self.m.sentences[self.m.sentence_of[d.symbols[0]]].paragraph
            if here != paragraph:
                since, paragraph = None, here
            if d.change is None:
                continue
            if d.change["since"] is None and since is not None:
                d.change = {**d.change, "since": since}
            since = d.change["since"] or since

    def _note(self, entry: ShapeEntry, match: regex.Match, outcome: str, drafts: list[Draft] = ()) -> None:
        if self.trace is not None:
            self.trace.append(Attempt(entry.id, match.span(), outcome, list(drafts)))

    def _failed_requirement(self, entry: ShapeEntry, match: regex.Match) -> str | None:
        """The first requirement of the shape that does not hold at this match, if any."""
        return next((need for need in entry.requires if not self._requirement_holds(need, entry, match)), None)

    def _requirement_holds(self, need: str, entry: ShapeEntry, match: regex.Match) -> bool:
        return self._requirements_hold(entry.model_copy(update={"requires": [need]}), match)

    def _requirements_hold(self, entry: ShapeEntry, match: regex.Match) -> bool:
        """Whether every check the shape ``requires`` holds on the text around the match."""
        return all(REQUIREMENTS[need](self, match) for need in entry.requires)

    def _category_before(self, index: int) -> int | None:
        lo = max(self.layout.sentence_lo[index], index - MAX_SCAN)
        k = self.symbols.rfind("C", lo, index)
        return k if k != -1 else None

    def _continues_list(self, index: int) -> bool:
        """The previous figure is in this sentence and nothing but names and punctuation lies between."""
        if self.last_match_end is None or not self.drafts:
            return False
        if self.m.sentence_of[self.last_match_end - 1] != self.m.sentence_of[index]:
            return False
        if index - self.last_match_end > MAX_SCAN:
            return False
        between = self.symbols[self.last_match_end:index]
        if "(" in between and self.drafts[-1].rule in self.population_rules and self.symbols[index] != "Y":
            # "12 chi bộ trực thuộc (8 chi bộ thôn, 4 chi bộ cơ quan)": a breakdown, not more figures; but
            # "62 tổ chức cơ sở đảng (năm 2021: 63 tổ chức)" gives the year before
            return False
        return not any(ch in "CNFPXDT" for ch in between)

    def _nesting_before(self, index: int) -> bool:
        """A "trong đó" before ``index`` in its paragraph."""
        return self._last_nesting(index) != -1

    def _last_nesting(self, index: int) -> int:
        """The index of the nearest "trong đó" (T) before ``index`` in its paragraph, else -1."""
        lo = max(0, index - MAX_SCAN)
        k = self.symbols.rfind("T", lo, index)
        return k if k > self.symbols.rfind("¶", lo, index) else -1

    def _population_word_before(self, index: int) -> bool:
        """'… có 69 tổ chức cơ sở đảng', 'Đối với 68 cán bộ …', or the next item after a population
        figure of the same sentence ('…, 584 chi bộ trực thuộc với 6.185 đảng viên')."""
        lo = self.layout.sentence_lo[index]
        prev = next((k for k in range(index - 1, max(lo, index - MAX_SCAN) - 1, -1)
                     if self.symbols[k] not in "();:,&w"), None)
        gap_start = self.tokens[prev].end if prev is not None else self.m.sentences[self.m.sentence_of[index]].start
        if self.phrase["population_word"].search(self.folded[gap_start:self.tokens[index].start]):
            return True
        if prev is not None and self.symbols[prev] == "T":
            return False  # "418 đảng viên, trong đó 162 đảng viên là bác sĩ": a breakdown, not another population
        if self.m.sentence_of[index] in self.population_at \
                and self.phrase["with_before"].search(self.folded[gap_start:self.tokens[index].start]):
            return True  # "… có 26 chi bộ trực thuộc, sinh hoạt theo khoa, phòng, với 418 đảng viên"
        if prev is not None and self._structure_count(prev, lo):
            # "… có 04 đảng bộ bộ phận, 32 chi bộ trực thuộc với 687 đảng viên": a list led by a structure count
            return self._population_word_before(prev - 1)
        if self.m.sentence_of[index] not in self.population_at or prev is None:
            return False
        return self._after_population_breakdown(index, lo) or self._next_population_item(index, lo, prev)

    def _structure_count(self, k: int, lo: int) -> bool:
        """A structure noun (O) at ``k`` right after a count that is not zero."""
        return self.symbols[k] == "O" and k > lo and self.symbols[k - 1] in "NF" and self.tokens[k - 1].value != 0

    def _next_population_item(self, index: int, lo: int, prev: int) -> bool:
        """Only punctuation since the previous mention, outside parentheses: the next item of a list of
        populations."""
        layout = self.layout
        inside_parentheses = layout.opened[index] - layout.opened[lo] > layout.closed[index] - layout.closed[lo]
        return not inside_parentheses and all(ch in ",;&()" for ch in self.symbols[prev + 1:index])

    def _threshold_of_units(self, first: int, cat: Token) -> bool:
        """"4/29 đảng bộ bộ phận có tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ đạt trên 16% là: …": the
        percent after a count of units that have a rate is the threshold they meet."""
        lo = self.layout.sentence_lo[first]
        k = next((k for k in range(first - 1, max(lo, first - MAX_SCAN) - 1, -1) if self.symbols[k] in "NF"), None)
        return k is not None and bool(self.phrase["rate_of"].search(self.folded, self.tokens[k].end, cat.start))

    def _pool_of_named(self, index: int) -> bool:
        """'Trong 12 tập thể ban thường vụ …, Ban Thường vụ Đảng ủy Công ty X được xếp loại hoàn thành
        xuất sắc nhiệm vụ': the count opens a pool from which named units are rated, and no other
        value follows in its sentence."""
        lo, hi = self.layout.sentence_lo[index], self.layout.sentence_hi[index]
        prev = next((k for k in range(index - 1, max(lo, index - MAX_SCAN) - 1, -1)
                     if self.symbols[k] not in "();:,&w"), None)
        start = self.tokens[prev].end if prev is not None else self.m.sentences[self.m.sentence_of[index]].start
        if not self.phrase["pool"].search(self.folded[start:self.tokens[index].start]):
            return False
        rest = self.symbols[index + 1:min(hi, index + 1 + MAX_SCAN)]
        return "C" in rest and not any(ch in rest for ch in "NFP")

    def _after_population_breakdown(self, index: int, lo: int) -> bool:
        """'… 47 chi bộ trực thuộc (32 chi bộ ấp, 15 chi bộ cơ quan) với 1.912 đảng viên': the value
        follows a breakdown in parentheses of the population figure just read."""
        k = index - 1
        while k >= lo and self.symbols[k] in ",&":
            k -= 1
        if k < lo or self.symbols[k] != ")" or self.last_match_end is None:
            return False
        depth = 0
        for j in range(k, max(lo, k - MAX_SCAN) - 1, -1):
            depth += (self.symbols[j] == ")") - (self.symbols[j] == "(")
            if depth == 0:
                return j == self.last_match_end and self.drafts[-1].rule in self.population_rules
        return False

    # --- building figures -------------------------------------------------------------------
    def _build(self, entry: ShapeEntry, match: regex.Match) -> list[Draft | None]:
        """The figures of one match of a shape: one per value (one per category, subject or year where
        the shape says so)."""
        names = match.re.groupindex
        vals = match.starts("val") if "val" in names else []
        pct = self._group_token(match, names, "pct")
        chg = self._group_token(match, names, "chg")
        base = self._group_token(match, names, "base")
        cat, subj = self._category_and_subject(entry, match, names, vals)
        label_span = self._label_span(match, names)
        grouped = self._one_per_group(entry, match, names, vals, cat, pct, chg, base, subj)
        if grouped is not None:
            return grouped
        if cat is None and label_span is None:
            return []
        unit = self._group_token(match, names, "unit")
        drafts = []
        for v, val, own_pct, own_subj, parts in self._values(entry, match, names, vals, cat, pct, chg, subj):
            draft = self._draft(entry, match, v if v is not None else match.start(), val, cat, own_pct, chg, base,
                                own_subj, label_span, parts)
            if draft is not None and unit is not None:
                draft.unit, source = self.resolve_unit(unit.value)
                draft.unit_source = "figure" if source == "sentence" else source
            drafts.append(draft)
        if "pval" in names and match.start("pval") != -1:
            drafts.append(self._previous_year_value(entry, match, names, cat, subj, label_span))
        return drafts

    def _previous_year_value(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int], cat: Token | None,
                             subj: Token | None, label_span: tuple[int, int] | None) -> Draft | None:
        """The value of the year compared with, in parentheses after the match's value ("(năm 2021: 11 tổ
        chức)"): a figure of the same group, of that year."""
        k = match.start("pval")
        year, val, pct = self.tokens[match.start("pyear")], self.tokens[k], self._group_token(match, names, "ppct")
        noun = self._group_token(match, names, "psubj")
        if noun is not None and noun.sym == "S" and subj is not None and subj.sym == "S" and noun.code != subj.code:
            return None  # "(năm 2021: 10 đảng viên)" after organisations: not the same group
        draft = self._draft(entry, match, k, val, cat, pct, None, None, subj, label_span,
                            [t for t in (year, val, noun, pct) if t is not None])
        if draft is not None:
            draft.year, draft.period, draft.year_source = year.value, None, "parenthesis"
        return draft

    def _one_per_group(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int], vals: list[int],
                       cat: Token | None, pct: Token | None, chg: Token | None, base: Token | None,
                       subj: Token | None) -> list[Draft | None] | None:
        """The figures of a match that gives one per year (``respective_years``), per category
        (``each_category``, ``respective_categories``), or per subject when one share, or a zero, is stated
        for several; None otherwise."""
        if entry.respective_years:
            return self._respective(entry, match, cat, subj)
        if entry.respective_categories:
            return self._respective_categories(entry, match, names, subj)
        if entry.each_category:
            val = self.tokens[vals[0]]
            return [self._draft(entry, match, vals[0], val, self.tokens[k], None, None, None, subj, None,
                                [t for t in (val, subj, self.tokens[k]) if t is not None]) for k in match.starts("cat")]
        subjects = match.starts("subj") if "subj" in names else []
        if len(subjects) > 1:
            return self._per_subject(entry, match, names, vals, subjects, cat, pct, chg, base)
        return None

    def _per_subject(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int], vals: list[int],
                     subjects: list[int], cat: Token | None, pct: Token | None, chg: Token | None,
                     base: Token | None) -> list[Draft | None] | None:
        """One figure per subject of a match that names several: when one share, or one share each, is
        stated for them ("95,6% tổ chức cơ sở đảng và 98,9% đảng viên …"), or a zero ("không có tập thể, cá
        nhân không hoàn thành nhiệm vụ"); None otherwise."""
        if not vals:
            percents = match.starts("pct") if "pct" in names else []
            shares = [self.tokens[k] for k in percents] if len(percents) == len(subjects) else [pct] * len(subjects)
            return [self._draft(entry, match, match.start(), None, cat, share, chg, base, self.tokens[k], None,
                                [share, self.tokens[k], cat]) for k, share in zip(subjects, shares)]
        if len(vals) == 1 and self.tokens[vals[0]].value == 0:
            val = self.tokens[vals[0]]
            return [self._draft(entry, match, vals[0], val, cat, None, None, None, self.tokens[k], None,
                                [val, self.tokens[k], cat]) for k in subjects]
        return None

    def _category_and_subject(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int],
                              vals: list[int]) -> tuple[Token | None, Token | None]:
        """The category of a match, from its `cat` group or where the shape's `category_from` says, and
        its subject."""
        subj = self._group_token(match, names, "subj") or self._group_token(match, names, "subj2")
        cat = self._group_token(match, names, "cat")
        if entry.category_from == "population":
            cat = Token("C", self.tokens[vals[0]].start, self.tokens[vals[0]].start, code="TONG_SO")
            self.population_at.add(self.m.sentence_of[vals[0]])
        elif entry.category_from == "previous_figure":
            prev = self.drafts[-1]
            at = self.tokens[match.start()].start
            cat = Token("C", at, at, code=prev.category, label=prev.label, covers=prev.covers)
        elif entry.category_from == "sentence":
            k = self._category_before(match.start())
            header = self.tokens[k]
            at = self.tokens[match.start()].start
            cat = Token("C", at, at, code=header.code, label=header.label, covers=header.covers)
            j = self.layout.last_subject[k]
            subj = self.tokens[j] if j >= self.layout.sentence_lo[k] else subj
        return cat, subj

    def _label_span(self, match: regex.Match, names: dict[str, int]) -> tuple[int, int] | None:
        """The span of the `label` group (a category as written), from its first letter."""
        if "label" not in names or match.start("label") == -1:
            return None
        first, last = self.tokens[match.start("label")], self.tokens[match.end("label") - 1]
        start = first.start
        while start < last.end and not self.text[start].isalnum():
            start += 1
        return start, last.end

    def _values(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int], vals: list[int],
                cat: Token | None, pct: Token | None, chg: Token | None, subj: Token | None):
        """For each value of a match (or none): its index, token, percent, subject and the tokens of its
        span. Coordinated counts each take the subject after them and their own share when each has one:
        "14 tổ chức (chiếm 13,59%) và 962 đảng viên (chiếm 15,2%)"."""
        if not vals:
            vals = [None]
        span_start, span_end = self.tokens[match.start()].start, self.tokens[match.end() - 1].end
        own_percents = match.starts("pct") if "pct" in names and len(vals) > 1 else []
        if len(own_percents) != len(vals):
            own_percents = []
        for k, v in enumerate(vals):
            val = self.tokens[v] if v is not None else None
            own_pct = self.tokens[own_percents[k]] if own_percents else pct
            own_subj = self._own_subject(entry, match, subj, v if len(vals) > 1 else None)
            inside = own_subj is not None and span_start <= own_subj.start < span_end
            shown_pct = own_pct if k == len(vals) - 1 or own_percents else None  # a shared share: with the last
            parts = [t for t in (val, own_subj if inside else None, cat, shown_pct, chg) if t is not None]
            yield v, val, own_pct, own_subj, parts

    def _own_subject(self, entry: ShapeEntry, match: regex.Match, subj: Token | None, v: int | None) -> Token | None:
        """The subject of one value: the match's, or for one of coordinated values (``v``) the noun right
        after it; a counting word stands for the match's subject noun when it has one."""
        if v is not None:
            after = self.tokens[v + 1] if v + 1 < len(self.tokens) else None
            subj = after if after is not None and after.sym in "Ss" else None
        if subj is not None and subj.sym == "s" and entry.subject_from == "sentence":
            return self._strong_subject(match, subj)
        return subj

    def _strong_subject(self, match: regex.Match, counting: Token) -> Token:
        """For a counting word ("đồng chí"), the subject noun of the match it may stand for, if any (not
        one after "được"/"bởi", which acts)."""
        strong = [t for t in self.tokens[match.start():match.end()] if t.sym == "S" and t.code in counting.kinds
                  and not self.phrase["agent"].search(self.folded, max(0, t.start - 8), t.start)]
        return strong[0] if strong else counting

    def _respective(self, entry: ShapeEntry, match: regex.Match, cat: Token, subj: Token | None) -> list[Draft | None]:
        """One figure per percent, for the years named before them in the same order (a period
        "2016 - 2017" names each of its years); none when the counts differ."""
        percents = match.starts("pct")
        years = self._years_in(match.start(), percents[0])
        if not years:  # "Năm 2014 … năm 2015 … năm 2016 … . Tỷ lệ … trong ba năm lần lượt là …": the years just named
            lo = self.layout.sentence_lo[match.start()]
            before = self.layout.sentence_lo[lo - 1] if lo > 0 else 0
            if lo > 0 and self.m.sentences[self.m.sentence_of[before]].paragraph == self.m.sentences[
                    self.m.sentence_of[lo]].paragraph:
                years = list(dict.fromkeys(self._years_in(before, lo)))
        if len(years) != len(percents):
            return []
        drafts = []
        for k, (p, year) in enumerate(zip(percents, years)):
            pct = self.tokens[p]
            parts = [pct] if k else [t for t in (cat, pct, subj) if t is not None]
            draft = self._draft(entry, match, match.start(), None, cat, pct, None, None, subj, None, parts)
            if draft is not None:
                draft.year, draft.period, draft.year_source = year, None, "respective"
            drafts.append(draft)
        return drafts

    def _respective_categories(self, entry: ShapeEntry, match: regex.Match, names: dict[str, int],
                               subj: Token | None) -> list[Draft | None]:
        """One figure per value, for the categories named before them in the same order, each with its
        share when as many are stated after the values; none when the counts differ."""
        cats = match.starts("cat")
        vals = match.starts("val") if "val" in names else []
        percents = match.starts("pct") if "pct" in names else []
        values = vals or percents
        if len(values) != len(cats) or (vals and percents and len(percents) != len(vals)):
            return []
        drafts = []
        for k, (c, v) in enumerate(zip(cats, values)):
            cat, value = self.tokens[c], self.tokens[v]
            val = value if vals else None
            pct = self.tokens[percents[k]] if percents else None
            parts = [t for t in (subj if k == 0 else None, cat, value, pct) if t is not None]
            drafts.append(self._draft(entry, match, v, val, cat, pct, None, None, subj, None, parts))
        return drafts

    def _years_in(self, lo: int, hi: int) -> list[int]:
        """The years the symbols [lo, hi) name, in order (a period "2016 - 2017" names each of its years)."""
        years: list[int] = []
        for k in range(lo, hi):
            tok = self.tokens[k]
            if tok.sym == "Y":
                years.append(tok.value)
            elif tok.sym == "R":
                years.extend(range(tok.value[0], tok.value[1] + 1))
        return years

    def _group_token(self, match: regex.Match, names: dict[str, int], name: str) -> Token | None:
        """The token of the group ``name`` (of the shape's groups ``names``), if the match has it."""
        if name not in names:
            return None
        at = match.start(name)
        return self.tokens[at] if at != -1 else None

    def _ruled_out(self, entry: ShapeEntry, match: regex.Match, first: int, val, cat, subj) -> str | None:
        """Why a match gives no figure, if it does not: the name of the rule that rules it out."""
        if self._distractor_in_clause(first, match.end(), cat.code if cat is not None else None):
            return "a distractor in its clause"
        if self._by_threshold(entry, match, first, val, cat, subj):
            return "units counted by a threshold"
        if val is not None and self._pool_of_named(self.tokens.index(val, first, match.end())):
            return "a pool whose named member is rated"
        if cat is not None and cat.code == "TONG_SO" and subj is not None and subj.part:
            return "a structure count"  # "tổng số 28 đảng bộ cơ sở"
        paragraph = self.m.sentences[self.m.sentence_of[first]].paragraph
        if self.context.page is not None and self.context.page.role(paragraph) not in READ:
            # a teaser, a menu, the footer or a report's header block: not the article's figures
            return f"in the page's {self.context.page.role(paragraph)}"
        return None

    def _by_threshold(self, entry: ShapeEntry, match: regex.Match, first: int, val, cat, subj) -> bool:
        """A count of units that meet a threshold, or the threshold they meet, not a rating."""
        if val is not None:
            return self._counts_units_by_threshold(match, val, cat, subj)
        return entry.category_from == "text" and self._threshold_of_units(first, cat)

    def _rule_out(self, reason: str) -> None:
        self.reasons.append(reason)

    def _draft(self, entry, match, anchor, val, cat, pct, chg, base, subj, label_span, parts) -> Draft | None:
        """The figure of one value of a match, with its year, unit and subject from the context; None
        (and the reason in the trace) when a rule rules it out."""
        first = min(match.start(), anchor)
        reason = self._ruled_out(entry, match, first, val, cat, subj)
        if reason is not None:
            return self._rule_out(reason)
        if label_span is not None:  # a category only the label names: KHAC, its span in the evidence
            category, label = "KHAC", self.text[label_span[0]:label_span[1]].strip(" ;,:")
            parts = parts + [Token("w", *label_span)]
        else:
            category, label = cat.code, cat.label
        subject = self._subject(first, subj, inherit=entry.subject_from == "previous_figure")
        year, period, year_source = self._year(first, match.end())
        if year_source == "none":
            return self._rule_out("every year of a period the text does not name")
        unit, unit_source = self._unit(first, match.end())
        change = self._change(chg, first, year, category, val is not None and pct is None) if chg is not None else None
        if val is None and pct is None and change is not None \
                and self._given_to_figure_before(change, first, subject, category, year, unit):
            return self._rule_out("the change of the figure before it")
        count, total = _count_and_total(val)
        start, end = self._evidence(parts)
        return Draft(
            rule=entry.id, category=category, label=label, subject=subject,
            year=year, period=period, unit=unit, count=count, total=total,
            **self._percent_fields(pct, base), change=change, qualifier=_qualifier(val, pct),
            covers=cat.covers if cat is not None else None, start=start, end=end,
            rules=[r for r in (_rule(cat), entry.id, _rule(val), _rule(pct), _rule(chg), _rule(base)) if r],
            after_nesting=self._nesting_parent(first), symbols=(first, match.end()),
            paragraph=self.m.sentences[self.m.sentence_of[first]].paragraph, year_source=year_source,
            unit_source=unit_source,
        )

    def _percent_fields(self, pct: Token | None, base: Token | None) -> dict:
        """The percent as stated, its decimals as written, and the base stated with it."""
        stated_base = {"percent_of": base.code if base is not None else None,
                       "percent_of_source": "stated" if base is not None else None}
        if pct is None:
            return {"percent": None, "percent_decimals": 2, **stated_base}
        return {"percent": pct.value, "percent_decimals": _decimals(self.text[pct.start:pct.end]), **stated_base}

    def _given_to_figure_before(self, change: dict, first: int, subject: str, category: str, year: int | None,
                                unit: str | None) -> bool:
        """A change stated alone belongs to the latest figure before it of the same group, when that has
        none: "…: 29 đồng chí, chiếm 0,31%. So với năm 2022, tỷ lệ này giảm 0,12%." """
        stated = self._stated_before(first, subject, category, year, unit)
        if stated is None or stated.change is not None:
            return False
        stated.change = change
        return True

    def _evidence(self, parts: list[Token]) -> tuple[int, int]:
        """The span of a figure's tokens, with the parenthesis it opened closed: "(chiếm 96,74%)"."""
        start = min(t.start for t in parts)
        end = max(t.end for t in parts)
        if self.text.startswith(")", end) and self.text.count("(", start, end) > self.text.count(")", start, end):
            end += 1
        return start, end

    def _change(self, chg: Token, first: int, year: int | None, category: str, count_only: bool) -> dict:
        """The change as stated, with the year compared with when its sentence opens with it ("So với
        năm 2022, tỷ lệ đảng viên không hoàn thành nhiệm vụ giảm 0,12%") or names the year before ("so
        với năm trước"). A change in percent of a count of members or organisations, which no share
        is stated for, is relative: "7.115 đồng chí (giảm 1,3% so với năm 2020)"."""
        change = dict(chg.value)
        if change["since"] is None:
            sentence = self.m.sentences[self.m.sentence_of[first]]
            since = self.phrase["since_year"].search(self.folded, sentence.start, chg.start)
            if since:
                change["since"] = int(since.group(1))
            elif year is not None and self.phrase["year_before"].match(self.folded, chg.end):
                change["since"] = year - 1
        if change["unit"] == "pp" and count_only and category in _COUNTED:
            change["unit"] = "percent"
        return change

    def _stated_before(self, first: int, subject: str, category: str, year: int | None, unit: str | None) -> Draft | None:
        """The latest figure of the paragraph with this subject, category, year and unit."""
        paragraph = self.m.sentences[self.m.sentence_of[first]].paragraph
        for d in self.drafts[:-MAX_SCAN - 1:-1]:  # the nearest figures only
            if d.paragraph != paragraph:
                return None
            if (d.subject, d.category, d.year, d.unit) == (subject, category, year, unit):
                return d
        return None

    def _total_then_part(self, vals: list[int]) -> bool:
        """"có 15 chi bộ trực thuộc, với 1 chi bộ hoàn thành xuất sắc nhiệm vụ": two counts of the same
        noun, a comma between, are a total and a part of it, not coordinated counts of one category."""
        if len(vals) < 2:
            return False
        first, second = vals[0], vals[1]
        nouns = [self.tokens[k + 1] if k + 1 < len(self.tokens) else None for k in (first, second)]
        return (all(n is not None and n.sym == "S" for n in nouns) and nouns[0].code == nouns[1].code
                and self.symbols[first + 2:second] == ",")

    def _counts_units_by_threshold(self, match: regex.Match, val: Token, cat: Token | None, subj: Token | None) -> bool:
        """"6/15 đảng bộ có tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên trên 93%": the count is of
        units meeting a threshold, not a rating — its units "have a rate" ("có tỷ lệ") of the category,
        or are organisations while the category and percent are of members."""
        if "val" not in match.re.groupindex or len(match.starts("val")) != 1:
            return False
        if cat is not None and cat.start > val.end and self.phrase["rate_of"].search(self.folded, val.end, cat.start):
            return True
        if subj is None or subj.code not in _ORGANISATIONS:
            return False
        groups = [name for name in ("subj", "same", "psubj") if name in match.re.groupindex]
        own = {k for name in groups for k in match.starts(name)}  # the groups the figures are of
        return any(self.tokens[k].sym == "S" and self.tokens[k].code in _PERSONS
                   for k in range(match.start(), match.end()) if k not in own)

    def _nesting_parent(self, first: int) -> Draft | None:
        """The figure just before the nearest "trong đó" that precedes ``first`` in its paragraph."""
        k = self._last_nesting(first)
        if k == -1:
            return None
        layout = self.layout
        depth = layout.opened[k] - layout.closed[k]
        # not a figure inside a parenthesis closed before the "trong đó": "1.392 đồng chí … (126 … miễn,
        # 20 … chưa xếp loại), trong đó 1.300 …" breaks down the 1.392
        return next((d for d in reversed(self.drafts) if d.symbols[1] <= k
                     and layout.opened[d.symbols[0]] - layout.closed[d.symbols[0]] <= depth), None)

    # --- context ----------------------------------------------------------------------------
    def _clause(self, first: int, last: int) -> tuple[int, int]:
        """Symbol range [lo, hi) of the clause around [first, last)."""
        return self.layout.clause_lo[first], self.layout.clause_hi[last]

    def _sentence(self, first: int) -> tuple[int, int]:
        return self.layout.sentence_lo[first], self.layout.sentence_hi[first]

    def _distractor_in_clause(self, first: int, last: int, category: str | None = None) -> bool:
        """A distractor word before the figure in its clause, or inside it, rules it out; one after it
        only when no other value stands between. A parenthetical remark the figure is not in does not
        count. Targets and rules reach back from anywhere earlier in the sentence. A structure change
        ("mới thành lập sau sáp nhập") explains why units were not rated, so it spares that figure."""
        s_lo, _ = self._sentence(first)
        lo, hi = self._clause(first, last)
        if self.symbols.find("X", max(s_lo, first - MAX_SCAN), min(max(hi, last), last + MAX_SCAN)) == -1:
            return False  # the usual case: no distractor anywhere the rules below look
        spared = "structure" if category == "CHUA_DANH_GIA" else None

        def distractor(k: int) -> bool:
            return self.symbols[k] == "X" and self.tokens[k].code != spared

        depth = 0
        for k in range(first, last):
            depth += (self.symbols[k] == "(") - (self.symbols[k] == ")")
            if depth <= 0 and distractor(k):
                return True
        for k in self._top_level_before(first, max(s_lo, first - MAX_SCAN)):
            if distractor(k) and (k >= lo or self.tokens[k].value == "rest_of_sentence"):
                return True
        if self.symbols[last - 1] == "D":  # what follows a change is its reason ("giảm 02 … do sáp nhập")
            return False
        return self._distractor_after(last, hi, distractor)

    def _distractor_after(self, last: int, hi: int, distractor) -> bool:
        """A distractor after the figure in its clause, outside parentheses, with no other value before
        it and not introduced as the figure's reason."""
        depth = 0
        for k in range(last, min(hi, last + MAX_SCAN)):
            sym = self.symbols[k]
            if sym == "(":
                depth += 1
            elif sym == ")":
                depth = max(0, depth - 1)
            elif sym in "NFPD":  # another value, or a change whose reason follows
                return False
            elif depth == 0 and distractor(k):
                # "37 đồng chí chưa đánh giá do ốm đau, đi học tập trung": a reason, not a distractor
                return not self.phrase["reason"].search(self.text, self._mention_end(last), self.tokens[k].start)
        return False

    def _mention_end(self, last: int) -> int:
        """Where the last mention before symbol ``last`` ends (a punctuation symbol spans its whole gap)."""
        k = last - 1
        while k > 0 and self.symbols[k] in "();:,&w|¶":
            k -= 1
        return self.tokens[k].end

    def _subject(self, first: int, subj: Token | None, inherit: bool = False) -> str:
        if subj is not None and subj.sym == "S":
            return subj.code
        if inherit and self.drafts:
            return self.drafts[-1].subject
        previous = self.drafts[-1].subject if self.drafts else None
        if subj is not None:
            return self._subject_of_kind(first, frozenset(subj.kinds), previous) or subj.code
        lo, _ = self._sentence(first)
        header = self._subject_outside_parentheses(max(lo, first - MAX_SCAN), first)
        if header is not None:
            return header.code
        if previous:
            return previous
        earlier = self.layout.last_subject[first]
        return self.tokens[earlier].code if earlier >= 0 else "TCCSD"

    def _subject_outside_parentheses(self, lo: int, first: int) -> Token | None:
        """The nearest subject noun before ``first`` that is not inside a parenthetical breakdown; of a
        noun that another one qualifies ("Tập thể cấp ủy các tổ chức cơ sở đảng"), the head noun."""
        k = next((k for k in self._top_level_before(first, lo) if self.symbols[k] == "S"), None)
        if k is None:
            return None
        while k - 1 >= lo and self.symbols[k - 1] == "S" and self._qualifies(k - 1, k):
            k -= 1
        return self.tokens[k]

    def _qualifies(self, head: int, noun: int) -> bool:
        """Only words that join a noun to its complement ("các", "của", "thuộc") stand between the two."""
        words = _WORDS.findall(self.folded, self.tokens[head].end, self.tokens[noun].start)
        return bool(words) and all(w in self.patterns.subject_joiners for w in words)

    def _top_level_before(self, first: int, lo: int):
        """Indexes from ``first - 1`` back to ``lo`` that lie outside parentheses closed on the way."""
        depth = 0
        for k in range(first - 1, lo - 1, -1):
            sym = self.symbols[k]
            if sym == ")":
                depth += 1
            elif sym == "(":
                depth = max(0, depth - 1)
            elif depth == 0:
                yield k

    def _subject_of_kind(self, first: int, kind: frozenset[str], previous: str | None) -> str | None:
        """The latest subject of this kind named earlier in the paragraph; else the first one the heading
        of its passage names ("3. Cán bộ lãnh đạo, quản lý thuộc diện …" over "61 đồng chí …"); else
        the previous figure's."""
        k = first - 1
        for k in self._top_level_before(first, max(0, first - MAX_SCAN)):  # not inside a remark in parentheses
            tok = self.tokens[k]
            if tok.sym == "¶":
                break
            if tok.sym == "S" and tok.code in kind:
                return self._topic_subject(k) if tok.topic else tok.code
        heading = self._heading_before(self.m.sentences[self.m.sentence_of[first]].paragraph)
        if heading is not None:
            start, end = self.paragraphs[heading]
            named = next((t for t in self.tokens[max(0, k - MAX_SCAN):k + 1]
                          if t.sym == "S" and t.code in kind and start <= t.start < end), None)
            if named is not None:
                return named.code
        return previous if previous in kind else None

    def _topic_subject(self, index: int) -> str:
        """A topic word no number counts ("Về cá nhân, …") names members in a passage that has named
        đảng viên before it in its paragraph, else its own subject."""
        for k in range(index - 1, max(-1, index - 1 - MAX_SCAN), -1):
            if self.symbols[k] == "¶":
                break
            if self.symbols[k] == "S" and self.tokens[k].code == "DANG_VIEN":
                return "DANG_VIEN"
        return self.tokens[index].code

    def _heading_before(self, paragraph: int) -> int | None:
        """The heading that opens the passage of ``paragraph``: the nearest short paragraph before it
        that is not a sentence ("3. Cán bộ lãnh đạo, quản lý", "Về đảng viên:"), a few paragraphs back
        at most."""
        for p in range(paragraph - 1, max(-1, paragraph - 1 - _PASSAGE_PARAGRAPHS), -1):
            span = self.paragraphs.get(p)
            if span is not None and _is_heading(self.text[span[0]:span[1]]):
                return p
        return None

    def _period_in_passage(self, first: int) -> tuple[int, int] | None:
        """The year range named in the figure's paragraph before it, or in the paragraphs back to its
        passage's heading: the term or period a statement for every year belongs to."""
        paragraph = self.m.sentences[self.m.sentence_of[first]].paragraph
        end = self.tokens[first].start
        for p in range(paragraph, max(-1, paragraph - 1 - _PASSAGE_PARAGRAPHS), -1):
            span = self.paragraphs.get(p)
            if span is None:
                continue
            found = None
            lo = max(span[0], min(span[1], end) - _PASSAGE_REACH)  # a huge paragraph is not read again for each figure
            for found in _YEAR_RANGE.finditer(self.folded, lo, min(span[1], end)):
                pass
            if found is not None:
                return int(found.group(1)), int(found.group(2))
            if p != paragraph and _is_heading(self.text[span[0]:span[1]]):
                break
        return self._period_of_page()

    def _period_of_page(self) -> tuple[int, int] | None:
        """The term the page is about, named in its headline or its first paragraph ("Tam Nông - một nhiệm
        kỳ chăm lo xây dựng Đảng (2010 - 2015)"); looked up once."""
        if self.page_period is _UNSET:
            self.page_period = None
            page = self.context.page
            parts = (list(page.headline()) + [next((p for p in page.parts if p.role == "body"), None)]) if page else []
            for part in parts:
                found = part and _YEAR_RANGE.search(self.folded, part.start, min(part.end, part.start + _PASSAGE_REACH))
                if found:
                    self.page_period = int(found.group(1)), int(found.group(2))
                    break
        return self.page_period

    def _year(self, first: int, last: int) -> tuple[int | None, tuple[int, int] | None, str]:
        """The year of the figure at symbols [first, last), with the rule that gave it:
        ``period`` (a multi-year average and its range), ``parenthesis`` ("11 tổ chức (năm 2009)", or the
        value after a change in parentheses: "tăng 3 so với năm 2020 (35 …)"), ``sentence`` (a year inside
        the figure, the nearest before it in its sentence, one right after it, or the year named last in
        the paragraph when the sentence says "cùng năm"), else ``document`` (the year the document reports
        on). A year that leads a value of its own is that value's, not the figure's."""
        period = self._period_of(first, last)
        if period is not None:
            return period
        lo, hi = self._sentence(first)
        inside = self._year_inside(first, last)
        if inside != -1:
            return self.tokens[inside].value, None, "sentence"
        if self.symbols.startswith("(Y)", last) or (self.symbols.startswith("(Y", last) and last + 2 == hi):
            return self.tokens[last + 1].value, None, "parenthesis"
        if first >= 2 and self.symbols[first - 2:first] == "D(" and self.tokens[first - 2].value["since"]:
            return self.tokens[first - 2].value["since"], None, "parenthesis"  # "tăng 3 so với năm 2020 (35 …)"
        before = self._year_before(first, lo)
        if before >= lo:
            return self.tokens[before].value, None, "sentence"
        after = self._year_right_after(last, hi)
        if after is None:
            after = self._same_year_as_before(first, lo)
        if after is not None:
            return after, None, "sentence"
        return self.context.year, None, "document"

    def _year_inside(self, first: int, last: int) -> int:
        """The first year among the figure's symbols, leaving out one in a parenthesis that leads a value of
        its own ("(năm 2021: 11 tổ chức)"); -1 when there is none."""
        layout, depth = self.layout, self.layout.opened[first] - self.layout.closed[first]
        k = self.symbols.find("Y", first, last)
        while k != -1 and layout.opened[k] - layout.closed[k] > depth and _LEADS_VALUE.match(self.symbols, k + 1):
            k = self.symbols.find("Y", k + 1, last)
        return k

    def _year_right_after(self, last: int, hi: int) -> int | None:
        """A year right after the figure (only words, parentheses and commas between) that leads no value
        of its own."""
        k = last
        while k < hi and self.symbols[k] in "w),":
            k += 1
        if k < hi and self.symbols[k] == "Y" and not _LEADS_VALUE.match(self.symbols, k + 1, hi):
            return self.tokens[k].value
        return None

    def _same_year_as_before(self, first: int, lo: int) -> int | None:
        """"Năm 2024, … . Về đảng viên, cùng năm, …": a sentence that says "the same year" before the
        figure is of the last year named before it in the paragraph."""
        sentence = self.m.sentences[self.m.sentence_of[first]]
        if self.phrase["same_year"].search(self.folded, sentence.start, self.tokens[first].start) is None:
            return None
        before = self.layout.last_year[lo] if lo > 0 else -1
        if before < 0 or self.m.sentences[self.m.sentence_of[before]].paragraph != sentence.paragraph:
            return None
        return self.tokens[before].value

    def _period_of(self, first: int, last: int) -> tuple[None, tuple[int, int] | None, str] | None:
        """For a statement over several years (an average, a range in or opening its clause): the
        nearest range of its sentence, or every year of the term its passage names ("Hằng năm, … trên
        75%"; ``none`` when it names none). None for a figure of one year."""
        lo, hi = self._sentence(first)
        c_lo, c_hi = self._clause(first, last)
        average = self.symbols.rfind("A", c_lo, c_hi)
        opened_by_range = self.symbols.rfind("R", c_lo, first)
        if average == -1 and self.symbols.find("R", first, last) == -1 \
                and (opened_by_range == -1 or self.symbols.find("Y", opened_by_range, first) != -1):
            return None
        candidates = [k for k in (self.layout.last_range[first], self.layout.next_range[first]) if lo <= k < hi]
        if candidates:
            return None, self.tokens[min(candidates, key=lambda k: abs(k - first))].value, "period"
        if average != -1 and self.symbols.find("Y", min(average, first), last) == -1:
            period = self._period_in_passage(first)
            return None, period, "period" if period is not None else "none"
        return None

    def _year_before(self, first: int, lo: int) -> int:
        """The nearest year before the figure in its sentence, outside a parenthesis closed before it
        ("(năm 2013 là 77,61%); trong đó …") and not an aside (``_aside_year``); below ``lo`` when there
        is none."""
        layout = self.layout
        before = layout.last_year[first]
        depth = layout.opened[first] - layout.closed[first]
        while before >= lo and (layout.opened[before] - layout.closed[before] > depth or self._aside_year(before)):
            before = layout.last_year[before]
        return before

    def _aside_year(self, k: int) -> bool:
        """A year set off by a comma after a figure's value that leads a share ending its clause: "…, chiếm
        15,3%, năm 2020 là 13,7%; 2.690 đồng chí …": the value compared with, whose year does not go on to
        the figures after it."""
        return (k >= 2 and self.symbols[k - 2:k] in ("P,", "N,", "F,", "s,", "S,", "),")
                and _LEADS_ASIDE.match(self.symbols, k + 1) is not None)

    def _unit(self, first: int, last: int) -> tuple[str | None, str]:
        """The unit of the figure at symbols [first, last), with the rule that gave it: the last unit
        named in the sentence up to the figure (see ``resolve_unit``); else a unit that opened an
        earlier sentence of the paragraph (``paragraph``: "Đảng bộ xã A: … . Tỷ lệ …", a sub-unit
        taking over); else the reporting unit (``reporting``)."""
        sentence = self.m.sentences[self.m.sentence_of[first]]
        end = self.tokens[last - 1].end
        k = bisect.bisect_left(self.unit_starts, end) - 1
        while k >= 0 and self.m.units[k].start >= sentence.start:
            if not self._named_as_example(self.m.units[k], sentence.start, self.tokens[first].start):
                return self.resolve_unit(self.m.units[k])
            k -= 1
        opener = self._paragraph_opener(self.m.sentence_of[first])
        if opener is not None:
            unit, source = self.resolve_unit(opener)
            return unit, "paragraph" if source == "sentence" else source
        return self.context.reporting_unit, "reporting"

    def _generic(self, key: str) -> bool:
        """A unit key with no name of its own: it ends with a level, or is an agency word alone."""
        return key.rsplit(" ", 1)[-1] in self.patterns.unit_level_end_words or key in self.patterns.unit_agency_keys

    def _named_as_example(self, unit: UnitMention, sentence_start: int, figure_start: int) -> bool:
        """"2 chi bộ hoàn thành xuất sắc nhiệm vụ là Chi bộ thôn A và Chi bộ Công an xã; 11 chi bộ …": a
        unit named after "là", "như" or "gồm" in an earlier clause, or in parentheses, says which units a
        figure counted; it is not the unit of the figures after it."""
        if self.folded.rfind("(", max(sentence_start, unit.start - 2), unit.start) != -1:
            return True  # "1 chi bộ hoàn thành nhiệm vụ (Chi bộ thôn Gò Mít)"
        clause_start = max(sentence_start, self.folded.rfind(";", sentence_start, unit.start) + 1)
        return (self.folded.find(";", unit.end, figure_start) != -1
                and self.phrase["example_intro"].search(self.folded, clause_start, unit.start) is not None)

    def _paragraph_opener(self, s_index: int) -> UnitMention | None:
        """A named unit that opens an earlier sentence of the same paragraph."""
        sentences = self.m.sentences
        paragraph = sentences[s_index].paragraph
        for k in range(s_index - 1, max(-1, s_index - 1 - _OPENER_SENTENCES), -1):
            if sentences[k].paragraph != paragraph:
                break
            i = bisect.bisect_left(self.unit_starts, sentences[k].start)
            if i < len(self.m.units):
                unit = self.m.units[i]
                if unit.name and unit.start <= sentences[k].start + _OPENER_REACH:
                    return unit
        return None

    def resolve_unit(self, mention: UnitMention) -> tuple[str | None, str]:
        """A named unit as written (``sentence``); a nameless one ("Đảng bộ xã", "Chi bộ") is the last
        unit of its level named before it (``reference``); a bare "Đảng bộ", or a short form of the
        reporting unit, is the reporting unit (``reporting``)."""
        if mention.name:
            written = self.text[mention.start:mention.end]
            reporting = self.context.reporting_unit
            key = unit_key(written, self.patterns)
            if reporting and self._generic(key) and unit_key(reporting, self.patterns).startswith(key + " "):
                # "Đảng bộ Công an tỉnh", short for the reporting "Đảng ủy Công an tỉnh Thái Sơn" (a name that
                # stops at its level), "Đảng bộ Công ty" for "Đảng bộ Công ty Cao su Phú Riềng" (an agency
                # word alone); "huyện Điện Biên" is not short for "huyện Điện Biên Đông"
                return reporting, "reporting"
            return written, "sentence"
        if mention.level is None:
            return self.context.reporting_unit, "reporting"
        # "Đảng bộ xã" refers back by its level; a bare "Chi bộ" by its head.
        key = ("level", mention.level) if mention.explicit else ("head", mention.head)
        named, starts = self.named_before.get(key, ([], []))
        k = bisect.bisect_left(starts, mention.start) - 1
        if k >= 0:
            return self.text[named[k].start:named[k].end], "reference"
        return self.context.reporting_unit, "reporting"


def _first_value(match: regex.Match) -> int:
    """The symbol of a match's first value, a count or a percent, whichever comes first."""
    groups = match.re.groupindex
    return min(match.starts(name)[0] for name in ("val", "pct") if name in groups and match.starts(name))


def _decimals(percent_text: str) -> int:
    m = _DECIMALS.search(percent_text)
    return len(m.group(1)) if m else 0


# The checks a shape may require (`requires` in shapes.yaml), by name: each takes the resolver and the
# match. patterns.REQUIRES lists the same names, so a shape naming another fails when it loads.
REQUIREMENTS = {
    "percent": lambda r, m: m.start("pct") != -1,
    "nesting_before": lambda r, m: r._nesting_before(m.start()),
    "strong_subject": lambda r, m: r.tokens[m.start("subj")].sym == "S",
    "population_word_before": lambda r, m: r._population_word_before(m.start("val")),
    "continues_list": lambda r, m: r._continues_list(m.start()),
    "category_in_sentence": lambda r, m: r._category_before(m.start()) is not None,
    "unrated_category": lambda r, m: r.tokens[m.start("cat")].code in _UNRATED,
    "zero": lambda r, m: r.tokens[m.start("val")].value == 0,
    "not_total_then_part": lambda r, m: not r._total_then_part(m.starts("val")),
    "respectively": lambda r, m: r.phrase["respectively"].search(
        r.folded, r.tokens[m.start()].end, r.tokens[_first_value(m)].start) is not None,
}
