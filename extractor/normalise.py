"""Normalise: NFC, one tone placement, plain spaces and line ends, with a map back to the original.

Two texts come out, with equal length:
- ``text``: NFC, new-style tone placement ("hòa", "ủy"), NBSP and odd spaces as " ", "\\r\\n" as "\\n",
  full-width "％" as "%". Used for unit names and evidence.
- ``folded``: ``text`` lower-cased with diacritics removed ("Đảng ủy" → "dang uy"). All phrase and
  number matching runs on it, so text typed without diacritics matches too.
- ``plain``: ``text`` with diacritics removed but case kept ("Đảng ủy" → "Dang uy"), for unit names,
  whose capitals matter.

Only NFC composition and CRLF change the length, so the map back to original offsets is a short
list of anchors, not one entry per character.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex

# Spaces that are not " " (NBSP, narrow NBSP, en/em spaces, ideographic space, zero-width space is
# handled by the anchor pass below) and the full-width percent sign.
_CHAR_MAP = {
    0x00A0: " ", 0x2000: " ", 0x2001: " ", 0x2002: " ", 0x2003: " ", 0x2004: " ", 0x2005: " ",
    0x2006: " ", 0x2007: " ", 0x2008: " ", 0x2009: " ", 0x200A: " ", 0x202F: " ", 0x205F: " ",
    0x3000: " ", 0x0009: " ", 0x000B: " ", 0x000C: " ", 0xFF05: "%", 0x2215: "/", 0xFF0F: "/",
    0x2028: "\n", 0x2029: "\n",
}

# Old-style tone placement on an open syllable ending in oa, oe, uy ("hoà", "uỷ") → new style
# ("hòa", "ủy"). Not after "q" ("quý" is already standard) and not before another letter ("hoàn").
_VOWEL_TONES = {
    "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ",
    "A": "ÀÁẢÃẠ", "E": "ÈÉẺẼẸ", "Y": "ỲÝỶỸỴ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ",
}
_TONE_OF = {ch: (base, i) for base, chars in _VOWEL_TONES.items() for i, ch in enumerate(chars)}
_OLD_TONE = regex.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?!\p{L})")
_OLD_TONE_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}

# What changes length: CR LF, a lone CR, a base letter followed by combining marks (NFD input),
# and zero-width characters, which are dropped.
_LENGTH_CHANGING = regex.compile(r"\r\n?|\P{M}\p{M}+|[\u200B\u200C\u200D\u2060\uFEFF]")
_MAY_CHANGE_LENGTH = regex.compile(r"[\r\p{M}\u200B\u200C\u200D\u2060\uFEFF]")  # a fast first look


def _fold_table(lower: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        base = base.lower() if lower else base
        if base.isascii() and base.isalpha() and base != chr(cp):
            table[cp] = base
    table[ord("Đ")] = "d" if lower else "D"
    table[ord("Ð")] = "d" if lower else "D"
    table[ord("đ")] = "d"
    return table


_FOLD = _fold_table(lower=True)
_PLAIN = _fold_table(lower=False)


class _CodeMap:
    """A one-character-to-one-character map applied to a whole text at once (NumPy lookup table over
    its code points); str.translate does the same per character, three to four times slower."""

    SIZE = 0x10000

    def __init__(self, table: dict[int, str]):
        self.array = np.arange(self.SIZE, dtype=np.uint32)
        for code, replacement in table.items():
            self.array[code] = ord(replacement)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        if not len(codes) or codes.max() < self.SIZE:
            return self.array[codes]
        inside = codes < self.SIZE  # characters beyond the table (emoji, rare CJK) stay as they are
        return np.where(inside, self.array[np.where(inside, codes, 0)], codes)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _text(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le")


_MAP_SPACES = _CodeMap(_CHAR_MAP)
_MAP_FOLD = _CodeMap(_FOLD)
_MAP_PLAIN = _CodeMap(_PLAIN)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, keeping the length: "Đảng ủy" → "dang uy"."""
    return unicodedata.normalize("NFC", text).translate(_CHAR_MAP).translate(_FOLD)


def plain(text: str) -> str:
    """Strip Vietnamese diacritics and keep the case, keeping the length: "Đảng ủy" → "Dang uy"."""
    return unicodedata.normalize("NFC", text).translate(_CHAR_MAP).translate(_PLAIN)


def _retone(match: regex.Match) -> str:
    first, second = match.group(1), match.group(2)
    base, tone = _TONE_OF[second]
    if (first.lower(), base.lower()) not in _OLD_TONE_PAIRS:
        return match.group(0)
    return _VOWEL_TONES[first][tone] + base


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str
    folded: str
    plain: str
    # For norm positions >= _starts[i], original = position + _deltas[i].
    _starts: tuple[int, ...]
    _deltas: tuple[int, ...]

    def to_original(self, pos: int) -> int:
        """Map an offset of ``text`` to the original input."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return pos if i < 0 else pos + self._deltas[i]

    def from_original(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """The spans of ``text`` that original spans [start, end) became."""
        originals = [s + d for s, d in zip(self._starts, self._deltas)]

        def at(pos: int) -> int:
            i = bisect.bisect_right(originals, pos) - 1
            return pos if i < 0 else min(self._starts[i] + pos - originals[i], len(self.text))

        return [(at(start), at(end)) for start, end in spans]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        return self.to_original(start), self.to_original(end)


def normalise(original: str) -> Normalised:
    starts: list[int] = []
    deltas: list[int] = []
    if _MAY_CHANGE_LENGTH.search(original) is None:
        nfc = original
    else:
        pieces: list[str] = []
        last = 0
        out_len = 0
        for m in _LENGTH_CHANGING.finditer(original):
            pieces.append(original[last:m.start()])
            out_len += m.start() - last
            chunk = m.group(0)
            if chunk[0] == "\r":
                replacement = "\n"
            elif chunk in "\u200b\u200c\u200d\u2060\ufeff":
                replacement = ""
            else:
                replacement = unicodedata.normalize("NFC", chunk)
            pieces.append(replacement)
            # Every character of the replacement maps to the start of the original chunk, and the
            # position after it maps to the end of the chunk.
            for k in range(len(replacement)):
                starts.append(out_len + k)
                deltas.append(m.start() - (out_len + k))
            out_len += len(replacement)
            starts.append(out_len)
            deltas.append(m.end() - out_len)
            last = m.end()
        pieces.append(original[last:])
        nfc = "".join(pieces)
    codes = _MAP_SPACES(_codes(nfc))
    text = _text(codes)
    if _OLD_TONE.search(text) is not None:
        text = _OLD_TONE.sub(_retone, text)
        codes = _codes(text)
    return Normalised(original, text, _text(_MAP_FOLD(codes)), _text(_MAP_PLAIN(codes)), tuple(starts), tuple(deltas))
