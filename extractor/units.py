"""Unit keys: one normalised key for the many ways a unit is written.

"Huyện ủy Điện Biên", "Đảng bộ huyện Điện Biên" and "huyện Điện Biên" all give "huyen dien bien".
The words the key is made with come from ``patterns/units.yaml``, the one source of unit words.
"""

from __future__ import annotations

import functools

import regex
from rapidfuzz import fuzz

from .normalise import fold
from .patterns import Patterns
from .patterns import load as load_patterns

_SPACES = regex.compile(r"[\s,.\-–]+")

# Two keys name the same unit at or above this rapidfuzz ratio (pinned by a test).
SAME_UNIT_THRESHOLD = 90.0


def unit_key(name: str, patterns: Patterns | None = None) -> str:
    """The key of a unit's name, by the rules of ``patterns/units.yaml`` (of ``patterns``, else the
    default pattern set): committee heads and abbreviations spelled out as their level, party-body
    words left out, diacritics folded."""
    return _unit_key(name, patterns or load_patterns())


@functools.lru_cache(maxsize=65536)
def _unit_key(name: str, patterns: Patterns) -> str:
    spelled = patterns.unit_key_spelled
    key = patterns.unit_key_written.sub(lambda m: spelled[m.group().rstrip()], fold(name))
    key = patterns.unit_key_party.sub(" ", key)
    return _SPACES.sub(" ", key).strip()


def same_unit(a: str | None, b: str | None, patterns: Patterns | None = None) -> bool:
    if not a or not b:
        return a == b
    ka, kb = unit_key(a, patterns), unit_key(b, patterns)
    return ka == kb or fuzz.ratio(ka, kb) >= SAME_UNIT_THRESHOLD or (
        bool(ka) and bool(kb) and (ka.endswith(" " + kb) or kb.endswith(" " + ka)))
