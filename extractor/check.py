"""Check: the arithmetic between figures — percent bases, nesting, derived values and checks.

Figures that describe one rated population (same subject, year or period, and unit) form a group.
Within a group:
- each percent without a stated base is tested against the candidate bases (the stated total, the
  figure it is nested in, the number rated, the total, HTTNV for HTXSNV, and the sums the others
  imply); the first that reproduces the percent, rounded or truncated to the decimals written, is
  recorded as an inferred ``percent_of``;
- the nesting is decided from the arithmetic (does HTXSNV sit inside HTTNV? do the levels add up to
  the number rated?) and recorded on the document;
- checks report what does not hold: a percent that does not fit its base, parts that do not add up,
  a subset larger than its superset, a change that contradicts the two years' values, and (as
  information) the HTXSNV quota;
- a missing count or percent that follows from the others is filled in and listed in ``derived``.
A stated value is never changed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .models import Qualifier
from .patterns import Patterns
from .resolve import Draft
from .normalise import fold
from .units import unit_key

ORGANISATIONS = frozenset({"TCCSD", "CHI_BO", "DANG_BO_CAP_TREN", "TAP_THE"})
# The levels that partition the number rated, by scheme.
OLD_ORGANISATION_LEVELS = ("TSVM", "HTTNV", "HTNV", "YEU_KEM")  # organisations before 2018
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
COVERAGE = ("DA_DANH_GIA", "CHUA_DANH_GIA", "MIEN_DANH_GIA")
# child category → the categories that may contain it
CONTAINED_IN = {
    "DA_DANH_GIA": {"TONG_SO"}, "CHUA_DANH_GIA": {"TONG_SO"}, "MIEN_DANH_GIA": {"TONG_SO"},
    "TSVM_TIEU_BIEU": {"TSVM", "HTXSNV"}, "TSVM": {"HTXSNV", "DA_DANH_GIA", "TONG_SO"},
    "HTXSNV": {"HTTNV", "DA_DANH_GIA", "TONG_SO"}, "HTTNV": {"DA_DANH_GIA", "TONG_SO"},
    "HTNV": {"DA_DANH_GIA", "TONG_SO"}, "HTNV_HAN_CHE": {"HTNV", "DA_DANH_GIA"},
    "KHTNV": {"DA_DANH_GIA", "TONG_SO"}, "YEU_KEM": {"DA_DANH_GIA", "TONG_SO"},
}
QUOTA_FROM = 2019  # HD 21-HD/BTCTW: HTXSNV at most 20% of those rated HTTNV
QUOTA_SHARE = 20
HEDGE_RANGE = Decimal(5)  # "trên 80%" is taken to mean 80–85%, "gần 72%" 67–77%


@dataclass
class Finding:
    kind: str
    severity: str  # error | warning | info
    figures: list[Draft]
    stated: float | None
    expected: float | None
    message: str


def fits(percent: float, count: int, base: int, decimals: int, qualifier: str | None = None) -> bool:
    """The stated percent is count/base rounded half-up, or truncated, to the decimals written; a
    hedged percent ("trên 80%", "gần 72%") bounds it instead."""
    if base <= 0:
        return False
    if qualifier is None and abs(count * 100 / base - percent) > 1.5 * 10.0 ** -decimals:
        return False  # rounding moves a value by less than one unit of its last digit: no exact test needed
    exact = Decimal(count) * 100 / Decimal(base)
    stated = Decimal(str(percent))
    if qualifier in (Qualifier.tren, Qualifier.hon):
        return stated <= exact <= stated + HEDGE_RANGE
    if qualifier == Qualifier.duoi:
        return stated - HEDGE_RANGE <= exact <= stated
    if qualifier in (Qualifier.gan, Qualifier.khoang):
        return abs(exact - stated) <= HEDGE_RANGE
    quantum = Decimal(1).scaleb(-decimals)
    return exact.quantize(quantum, ROUND_HALF_UP) == stated or exact.quantize(quantum, ROUND_DOWN) == stated


def count_for(percent: float, base: int, decimals: int, qualifier: str | None) -> int | None:
    """The count that a percent of ``base`` stands for, if one reproduces it (a percent-only figure).
    Only a test where one member moves the percent by ten units of its last written digit or more:
    77,5% or 13,98% of 6.185 members is reproduced by some count whatever the base, so it proves nothing."""
    if qualifier is not None or base <= 0 or Decimal(100) / base < 10 * Decimal(1).scaleb(-decimals):
        return None
    estimate = percent * base / 100
    for count in sorted({int(estimate), int(estimate) + 1}, key=lambda c: abs(c - estimate)):
        if 0 <= count <= base and fits(percent, count, base, decimals):
            return count
    return None


# The categories that are no rating level, in the words a message uses for them ("49 rated"); the
# levels keep their codes (HTXSNV, TSVM), which are the reports' own abbreviations.
CATEGORY_WORDS = {"TONG_SO": "in total", "DA_DANH_GIA": "rated", "CHUA_DANH_GIA": "not rated",
                  "MIEN_DANH_GIA": "exempt from rating", "TSVM_TIEU_BIEU": "exemplary TSVM",
                  "HTNV_HAN_CHE": "HTNV with limitations", "KHAC": "of another category"}
# How a candidate base is known, in words.
BASE_WORDS = {"stated total": "the total written with it", "parent": "the group it is part of",
              "stated": "as the text states", "sum of the levels": "the sum of the levels",
              "rated + not rated + exempt": "rated, not rated and exempt together"}


def _named(count: int, category: str) -> str:
    """A count with its category in words: '49 rated', '9 HTXSNV'."""
    return f"{count} {CATEGORY_WORDS.get(category, category)}"


def _vi(number: float, decimals: int = 2) -> str:
    """68.4123 → '68,41' (Vietnamese decimal comma)."""
    return f"{number:.{decimals}f}".replace(".", ",")


class Group:
    """The figures of one rated population."""

    def __init__(self, drafts: list[Draft]):
        self.drafts = drafts
        self.subject = drafts[0].subject
        self.year = drafts[0].year
        # The counts the text states, by category (counts derived later never enter).
        self._stated: dict[str, list[Draft]] = defaultdict(list)
        self._starts: dict[str, list[int]] = {}
        for d in drafts:
            if d.count is not None and "count" not in d.derived:
                self._stated[d.category].append(d)

    def stated(self, category: str) -> Draft | None:
        found = self._stated.get(category)
        return found[0] if found else None

    def all_stated(self, category: str) -> list[Draft]:
        return self._stated.get(category, [])

    def nearest_stated(self, category: str, draft: Draft) -> list[Draft]:
        """The stated figures of a category closest to ``draft`` (the last before it and the first
        after it): a long document may state a category many times, and only neighbours are bases."""
        figures = self._stated.get(category, [])
        if len(figures) <= 2:
            return figures
        starts = self._starts.setdefault(category, [f.start for f in figures])
        k = bisect.bisect_left(starts, draft.start)
        return figures[max(0, k - 1):k + 1]

    def levels(self) -> tuple[str, ...]:
        if self.subject in ORGANISATIONS and self.year is not None and self.year < 2018:
            return OLD_ORGANISATION_LEVELS
        return LEVELS


class Checker:
    def __init__(self, drafts: list[Draft], patterns: Patterns | None = None):
        self.drafts = drafts
        self.patterns = patterns  # whose unit data keys the units (the default set when None)
        self.findings: list[Finding] = []
        self.nesting: dict[str, dict[str, bool | None]] = {}

    def run(self) -> None:
        self._mark_repeats()
        for group in self._groups():
            htxsnv_in_httnv = self._htxsnv_in_httnv(group)
            self._resolve_bases(group, htxsnv_in_httnv)
            self._check_parts(group, htxsnv_in_httnv)
            self._check_subsets(group, htxsnv_in_httnv)
            self._derive(group, htxsnv_in_httnv)
            self._check_quota(group)
        self._check_changes()
        self._complete_repeats()

    def _mark_repeats(self) -> None:
        """A figure stated again (a body repeating its headline or sapo, a caption repeating the body):
        the same subject, category, year, unit and stated values as an earlier one. It keeps its own
        span, names the first statement in ``repeat_of`` and takes no part in the arithmetic."""
        first: dict[tuple, Draft] = {}
        for d in self.drafts:
            key = (d.subject, d.category, fold(d.label or "") if d.category == "KHAC" else "", d.year, d.period,
                   unit_key(d.unit, self.patterns) if d.unit else None, d.count, d.total, d.percent, d.qualifier)
            if key in first:
                d.repeat_of = first[key]
            else:
                first[key] = d

    def _complete_repeats(self) -> None:
        """A repeat reads as its first statement: the base and the values decided there."""
        for d in self.drafts:
            original = d.repeat_of
            if original is None:
                continue
            if d.percent_of is None and original.percent_of is not None:
                d.percent_of, d.percent_of_source = original.percent_of, original.percent_of_source
            for name in original.derived:
                if getattr(d, name) is None:
                    setattr(d, name, getattr(original, name))
                    d.derived.append(name)

    def _groups(self) -> list[Group]:
        groups: dict[tuple, list[Draft]] = defaultdict(list)
        for d in self.drafts:
            if d.repeat_of is not None:
                continue
            groups[(d.subject, d.year, d.period, unit_key(d.unit, self.patterns) if d.unit else None)].append(d)
        return [Group(members) for members in groups.values()]

    # --- nesting -----------------------------------------------------------------------------
    def _parent(self, draft: Draft) -> Draft | None:
        """The figure this one is nested in: up the chain of "trong đó" until a category that can contain it."""
        seen = set()
        candidate = draft.after_nesting
        while candidate is not None and id(candidate) not in seen:
            seen.add(id(candidate))
            if draft.category == "KHAC" or candidate.category in CONTAINED_IN.get(draft.category, ()):
                if candidate.subject == draft.subject:
                    return candidate
            candidate = candidate.after_nesting
        return None

    def _htxsnv_in_httnv(self, group: Group) -> bool | None:
        """From the text ("HTTNV …, trong đó … HTXSNV") or the arithmetic (the levels add up to the
        number rated only without HTXSNV)."""
        htxsnv, httnv = group.stated("HTXSNV"), group.stated("HTTNV")
        if htxsnv is None or httnv is None:
            return None
        parent = self._parent(htxsnv)
        if parent is httnv:
            return True
        rated = group.stated("DA_DANH_GIA")
        others = [group.stated(c) for c in ("HTNV", "KHTNV")]
        if rated is not None and all(o is not None for o in others):
            rest = httnv.count + sum(o.count for o in others)
            if rest == rated.count:
                return True
            if rest + htxsnv.count == rated.count:
                return False
        return None

    def _record_nesting(self, group: Group, key: str, value: bool | None) -> None:
        label = f"{group.subject} {group.year if group.year is not None else ''}".strip()
        self.nesting.setdefault(label, {})[key] = value

    # --- percent bases ---------------------------------------------------------------------------
    def _candidates(self, group: Group, draft: Draft, levels_sum: int | None,
                    coverage_sum: int | None) -> list[tuple[str, int, str]]:
        """(category, base count, how it is known), most specific first: the total written with the
        count, the group it is nested in, the number rated, the total, HTTNV for HTXSNV, and the
        sums the other figures imply."""
        found = self._stated_candidates(group, draft)
        if levels_sum is not None and draft.category not in COVERAGE and draft.category != "TONG_SO":
            found.append(("DA_DANH_GIA", levels_sum, "sum of the levels"))
        if coverage_sum is not None and draft.category in COVERAGE:
            found.append(("TONG_SO", coverage_sum, "rated + not rated + exempt"))
        return [c for c in found if c[1] > 0]  # nothing is a share of zero

    def _stated_candidates(self, group: Group, draft: Draft) -> list[tuple[str, int, str]]:
        """The bases the text states: the total written with the count, the group the figure is nested
        in, the number rated and the total of its group, and HTTNV for HTXSNV."""
        found: list[tuple[str, int, str]] = []
        if draft.total is not None:
            rated = [f for f in group.nearest_stated("DA_DANH_GIA", draft) if f is not draft and f.count == draft.total]
            found.append(("DA_DANH_GIA" if rated else "TONG_SO", draft.total, "stated total"))
        parent = self._parent(draft)
        if parent is not None and parent.count and parent.category not in ("DA_DANH_GIA", "TONG_SO"):
            found.append((parent.category, parent.count, "parent"))
        natural = ("TONG_SO",) if draft.category in COVERAGE else ("DA_DANH_GIA", "TONG_SO")
        for code in natural:
            found.extend((code, f.count, "stated") for f in group.nearest_stated(code, draft) if f is not draft)
        if draft.category == "HTXSNV":
            found.extend(("HTTNV", f.count, "stated") for f in group.nearest_stated("HTTNV", draft))
        return found

    def _rated_from_levels(self, group: Group, htxsnv_in_httnv: bool | None) -> int | None:
        levels = [c for c in group.levels() if not (c == "HTXSNV" and htxsnv_in_httnv)]
        figures = [group.stated(c) for c in levels]
        if any(f is None for f in figures):
            return None
        return sum(f.count for f in figures)

    def _total_from_coverage(self, group: Group) -> int | None:
        rated = group.stated("DA_DANH_GIA")
        if rated is None:
            return None
        return rated.count + sum(f.count for c in ("CHUA_DANH_GIA", "MIEN_DANH_GIA") if (f := group.stated(c)))

    def _resolve_bases(self, group: Group, htxsnv_in_httnv: bool | None) -> None:
        # The sums the group's figures imply: the number rated from the levels, the total from coverage.
        levels_sum, coverage_sum = self._rated_from_levels(group, htxsnv_in_httnv), self._total_from_coverage(group)
        for d in group.drafts:
            if d.percent is None or "count" in d.derived or d.period is not None:
                continue
            candidates = self._candidates(group, d, levels_sum, coverage_sum)
            if d.count is None:
                self._base_of_percent_only(d, candidates)
            elif d.percent_of is not None:  # stated: check it
                base = next((c for c in candidates if c[0] == d.percent_of), None)
                if base is not None and not fits(d.percent, d.count, base[1], d.percent_decimals, d.qualifier):
                    self._mismatch(d, base, "error")
            else:
                self._infer_base(d, candidates)

    def _infer_base(self, d: Draft, candidates: list[tuple[str, int, str]]) -> None:
        """The first candidate base the percent fits; else a mismatch with the stated total (an error)
        or a percent no base explains (a warning)."""
        fitting = next((c for c in candidates if fits(d.percent, d.count, c[1], d.percent_decimals, d.qualifier)), None)
        if fitting is not None:
            d.percent_of, d.percent_of_source = fitting[0], "inferred"
            return
        if not candidates:
            return
        first = candidates[0]
        if first[2] == "stated total":
            d.percent_of, d.percent_of_source = first[0], "stated"
            self._mismatch(d, first, "error")
            return
        if d.category in COVERAGE:  # rated, not rated, exempt: a share of the total by definition
            d.percent_of, d.percent_of_source = "TONG_SO", "inferred"
        self._mismatch(d, first, "warning", unexplained=True)

    def _base_of_percent_only(self, d: Draft, candidates: list[tuple[str, int, str]]) -> None:
        """A percent without a count: the first base of which it is a whole number of members."""
        for code, base, _ in candidates:
            if d.percent_of is not None and code != d.percent_of:
                continue
            count = count_for(d.percent, base, d.percent_decimals, d.qualifier)
            if count is not None:
                d.percent_of = d.percent_of or code
                d.percent_of_source = d.percent_of_source or "inferred"
                d.count = count
                d.derived.append("count")
                return

    def _mismatch(self, d: Draft, base: tuple[str, int, str], severity: str, unexplained: bool = False) -> None:
        expected = float(Decimal(d.count) * 100 / Decimal(base[1]))
        decimals = max(d.percent_decimals, 2)
        if unexplained:
            message = (f"{_vi(d.percent, d.percent_decimals)}% fits none of the numbers it could be a share of: "
                       f"{d.count} of the {_named(base[1], base[0])} ({BASE_WORDS.get(base[2], base[2])}) "
                       f"is {_vi(expected, decimals)}%")
        else:
            message = (f"{d.count}/{base[1]} is {_vi(expected, decimals)}%, "
                       f"but the text states {_vi(d.percent, d.percent_decimals)}%")
        kind = "percent_unexplained" if unexplained else "percent_mismatch"
        self.findings.append(Finding(kind, severity, [d], d.percent, round(expected, decimals), message))

    # --- parts and subsets -----------------------------------------------------------------------
    def _check_parts(self, group: Group, htxsnv_in_httnv: bool | None) -> None:
        """Parts against their whole, where they plainly describe one population: one exact figure
        per category, all in the whole's paragraph (a report may rate several sub-groups in turn)."""
        levels = [c for c in group.levels() if not (c == "HTXSNV" and htxsnv_in_httnv)]
        total = self._check_sum(group, group.stated("DA_DANH_GIA"), levels, "{} are stated as rated")
        if total is not None:
            self._record_nesting(group, "levels_sum_to_rated", total)
        if htxsnv_in_httnv is not None:
            self._record_nesting(group, "HTXSNV_in_HTTNV", htxsnv_in_httnv)
        self._check_sum(group, group.stated("TONG_SO"), list(COVERAGE), "the total is {}")

    def _check_sum(self, group: Group, whole: Draft | None, categories: list[str], stated_as: str) -> bool | None:
        """A parts_mismatch when the parts stated (of ``categories``) exceed their whole, or all of them
        are stated and do not add up to it; whether they add up, when all are stated. ``stated_as``
        says what the whole is, around its count."""
        parts = [f for c in categories if (f := group.stated(c)) is not None]
        if whole is None or not parts or not self._one_population(group, whole, parts):
            return None
        total = sum(f.count for f in parts)
        complete = len(parts) == len(categories)
        if (complete and total != whole.count) or total > whole.count:
            names = " + ".join(_named(f.count, f.category) for f in parts)
            self.findings.append(Finding("parts_mismatch", "error", [whole, *parts], float(total), float(whole.count),
                                         f"{names} = {total}, but {stated_as.format(whole.count)}"))
        return total == whole.count if complete else None

    @staticmethod
    def _one_population(group: Group, whole: Draft, parts: list[Draft]) -> bool:
        categories = [whole.category] + [p.category for p in parts]
        single = all(len(group.all_stated(c)) == 1 for c in categories)
        exact = all(f.qualifier is None for f in (whole, *parts))  # "gần 190" cannot be summed exactly
        return single and exact and all(p.paragraph == whole.paragraph for p in parts)

    def _check_subsets(self, group: Group, htxsnv_in_httnv: bool | None) -> None:
        for d in group.drafts:
            if d.count is None:
                continue
            if d.total is not None and d.count > d.total:
                self._subset(d, d, d.count, d.total, f"{d.count} is more than its total {d.total}")
            parent = self._parent(d)
            if parent is not None and parent.count is not None and d.count > parent.count:
                self._subset(d, parent, d.count, parent.count,
                             f"{_named(d.count, d.category)} are more than the {_named(parent.count, parent.category)} "
                             "they are part of")
        tieu_bieu, tsvm = group.stated("TSVM_TIEU_BIEU"), group.stated("TSVM")
        if tieu_bieu is not None and tsvm is not None:
            self._record_nesting(group, "TSVM_TIEU_BIEU_in_TSVM", tieu_bieu.count <= tsvm.count)

    def _subset(self, d: Draft, superset: Draft, count: int, whole: int, message: str) -> None:
        figures = [d] if superset is d else [d, superset]
        self.findings.append(Finding("subset_exceeds_superset", "error", figures, float(count), float(whole), message))

    # --- derived values --------------------------------------------------------------------------
    def _derive(self, group: Group, htxsnv_in_httnv: bool | None) -> None:
        """The percent of a count with a known base, and the one level's count the others leave."""
        self._derive_percents(group)
        self._derive_missing_level(group, [c for c in group.levels() if not (c == "HTXSNV" and htxsnv_in_httnv)])

    def _derive_percents(self, group: Group) -> None:
        for d in group.drafts:
            base = self._base_count(group, d)
            if d.count is not None and d.percent is None and base and 0 <= d.count <= base:  # a zero base has no share
                d.percent = round(100 * d.count / base, 2)
                d.percent_of = d.percent_of or ("TONG_SO" if d.category in COVERAGE else "DA_DANH_GIA")
                d.percent_of_source = "inferred"
                d.derived.append("percent")

    def _derive_missing_level(self, group: Group, levels: list[str]) -> None:
        rated = group.stated("DA_DANH_GIA")
        missing = [d for c in levels for d in group.drafts if d.category == c and d.count is None]
        known = [f for c in levels if (f := group.stated(c)) is not None]
        if rated is not None and len(missing) == 1 and len(known) == len(levels) - 1:
            rest = rated.count - sum(f.count for f in known)
            if rest >= 0:
                missing[0].count = rest
                missing[0].derived.append("count")

    def _base_count(self, group: Group, d: Draft) -> int | None:
        if d.category in ("TONG_SO", "KHAC") or d.period is not None:
            return None
        if d.percent_of is not None:
            base = group.stated(d.percent_of)
            return base.count if base is not None else None
        natural = "TONG_SO" if d.category in COVERAGE else "DA_DANH_GIA"
        base = group.stated(natural)
        return base.count if base is not None and base is not d else None

    # --- changes and quota -----------------------------------------------------------------------
    def _check_changes(self) -> None:
        originals = [d for d in self.drafts if d.repeat_of is None]
        index = {(d.subject, d.category, d.year, unit_key(d.unit, self.patterns) if d.unit else None): d
                 for d in originals if d.year is not None}
        for d in originals:
            change = d.change
            if not change or change.get("since") is None:
                continue
            before = index.get((d.subject, d.category, change["since"], unit_key(d.unit, self.patterns) if d.unit else None))
            if before is None:
                continue
            expected = _expected_change(change["unit"], d, before)
            if expected is None:
                continue
            expected, tolerance = expected
            if abs(change["value"] - expected) > tolerance:
                unit = {"pp": "points", "percent": "%"}.get(change["unit"], "")
                self.findings.append(Finding(
                    "change_mismatch", "error", [d, before], change["value"], round(expected, 2),
                    f"the change since {change['since']} is stated as {_vi(change['value'])} {unit}, "
                    f"but the two years' values differ by {_vi(expected)}".replace("  ", " ")))

    def _check_quota(self, group: Group) -> None:
        htxsnv, httnv = group.stated("HTXSNV"), group.stated("HTTNV")
        if htxsnv is None or httnv is None or group.year is None or group.year < QUOTA_FROM or not httnv.count:
            return
        share = 100 * htxsnv.count / httnv.count
        if share > QUOTA_SHARE:
            self.findings.append(Finding(
                "htxsnv_quota", "info", [htxsnv, httnv], round(share, 2), float(QUOTA_SHARE),
                f"{htxsnv.count} HTXSNV are {_vi(share)}% of the {httnv.count} HTTNV; since {QUOTA_FROM} the rule "
                f"allows at most {QUOTA_SHARE}%"))


def _expected_change(unit: str, d: Draft, before: Draft) -> tuple[float, float] | None:
    """The change the two years' values give, in the unit stated, and how far a stated one may be off
    by rounding; None when the values to compare are not there."""
    if unit == "pp" and d.percent is not None and before.percent is not None:
        return d.percent - before.percent, 0.015
    if unit == "count" and d.count is not None and before.count is not None:
        return d.count - before.count, 0
    if unit == "percent" and d.count is not None and before.count:
        return 100 * (d.count - before.count) / before.count, 0.055
    return None


def check(drafts: list[Draft], patterns: Patterns | None = None) -> tuple[list[Draft], list[Finding],
                                                                        dict[str, dict[str, bool | None]]]:
    """The drafts with their bases resolved, values derived and repeats marked, and the findings and
    nesting. The check works on copies: the resolver's drafts are left as they were."""
    checker = Checker(_copies(drafts), patterns)
    checker.run()
    return checker.drafts, checker.findings, checker.nesting


def _copies(drafts: list[Draft]) -> list[Draft]:
    """Copies of ``drafts`` whose links to one another (after_nesting, repeat_of) point to the copies."""
    copies = [replace(d, change=dict(d.change) if d.change else d.change, derived=list(d.derived),
                      rules=list(d.rules)) for d in drafts]
    copy_of = {id(d): c for d, c in zip(drafts, copies)}
    for c in copies:
        if c.after_nesting is not None:
            c.after_nesting = copy_of.get(id(c.after_nesting), c.after_nesting)
        if c.repeat_of is not None:
            c.repeat_of = copy_of.get(id(c.repeat_of), c.repeat_of)
    return copies
