"""Segment: paragraphs (lines), then sentences, as offset spans of the normalised text.

Sentence boundaries follow underthesea's Punkt tokenizer: a sentence ends at ". ! ?" unless the
word before is one of its abbreviations (read from underthesea's own ``punkt_params.json``).
Unlike ``underthesea.sent_tokenize`` this keeps exact offsets, costs one regex pass, and does not
make the splitter's known slips on report text:
- "chính thức 9. dự bị 1": a boundary needs an upper-case letter, digit or quote after it;
- "TX. Dĩ An", "TP. Pleiku", "H. Điện Biên", "đ/c. Nguyễn": abbreviations of unit types and titles;
- "./." at the end of an article closes the sentence instead of starting a new one;
- a hard line break inside a sentence (a line going on in lower case) does not end the paragraph.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from .patterns import Patterns
from .patterns import load as load_patterns


# A candidate boundary: end punctuation (with closing quotes/brackets and the "./." sign), then
# space, then something that can start a sentence. A run of end punctuation is tried once, from its
# first mark and without giving any back: tried at each of its marks, 20 000 dots took 20 s.
_BOUNDARY = regex.compile(r"(?<![.!?…])(?:\./\.|[.!?…]++)[\"”’)\]]*+(?=\s+[\p{Lu}\d\"“‘(\[•\-–])")
_WORD_BEFORE = regex.compile(r"([\p{L}/]+)\.$")
_CONTINUES = regex.compile(r"\p{Ll}")  # a line that starts in lower case goes on with the sentence before
_ENDS_SENTENCE = regex.compile(r"[.!?…:;\"”’)\]]$")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int


def abbreviations(patterns: Patterns | None = None) -> frozenset[str]:
    """underthesea's Punkt abbreviations plus those of ``patterns/words.yaml`` (of ``patterns``, else the
    default set), lower-case, without the final dot."""
    return _abbreviations_of(patterns or load_patterns())


@lru_cache(maxsize=8)
def _abbreviations_of(patterns: Patterns) -> frozenset[str]:
    return frozenset(patterns.words.abbreviations) | _punkt_abbreviations()


@lru_cache(maxsize=1)
def _punkt_abbreviations() -> frozenset[str]:
    found: set[str] = set()
    spec = importlib.util.find_spec("underthesea")
    if spec is not None and spec.origin:
        params = Path(spec.origin).parent / "pipeline" / "sent_tokenize" / "punkt_params.json"
        try:
            found.update(a.lower() for a in json.loads(params.read_text(encoding="utf-8")).get("abbrev_types", []))
        except (OSError, ValueError):
            pass
    return frozenset(found)


def _lines(text: str):
    start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield start + lead, start + lead + len(stripped)
        start += len(line) + 1


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Lines, except that a hard line break inside a sentence ("… trong đó 10 tổ chức cơ sở đảng⏎đạt
    trong sạch, vững mạnh tiêu biểu") joins the line that goes on in lower case to the one before."""
    found: list[tuple[int, int]] = []
    for start, end in _lines(text):
        if found and _CONTINUES.match(text, start) and not _ENDS_SENTENCE.search(text, *found[-1]) \
                and text.count("\n", found[-1][1], start) == 1:
            found[-1] = (found[-1][0], end)
            continue
        found.append((start, end))
    return found


def segment(text: str, spans: list[tuple[int, int]] | None = None, patterns: Patterns | None = None) -> list[Sentence]:
    """Split the normalised text into sentences, each inside one paragraph (line); ``spans`` are its
    paragraphs when they are known already."""
    abbrev = abbreviations(patterns)
    sentences: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(paragraphs(text) if spans is None else spans):
        s_start = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            if m.group(0)[0] == "." and not m.group(0).startswith("./."):
                word = _WORD_BEFORE.search(text, max(p_start, m.start() - 12), m.start() + 1)
                if word and word.group(1).lower() in abbrev:
                    continue
            sentences.append(Sentence(s_start, m.end(), p_index))
            s_start = m.end()
            while s_start < p_end and text[s_start].isspace():
                s_start += 1
        if s_start < p_end:
            sentences.append(Sentence(s_start, p_end, p_index))
    return sentences
