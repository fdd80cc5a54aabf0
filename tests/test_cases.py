"""Resolver cases as data: each tests/cases/*.yaml holds texts and the figures they must give.

A case is
    - name: what it shows
      text: the input
      figures:            # exactly these figures, in text order; only the fields listed are compared
        - {subject: TCCSD, category: HTTNV, year: 2016, count: 45}
      document: {year: 2016}   # optional: fields of the document
Only the fields an expected figure lists are compared, so a case says what it is about and no more.
"""

from pathlib import Path

import pytest
import yaml

from extractor import extract
from extractor.patterns import load

CASES_DIR = Path(__file__).parent / "cases"
P = load()


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _value(obj, name):
    value = getattr(obj, name)
    if name == "change" and value is not None:
        return {"value": value.value, "unit": value.unit.value, "since": value.since}
    if hasattr(value, "value"):  # an enum
        return value.value
    if name == "period" and value is not None:
        return list(value)
    if name == "covers" and value is not None:
        return [c.value for c in value]
    return value


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case):
    doc = extract(case["text"], patterns=P)
    if "figures" in case:
        expected = case["figures"] or []
        fields = sorted({k for f in expected for k in f}) or ["subject", "category", "count", "percent"]
        got = [{k: _value(f, k) for k in fields} for f in doc.figures]
        want = [{k: f.get(k) for k in fields} for f in expected]
        assert got == want
    for name, value in (case.get("document") or {}).items():
        assert _value(doc, name) == value, name
