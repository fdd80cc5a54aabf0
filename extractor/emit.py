"""Emit: turn resolved drafts into contract Figures with evidence offsets into the original input."""

from __future__ import annotations

from .check import Finding
from .models import Change, Check, Evidence, Figure, Warning_, YearDecision, YearEvidence
from .normalise import Normalised
from .patterns import Patterns
from .units import unit_key


def figures(drafts, norm: Normalised, patterns: Patterns | None = None, link=None) -> list[Figure]:
    """The drafts as Figures; ``link`` gives a unit's official-unit fields (``admin.Linker.link``)."""
    out = []
    ids = {id(d): f"f{i}" for i, d in enumerate(drafts, start=1)}
    for i, d in enumerate(drafts, start=1):
        start, end = norm.span(d.start, d.end)
        linked = link(d.unit) if link is not None and d.unit else None
        out.append(Figure(
            id=f"f{i}", subject=d.subject, category=d.category, label=d.label, year=d.year,
            period=d.period, unit=d.unit, unit_key=unit_key(d.unit, patterns) if d.unit else None,
            count=d.count, total=d.total, percent=d.percent, percent_of=d.percent_of,
            percent_of_source=d.percent_of_source if d.percent_of else None,
            change=Change(**d.change) if d.change else None, qualifier=d.qualifier,
            covers=d.covers, derived=d.derived,
            evidence=Evidence(start=start, end=end, text=norm.original[start:end]), rules=d.rules,
            year_source=d.year_source if d.year is not None or d.period is not None else None,
            unit_source=d.unit_source if d.unit is not None else None,
            repeat_of=ids[id(d.repeat_of)] if d.repeat_of is not None else None,
            **(dict(linked) if linked is not None else {}),
        ))
    return out


def warnings(raw: list) -> list[Warning_]:
    return [Warning_(code=code, message=message) for code, message in raw]


def checks(findings: list[Finding], drafts) -> list[Check]:
    ids = {id(d): f"f{i}" for i, d in enumerate(drafts, start=1)}
    return [Check(kind=f.kind, severity=f.severity, figures=[ids[id(d)] for d in f.figures],
                  stated=f.stated, expected=f.expected, message=f.message) for f in findings]


def year_decision(decision, norm: Normalised) -> YearDecision:
    """The decision with its evidence grouped: each year, source and reason once, at its first mention."""
    grouped: dict[tuple, YearEvidence] = {}
    for e in decision.evidence:
        key = (e.year, e.source, e.set_aside)
        if key in grouped:
            grouped[key].mentions += 1
            continue
        start, end = norm.span(e.start, e.end)
        grouped[key] = YearEvidence(year=e.year, source=e.source, start=start, end=end,
                                    text=norm.original[start:end], set_aside=e.set_aside)
    return YearDecision(year=decision.year, source=decision.source, reason=decision.reason,
                        evidence=list(grouped.values()))
