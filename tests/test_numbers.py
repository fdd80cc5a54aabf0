"""Number parsing: Vietnamese formats and the traps listed in DOMAIN.md."""

from pathlib import Path

import pytest
import yaml

from extractor.normalise import normalise
from extractor.numbers import find_numbers, parse_decimal, parse_int

CASES = yaml.safe_load((Path(__file__).parent / "data" / "numbers.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_number_mentions(case, patterns):
    found = find_numbers(normalise(case["text"]).folded, patterns, [])
    got = [[n.kind, list(n.value) if isinstance(n.value, tuple) else n.value] for n in found]
    assert got == case["expect"]


@pytest.mark.parametrize("raw, value", [("43.899", 43899), ("06", 6), ("4055", 4055), ("1.173", 1173)])
def test_parse_int(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("raw, value", [("68,41", 68.41), ("3.03", 3.03), ("100", 100.0), ("1.234,5", 1234.5),
                                        ("43.899", 43899.0), ("7,3", 7.3)])
def test_parse_decimal(raw, value):
    assert parse_decimal(raw) == pytest.approx(value)
