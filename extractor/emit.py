"""Emit: turn resolved drafts into contract Figures with evidence offsets into the original input."""

from __future__ import annotations

from .models import Change, Evidence, Figure, Warning_
from .normalise import Normalised
from .units import unit_key


def figures(drafts, norm: Normalised) -> list[Figure]:
    out = []
    for i, d in enumerate(drafts, start=1):
        start, end = norm.span(d.start, d.end)
        out.append(Figure(
            id=f"f{i}", subject=d.subject, category=d.category, label=d.label, year=d.year,
            period=d.period, unit=d.unit, unit_key=unit_key(d.unit) if d.unit else None,
            count=d.count, total=d.total, percent=d.percent, percent_of=d.percent_of,
            percent_of_source="stated" if d.percent_of else None,
            change=Change(**d.change) if d.change else None, qualifier=d.qualifier,
            covers=d.covers, evidence=Evidence(start=start, end=end, text=norm.original[start:end]),
            rules=d.rules,
        ))
    return out


def warnings(raw: list) -> list[Warning_]:
    return [Warning_(code=code, message=message) for code, message in raw]
