"""How a unit's name reads: what it is, and the territories it names (the words of ``patterns/admin.yaml``).

A name is read on the words of its key (``units.unit_key``: heads spelled out as their level, party-body words
left out: "Huyện ủy Điện Biên" → "huyện Điện Biên"), each kept beside its written form, so that a level word
counts only where it is written as one ("quận", not the "quan" of "cơ quan"; a name typed without diacritics
is read on its keys alone). Its first words say what the unit is (a level, or an organisation that is no
territory); each later level word opens a territory it lies in ("Công an tỉnh Tây Ninh").
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .atlas import LEADING_ZEROS, SEPARATORS, name_key
from .normalise import fold, normalise
from .patterns import _YAML_LOADER, Examples, PatternError, Patterns, _describe
from .units import unit_key

KINDS = Literal["bloc", "police", "army", "school", "hospital", "enterprise", "agency"]
_WORD = regex.compile(r"[^\s,.\-–]+")  # a word between the separators of a name key


class WordEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    words: list[str] = Field(min_length=1)
    examples: Examples


class AdminFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["admin"]
    levels: dict[Literal["province", "district", "commune", "village"], WordEntry]
    upgrades: dict[str, list[str]] = {}
    not_levels: list[str] = []
    kinds: dict[KINDS, WordEntry]
    not_for_branch: list[KINDS] = []
    leading_words: list[str] = []
    national_words: list[str] = []
    same_spellings: dict[str, str] = {}
    province_aliases: dict[str, str] = {}


@functools.lru_cache(maxsize=65536)
def spelled(text: str) -> str:
    """Lower case, separators as one space and numbers without leading zeros: the diacritics kept. The text is
    in one tone placement already: a unit as the normalised text writes it, a name of the official lists
    (tests/test_admin.py holds them to it), a phrase of ``admin.yaml`` (normalised when it is read)."""
    return LEADING_ZEROS.sub("", " ".join(SEPARATORS.split(unicodedata.normalize("NFC", text).lower().strip())))


def same_spelling(a: str, b: str, variants: dict[str, str]) -> bool:
    """Whether two names are written alike: the same letters and diacritics, once the words that
    ``admin.yaml`` writes two ways ("Đăk", "Đắk") are made one."""
    if name_key(a) != name_key(b):
        return False
    return [variants.get(t, t) for t in spelled(a).split()] == [variants.get(t, t) for t in spelled(b).split()]


def _phrase(words: str) -> tuple[str, ...]:
    return tuple(name_key(words).split())


@dataclass(frozen=True, eq=False)
class Words:
    """The words of ``admin.yaml`` as phrases of key words, each with the ways it is written."""

    starts: dict[tuple[str, ...], tuple[str, tuple[str, ...]]]  # phrase → (kind or "", the levels it names)
    parents: dict[tuple[str, ...], tuple[str, ...]]  # the level words of a territory → its levels
    not_levels: dict[tuple[str, ...], bool]
    leading: dict[tuple[str, ...], bool]
    branch: dict[tuple[str, ...], bool]  # the heads of a chi bộ (units.yaml)
    national: dict[tuple[str, ...], bool]
    forms: dict[tuple[str, ...], set[str]]  # each phrase as written, with its diacritics
    not_for_branch: frozenset[str]
    aliases: dict[str, str]  # a province's other name → its name in the official lists, as keys
    variants: dict[str, str]  # a word written one way → the other way ("đăk" → "đắk")
    upgrades: dict[str, frozenset[str]]  # a type → the types it may have become ("thi xa" → "thanh pho")
    province_words: tuple[str, ...]  # a province's level as the folded text writes it: "tinh", "tp."
    longest: int
    data: AdminFile
    first_words: frozenset[str] = frozenset()  # the first word of every phrase: a word not among them starts none


def _read(path) -> AdminFile:
    raw = None
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        return AdminFile.model_validate(raw)
    except OSError as exc:
        raise PatternError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        raise PatternError(f"{path}: {_describe(exc, raw if isinstance(raw, dict) else {})}") from None


def _starts(data: AdminFile, path) -> dict[tuple[str, ...], tuple[str, tuple[str, ...]]]:
    """The phrases a name may start with: level words (one may name two levels) and kinds (one only)."""
    starts: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for level, entry in data.levels.items():
        for word in entry.words:
            starts[_phrase(word)] = ("", starts.get(_phrase(word), ("", ()))[1] + (level,))
    for kind, entry in data.kinds.items():
        for word in entry.words:
            if _phrase(word) in starts:
                raise PatternError(f"{path}: kinds.{kind}: '{word}' is listed twice")
            starts[_phrase(word)] = (kind, ())
    return starts


def _forms(phrases: Iterable[str]) -> dict[tuple[str, ...], set[str]]:
    forms: dict[tuple[str, ...], set[str]] = {}
    for phrase in phrases:
        forms.setdefault(_phrase(phrase), set()).add(spelled(normalise(phrase).text))
    return forms


def _listed(phrases: Iterable[str]) -> dict[tuple[str, ...], bool]:
    return dict.fromkeys(map(_phrase, phrases), True)


@functools.lru_cache(maxsize=8)
def words(patterns: Patterns) -> Words:
    """``admin.yaml`` of the pattern folder, read through its schema once (a phrase in two kinds fails, named)."""
    path = patterns.directory / "admin.yaml"
    data = _read(path)
    starts = _starts(data, path)
    parents = {p: levels for p, (_, levels) in starts.items() if levels and levels != ("village",)}
    province = [fold(w) for w in data.levels["province"].words]
    abbreviations = [fold(a) for a, full in patterns.units.abbreviations.items() if fold(full) in province]
    listed = [x for e in [*data.levels.values(), *data.kinds.values()] for x in e.words]
    return Words(starts, parents, _listed(data.not_levels), _listed(data.leading_words),
                 _listed(patterns.units.branch_heads), _listed(data.national_words),
                 _forms([*listed, *data.not_levels, *data.leading_words, *data.national_words,
                         *patterns.units.branch_heads]),
                 frozenset(data.not_for_branch), {name_key(a): name_key(o) for a, o in data.province_aliases.items()},
                 {spelled(normalise(a).text): spelled(normalise(b).text) for a, b in data.same_spellings.items()},
                 {name_key(a): frozenset(map(name_key, b)) for a, b in data.upgrades.items()},
                 tuple(province + abbreviations), max(len(p) for p in starts), data,
                 frozenset(p[0] for p in [*starts, *_listed([*data.not_levels, *data.leading_words,
                                                              *data.national_words, *patterns.units.branch_heads])]))


@dataclass(frozen=True, slots=True)
class Segment:
    """A territory a unit's name names: a level word and the name after it."""

    levels: tuple[str, ...]  # the levels the word may name: ("province", "district") for "thanh pho"
    word: str  # the level word as a key: "thanh pho"
    name: str  # the name after it as a key: "bien hoa"; "" for a level alone ("Công an tỉnh")
    written: str  # the name as written ("Biên Hòa")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a unit's name says: its kind, the territory it is, and the territories it lies in."""

    kind: str  # a kind of organisation, "village", "other", or "" for a territory or a bare name
    own: Segment | None  # the territory the unit is ("xã Na Tông")
    parents: tuple[Segment, ...]  # territories named after its own name, innermost first
    bare: Segment | None = None  # a name with no level or kind word before it ("Cẩm Vũ")
    national: bool = False


@functools.lru_cache(maxsize=8)
def _level_texts(patterns: Patterns) -> dict[str, str]:
    """Each level a head or an abbreviation is spelled out as, by its key: "huyen" → "huyện"."""
    return {fold(x): x.lower() for x in [*patterns.units.levels, *patterns.units.heads.values(),
                                          *patterns.units.abbreviations.values()] if x}


@functools.lru_cache(maxsize=65536)
def _words_of(unit: str, patterns: Patterns) -> tuple[tuple[str, str], ...]:
    """The words of a unit's key (``units.unit_key``), each as a key and as written: ("huyen", "huyện"),
    ("dien", "Điện"). Folding keeps a text's length and a level is written as long as its key, so the
    key and the written name stay aligned."""
    unit = unicodedata.normalize("NFC", unit)
    folded = fold(unit)
    levels = _level_texts(patterns)
    keys, texts, last = [], [], 0
    for m in patterns.unit_key_written.finditer(folded):
        spelled_out = patterns.unit_key_spelled[m.group().rstrip()]
        keys += [folded[last:m.start()], spelled_out]
        texts += [unit[last:m.start()], levels.get(spelled_out.strip(), spelled_out.strip()).ljust(len(spelled_out))]
        last = m.end()
    key, text = "".join(keys) + folded[last:], "".join(texts) + unit[last:]
    if len(folded) != len(unit) or len(key) != len(text):
        return tuple((t, t) for t in unit_key(unit, patterns).split())
    key = patterns.unit_key_party.sub(lambda m: " " * len(m.group()), key)
    return tuple((LEADING_ZEROS.sub("", key[m.start():m.end()]), LEADING_ZEROS.sub("", text[m.start():m.end()]))
                 for m in _WORD.finditer(key))


class _Reader:
    """One unit's words, read against the phrases of ``admin.yaml``."""

    def __init__(self, unit: str, w: Words, patterns: Patterns):
        pairs = _words_of(unit, patterns)
        self.keys = [k for k, _ in pairs]
        self.texts = [t for _, t in pairs]
        self.w = w
        self.plain = fold(unit) == unit.lower()  # typed without diacritics: the keys alone decide

    def match(self, i: int, table: dict) -> tuple[int, object] | None:
        """The longest phrase of ``table`` at word ``i``, written as listed (or with no diacritics at all)."""
        if i >= len(self.keys) or self.keys[i] not in self.w.first_words:
            return None
        for n in range(min(self.w.longest, len(self.keys) - i), 0, -1):
            phrase = tuple(self.keys[i:i + n])
            value = table.get(phrase)
            if value is not None and (self.plain or spelled(" ".join(self.texts[i:i + n])) in self.w.forms[phrase]):
                return n, value
        return None

    def name_end(self, i: int) -> int:
        """Where a name that starts at word ``i`` ends: at the next level word (not one inside "xã hội")."""
        while i < len(self.keys):
            skipped = self.match(i, self.w.not_levels)
            if skipped:
                i += skipped[0]
            elif self.match(i, self.w.parents):
                return i
            else:
                i += 1
        return i

    def segment(self, levels: tuple[str, ...], start: int, size: int) -> tuple[Segment, int]:
        end = self.name_end(start + size)
        segment = Segment(levels, " ".join(self.keys[start:start + size]), " ".join(self.keys[start + size:end]),
                          " ".join(self.texts[start + size:end]))
        return segment, end

    def parents(self, i: int) -> tuple[Segment, ...]:
        found = []
        while i < len(self.keys):
            level = self.match(i, self.w.parents)
            if level is None:
                i += 1
                continue
            segment, i = self.segment(level[1], i, level[0])
            found.append(segment)
        return tuple(found)

    def lead(self) -> tuple[int, bool]:
        """Past the words that say nothing of the kind ("bộ phận"): where the name starts, and whether it is
        a chi bộ's."""
        i, branch = 0, False
        while (lead := self.match(i, self.w.branch) or self.match(i, self.w.leading)) is not None:
            branch = branch or tuple(self.keys[i:i + lead[0]]) in self.w.branch
            i += lead[0]
        return i, branch


def _kind(start, branch: bool, w: Words) -> tuple[str, tuple[str, ...]]:
    """The kind a name's first words give it, and the levels they name."""
    kind, levels = start[1] if start else ("", ())
    if levels == ("village",):
        return "village", levels
    if branch and (kind in w.not_for_branch or not start):
        return "other", levels  # "Chi bộ Khối Ngoại", "Chi bộ Hưu": a cell, neither a bloc nor a place
    return kind, levels


def read(unit: str, w: Words, patterns: Patterns) -> Reading:
    """The reading of a unit's name (see ``admin.yaml``)."""
    r = _Reader(unit, w, patterns)
    i, branch = r.lead()
    start = r.match(i, w.starts)
    kind, levels = _kind(start, branch, w)
    own, end = r.segment(levels, i, start[0] if start else 0)
    parents = r.parents(end)
    if levels and not own.name and parents and parents[0].word == own.word:
        own, parents = parents[0], parents[1:]  # "Thành ủy TP.Cà Mau": the head's level, then the level written
    national = kind not in ("", "village") and any(r.match(k, w.national) for k in range(len(r.keys)))
    territory = own if levels and not kind else None
    bare = own if not start and not kind and own.name else None
    return Reading(kind, territory, parents, bare, national)
