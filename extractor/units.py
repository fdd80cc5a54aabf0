"""Unit keys: one normalised key for the many ways a unit is written.

"Huyện ủy Điện Biên", "Đảng bộ huyện Điện Biên" and "huyện Điện Biên" all give "huyen dien bien".
"""

from __future__ import annotations

import functools

import regex
from rapidfuzz import fuzz

from .normalise import fold

# Committee names become the level they lead; party-body words are dropped.
_COMMITTEE = [
    (regex.compile(r"\bhuyen uy\b"), "huyen"),
    (regex.compile(r"\bthi uy\b"), "thi xa"),
    (regex.compile(r"\bthanh uy\b"), "thanh pho"),
    (regex.compile(r"\btinh uy\b"), "tinh"),
    (regex.compile(r"\bquan uy\b"), "quan"),
    (regex.compile(r"\btx\.\s?"), "thi xa "),
    (regex.compile(r"\btp\.\s?"), "thanh pho "),
    (regex.compile(r"\btt\.\s?"), "thi tran "),
    (regex.compile(r"\bh\.\s?"), "huyen "),
]
_PARTY_BODY = regex.compile(r"\b(?:dang bo|dang uy|ban chap hanh|ban thuong vu|toan)\b")
_SPACES = regex.compile(r"[\s,.\-–]+")

# Two keys name the same unit at or above this rapidfuzz ratio (pinned by a test).
SAME_UNIT_THRESHOLD = 90.0


@functools.lru_cache(maxsize=65536)
def unit_key(name: str) -> str:
    key = fold(name)
    for pattern, replacement in _COMMITTEE:
        key = pattern.sub(replacement, key)
    key = _PARTY_BODY.sub(" ", key)
    return _SPACES.sub(" ", key).strip()


def same_unit(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return a == b
    ka, kb = unit_key(a), unit_key(b)
    return ka == kb or fuzz.ratio(ka, kb) >= SAME_UNIT_THRESHOLD or (
        bool(ka) and bool(kb) and (ka.endswith(" " + kb) or kb.endswith(" " + ka)))
