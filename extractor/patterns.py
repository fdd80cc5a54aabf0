"""Load the pattern data in ``patterns/`` through a schema, and compile it once.

A bad entry fails loudly with its file and key, e.g.
``patterns/categories.yaml: entries[3] (category.htnv): code: Input should be 'TONG_SO', …``.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Literal

import ahocorasick
import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .models import Category, Qualifier, Subject
from .normalise import fold, plain

# libyaml's safe loader when PyYAML was built with it (its wheels are): the same data, ten times
# faster to read, which is half of pattern loading at start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PatternError(ValueError):
    """A pattern file is missing, unreadable or has a bad entry."""


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")

    positive: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)


class Prefixed(BaseModel):
    """Phrases made from another entry's: each of its phrases after each of ``words``."""

    model_config = ConfigDict(extra="forbid")
    entry: str
    words: list[str] = Field(min_length=1)
    # phrases that stand only behind one of the words ("đã tiến hành phân loại", never "phân loại" alone)
    also: list[str] = []


class LexiconEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    type: Literal["category", "subject", "structure", "distractor", "shadow", "nesting", "qualifier", "average"]
    code: str | None = None
    covers: list[Category] | None = None
    weak: bool = False
    # A subject noun that, when no number counts it, only names the topic of a passage ("Về cá nhân, có
    # 584/587 đồng chí …"), which the passage before decides ("cá nhân" among đảng viên are members).
    topic_when_uncounted: bool = False
    # A subject noun naming a part of the TCCSĐ ("chi bộ cơ sở"): rated, but its counts are structure.
    part: bool = False
    # A counting word ("đồng chí", "đảng bộ") may stand for these subjects; the passage decides.
    stands_for: list[Subject] | None = None
    # How far a distractor reaches: its clause, or the rest of its sentence (targets, rules).
    scope: Literal["clause", "rest_of_sentence"] = "clause"
    # A distractor word that names a result when a rating category follows it: "đạt danh hiệu trong
    # sạch, vững mạnh" is a rating (the award is "được tặng danh hiệu …", which another word marks).
    spared_before_category: bool = False
    # A distractor word that marks a rule only right after a number: "có từ 1/3 số đảng viên trở lên xếp
    # loại …" is a threshold, "cán bộ từ phó trưởng khoa trở lên, 62 đồng chí …" names who is counted.
    after_number: bool = False
    phrases: list[str] = Field(min_length=1)
    # More phrases: every phrase of another entry after one of these words ("chưa" + "được kiểm điểm").
    prefixed: Prefixed | None = None
    examples: Examples

    @model_validator(mode="after")
    def _code_fits_type(self) -> "LexiconEntry":
        if self.type == "category":
            Category(self.code)
        elif self.type == "subject":
            Subject(self.code)
        elif self.type == "qualifier":
            Qualifier(self.code)
        return self


class RegexEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    type: Literal["skip", "percent", "fraction", "count", "change", "year", "period"]
    regex: str
    # "digits": every match starts at the first digit of a run of digits ("36/69", "68,41%"), so the
    # pattern is tried only there, which is fast. "anywhere": a match may start with a word ("tăng
    # 5%", "năm 2017"), and the pattern is searched for through the whole text.
    starts: Literal["digits", "anywhere"] = "anywhere"
    examples: Examples

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            regex.compile(value)
        except regex.error as exc:
            raise ValueError(f"does not compile: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _starts_as_declared(self) -> "RegexEntry":
        if self.starts == "digits":
            compiled = regex.compile(self.regex)
            for example in self.examples.positive:
                folded = fold(example)
                for m in compiled.finditer(folded, overlapped=True):
                    at = m.start()
                    if not folded[at].isdigit() or (at > 0 and folded[at - 1].isdigit()):
                        raise ValueError(f"starts: digits, but it matches {m.group(0)!r} in {example!r}, "
                                         "which does not start at the first digit of a number")
        return self


# The checks a shape may require on the text around its match (resolve.REQUIREMENTS implements them).
REQUIRES = ("nesting_before", "percent", "population_word_before", "strong_subject", "continues_list",
            "category_in_sentence", "unrated_category", "respectively", "zero", "not_total_then_part")


class ShapeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    requires: list[Literal[REQUIRES]] = []
    # Where the subject comes from when the shape names none: the sentence (default), or the
    # figure before it (a sub-group of the previous figure's group).
    subject_from: Literal["sentence", "previous_figure"] = "sentence"
    # A shape with no category phrase takes the previous figure's category (a list continued).
    # or the last category named earlier in the sentence (a league list after its header).
    # A population shape counts a unit's members or organisations (category TONG_SO).
    category_from: Literal["text", "previous_figure", "sentence", "population"] = "text"
    # One figure per percent (the group pct repeats), each for the year named in the same place
    # before them: "các năm 2019, 2020 và 2021 lần lượt là 91,76%, 92,86% và 92,77%".
    respective_years: bool = False
    # One figure per `cat` group, all with the value: a zero stated for several categories at once
    # ("không có đảng viên hoàn thành nhiệm vụ và không hoàn thành nhiệm vụ").
    each_category: bool = False
    # One figure per value (the group val, or else pct, repeats), each for the category named in the same
    # place before them: "hoàn thành xuất sắc, hoàn thành tốt và hoàn thành nhiệm vụ đạt lần lượt 7, 35 và 5".
    respective_categories: bool = False
    examples: Examples


class PhraseEntry(BaseModel):
    """A phrase the rules look for around mentions, as a regex, with examples checked at load."""

    model_config = ConfigDict(extra="forbid")
    id: str
    over: Literal["folded", "text"] = "folded"
    regex: str
    examples: Examples


class PhrasesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["phrases"]
    entries: list[PhraseEntry]


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["lexicon"]
    entries: list[LexiconEntry]


class RegexFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["regex"]
    entries: list[RegexEntry]


class ShapesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["shapes"]
    macros: dict[str, str] = {}
    entries: list[ShapeEntry]


class WordsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["words"]
    reference_before: list[str]
    not_reference: list[str] = []
    unit_after: list[str]
    clause_openers: list[str] = []
    subject_joiners: list[str] = []
    glue: list[str]
    number_digits: dict[str, int]
    number_tens: list[str]
    number_hundreds: list[str]
    number_thousands: list[str]
    number_zero_fillers: list[str]
    zero: list[str]
    coordinators: list[str]
    name_joiners: list[str]
    determiners: list[str]
    count_after: list[str]
    share_word: str
    decrease: list[str]
    abbreviations: list[str]


class UnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["units"]
    heads: dict[str, str | None]
    levels: list[str]
    abbreviations: dict[str, str]
    nameless_heads: list[str]
    lowercase_name_heads: list[str]
    lowercase_name_starts: list[str]
    lowercase_name_levels: list[str] = []
    # Agencies whose names go on in lower case ("Phòng Cảnh sát điều tra", "Sở Tài chính"): after one of
    # these, capitalised, a name runs to its stop phrase.
    agency_words: list[str] = []
    listed_heads: list[str] = []
    name_tail_words: list[str]
    stop_words: list[str]
    # Phrases that begin with a stop word but go on a name: "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh".
    name_joins: list[str] = []
    party_body_words: list[str]
    branch_heads: list[str]
    bloc_levels: list[str]
    level_end_words: list[str]
    committee_names: dict[str, str]
    level_ranks: list[list[str]]
    examples: Examples


class WordList(BaseModel):
    """Words of one kind, with lines or sentences the list must and must not fire on."""

    model_config = ConfigDict(extra="forbid")
    words: list[str] = Field(min_length=1)
    examples: Examples


PAGE_LISTS = ("sidebar", "footer", "furniture", "site", "caption", "dateline", "weekdays", "report_title", "topic",
              "rating", "forward", "decision")


class PageFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["page"]
    lists: dict[str, WordList]
    months: dict[str, int]

    @model_validator(mode="after")
    def _known_lists(self) -> "PageFile":
        missing, unknown = sorted(set(PAGE_LISTS) - set(self.lists)), sorted(set(self.lists) - set(PAGE_LISTS))
        if missing or unknown:
            raise ValueError(f"lists: missing {missing or 'none'}, unknown {unknown or 'none'}; "
                             f"expected {', '.join(PAGE_LISTS)}")
        return self


FILES = {
    "categories.yaml": LexiconFile,
    "subjects.yaml": LexiconFile,
    "cues.yaml": LexiconFile,
    "numbers.yaml": RegexFile,
    "shapes.yaml": ShapesFile,
    "words.yaml": WordsFile,
    "units.yaml": UnitsFile,
    "page.yaml": PageFile,
    "phrases.yaml": PhrasesFile,
}
PHRASES = ("gap_item", "score_threshold", "base_after", "base_before", "bare_base", "share_word", "base_end",
           "according_to", "size_stated", "document_number", "calendar_date", "population_word", "with_before", "pool",
           "reason", "agent", "example_intro", "year_before", "since_year", "same_year", "year_leads_value", "rate_of", "respectively", "percent_header",
           "table_row_number_header", "table_row_number", "table_column_numbers", "table_total_row", "table_measure",
           "table_mark")


def pattern_dir() -> Path:
    """The pattern folder: ``$XEPLOAI_PATTERNS`` when set (a copy being edited), else the one inside the
    installed package, else the checkout's ``patterns/``."""
    chosen = os.environ.get("XEPLOAI_PATTERNS")
    if chosen:
        return Path(chosen)
    packaged = resources.files("extractor") / "patterns"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "patterns"


def _describe(exc: ValidationError, raw: dict) -> str:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
            entries = raw.get("entries") or []
            entry_id = entries[loc[1]].get("id") if loc[1] < len(entries) and isinstance(entries[loc[1]], dict) else None
            rest = ".".join(str(p) for p in loc[2:])
            where = f"entries[{loc[1]}]" + (f" ({entry_id})" if entry_id else "") + (f": {rest}" if rest else "")
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


def load_file(path: Path) -> BaseModel:
    schema = FILES.get(path.name)
    if schema is None:
        raise PatternError(f"{path}: unknown pattern file (expected one of {', '.join(sorted(FILES))})")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise PatternError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PatternError(f"{path}: expected a mapping at the top level")
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise PatternError(f"{path}: {_describe(exc, raw)}") from None


def _unit_regex(units: UnitsFile) -> regex.Pattern:
    """Head and optional level of a unit mention, on the diacritic-free, case-kept text."""
    heads = sorted({fold(h) for h in units.heads}, key=len, reverse=True)
    levels = sorted({fold(x) for x in units.levels}, key=len, reverse=True)
    abbrevs = sorted({fold(a) for a in units.abbreviations}, key=len, reverse=True)
    head = "|".join(regex.escape(h) for h in heads)
    level = "|".join([regex.escape(a) for a in abbrevs] + [regex.escape(x) + r"(?![\p{L}])" for x in levels])
    return regex.compile(rf"\b(?P<head>{head})(?![\p{{L}}])(?:\s+(?P<level>{level}))?", regex.IGNORECASE)


def _unit_key_rules(units: UnitsFile) -> tuple[regex.Pattern, dict[str, str], regex.Pattern]:
    """What a unit's key is made with, from the unit data (folded): the committee heads and the
    abbreviations spelled out as their level ("huyen uy" → "huyen", "tx." → "thi xa"), and the party-body
    words to leave out."""
    spelled = {fold(h): fold(level) for h, level in units.heads.items() if level and fold(h) != fold(level)}
    spelled.update({fold(a): fold(full) + " " for a, full in units.abbreviations.items()})
    forms = sorted(spelled, key=len, reverse=True)
    written = regex.compile(r"\b(?:" + "|".join(regex.escape(f) + (r"\s?" if f.endswith(".") else r"\b")
                                                for f in forms) + ")")
    body = sorted({fold(w) for w in units.party_body_words}, key=len, reverse=True)
    party = regex.compile(r"\b(?:" + "|".join(map(regex.escape, body)) + r")\b")
    return written, spelled, party


def _check_phrase_examples(path: Path, entry: PhraseEntry, rx: regex.Pattern) -> None:
    read = fold if entry.over == "folded" else str
    for example in entry.examples.positive:
        if rx.search(read(example)) is None:
            raise PatternError(f"{path}: {entry.id}: misses its positive example {example!r}")
    for example in entry.examples.negative:
        if rx.search(read(example)) is not None:
            raise PatternError(f"{path}: {entry.id}: fires on its negative example {example!r}")


def _compile_phrases(path: Path, phrases: PhrasesFile, months: list[str]) -> dict[str, regex.Pattern]:
    """The phrases by id, compiled, each checked on its examples."""
    ids = [e.id for e in phrases.entries]
    missing, unknown = sorted(set(PHRASES) - set(ids)), sorted(set(ids) - set(PHRASES))
    if missing or unknown or len(ids) != len(set(ids)):
        raise PatternError(f"{path}: entries: missing {missing or 'none'}, unknown {unknown or 'none'}"
                           f"{', an id twice' if len(ids) != len(set(ids)) else ''}; expected {', '.join(PHRASES)}")
    month_words = "|".join(regex.escape(fold(m)) for m in sorted(months, key=lambda m: len(fold(m)), reverse=True))
    compiled = {}
    for entry in phrases.entries:
        try:
            rx = regex.compile(entry.regex.replace("{months}", f"(?:{month_words})"))
        except regex.error as exc:
            raise PatternError(f"{path}: {entry.id}: does not compile: {exc}") from None
        _check_phrase_examples(path, entry, rx)
        compiled[entry.id] = rx
    return compiled


def _listed_name_regex(units: UnitsFile, words: WordsFile) -> regex.Pattern:
    """A unit named in a list by its level and name, or its name alone, right before its share in
    parentheses: ", thị trấn Cao Thượng (24,18%)", ": Phường 5 (98,6%)", "và Cẩm Vũ (97,8%)", perhaps
    after a head its name would not go on from: "Đảng bộ bộ phận Phòng Cảnh sát cơ động (16,18%)"."""
    levels = sorted({x for x in units.levels} | set(units.abbreviations), key=len, reverse=True)
    level = "|".join(regex.escape(x) for x in levels)
    heads = "|".join(regex.escape(h) for h in sorted(units.listed_heads, key=len, reverse=True))
    joiners = "|".join(regex.escape(j) for j in [*words.name_joiners, "&"])
    word = r"(?:\p{Lu}[\p{L}\d]*|\d{1,3})"
    return regex.compile(
        rf"(?:(?<=[:;,]\s{{0,2}})|(?<=\s(?:{joiners})\s))(?P<name>(?:(?P<level>{level})\s*)?\p{{Lu}}[\p{{L}}\d]*"
        rf"(?:\s{word}){{0,4}}|(?P<level>{level})\s\d{{1,3}}|(?:{heads})\s+\p{{Lu}}[\p{{L}}\d]*(?:\s[\p{{L}}\d]+){{0,8}})\s*(?=\(\s*\d{{1,3}}(?:[.,]\d{{1,2}})?\s*%\s*\))")


class NumberWords:
    """Folded number words and the regex that finds a run of them."""

    def __init__(self, digits: dict[str, int], tens: set[str], hundreds: set[str], thousands: set[str],
                 fillers: set[str], written: frozenset[str] = frozenset()):
        self.digits, self.tens, self.hundreds, self.thousands, self.fillers = digits, tens, hundreds, thousands, fillers
        # the words as written with their diacritics: folded, "từ" (from) would be "tư" (four)
        self.written = written
        words = sorted(set(digits) | tens | hundreds | thousands | fillers, key=len, reverse=True)
        alternation = "|".join(regex.escape(w) for w in words)
        self.regex = regex.compile(rf"\b(?:{alternation})(?:\s(?:{alternation}))*\b")

    def value(self, phrase: str) -> int | None:
        """'ba muoi mot' → 31, 'muoi bon' → 14, 'hai tram linh nam' → 205; None if not a number."""
        total = current = 0
        for word in phrase.split():
            if word in self.digits:
                current += self.digits[word]
            elif word in self.tens:
                current = (current or 1) * 10
            elif word in self.hundreds:
                total += (current or 1) * 100
                current = 0
            elif word in self.thousands:
                total = (total + (current or 1)) * 1000
                current = 0
            elif word not in self.fillers:
                return None
        return total + current if phrase.split()[-1] not in self.fillers else None


def _number_words(words: WordsFile) -> NumberWords:
    def folded(items):
        return {fold(w) for w in items}

    written = frozenset(w.lower() for w in [*words.number_digits, *words.number_tens, *words.number_hundreds,
                                            *words.number_thousands, *words.number_zero_fillers])
    return NumberWords({fold(k): v for k, v in words.number_digits.items()}, folded(words.number_tens),
                       folded(words.number_hundreds), folded(words.number_thousands),
                       folded(words.number_zero_fillers), written)


class Lexeme:
    """One phrase of a lexicon entry, as stored in the automaton, with what its tokens carry (worked
    out once here rather than for every mention)."""

    __slots__ = ("entry", "length", "kinds", "covers", "written")

    def __init__(self, entry: LexiconEntry, length: int, written: str = ""):
        self.entry = entry
        self.length = length
        self.written = " ".join(written.lower().split())  # the phrase with its diacritics
        # A subject stands for its own code, or for the subjects a counting word may mean.
        self.kinds = tuple(k.value for k in entry.stands_for) if entry.stands_for else (entry.code,)
        self.covers = [c.value for c in entry.covers] if entry.covers else None


class Patterns:
    """All pattern data, compiled: the phrase automaton, the number regex, the shape grammar."""

    def __init__(self, directory: Path):
        self.directory = directory
        missing = [name for name in FILES if not (directory / name).is_file()]
        if missing:
            raise PatternError(f"{directory}: missing pattern files: {', '.join(missing)}")
        data = {name: load_file(directory / name) for name in FILES}
        self.lexicon: list[LexiconEntry] = [
            e for name in ("categories.yaml", "subjects.yaml", "cues.yaml") for e in data[name].entries
        ]
        self.numbers: list[RegexEntry] = data["numbers.yaml"].entries
        self.shapes_file: ShapesFile = data["shapes.yaml"]
        self.words: WordsFile = data["words.yaml"]
        self.units: UnitsFile = data["units.yaml"]
        self.page: PageFile = data["page.yaml"]
        self.phrases = _compile_phrases(directory / "phrases.yaml", data["phrases.yaml"], list(self.page.months))
        self._check_unique_ids()
        self.automaton = self._build_automaton()
        self._compile_numbers(directory / "numbers.yaml")
        self.shapes = self._compile_shapes()
        self.spared_before_category = frozenset(e.id for e in self.lexicon if e.spared_before_category)
        self.after_number = frozenset(e.id for e in self.lexicon if e.after_number)
        self.gap_cache: dict[str, str] = {}  # the symbols of a gap between mentions, by its text
        self._index_words()
        self._index_units()

    def _compile_numbers(self, path: Path) -> None:
        """Number patterns that start at digits run as one alternation tried at the start of each run of
        digits only; each of the others runs on its own (see numbers.scan). A pattern's group name
        gives its place in the list."""
        self._check_digit_groups(path)
        self.number_entry = {f"number{order}": (order, e) for order, e in enumerate(self.numbers)}
        at_digits = "|".join(f"(?P<number{order}>{e.regex})" for order, e in enumerate(self.numbers)
                             if e.starts == "digits")
        self.number_scanners = [regex.compile(rf"(?<!\d)(?=\d)(?:{at_digits})", regex.V0)] if at_digits else []
        self.number_scanners += [regex.compile(f"(?P<number{order}>{e.regex})", regex.V0)
                                 for order, e in enumerate(self.numbers) if e.starts == "anywhere"]

    def _index_words(self) -> None:
        """The word lists of words.yaml as the sets the stages look words up in (folded where matched so)."""
        self.glue = frozenset(fold(w) for w in self.words.glue)
        self.clause_openers = frozenset(fold(w) for w in self.words.clause_openers)
        self.coordinators = frozenset(self.words.coordinators)
        self.name_joiners = tuple((j, fold(j)) for j in self.words.name_joiners)
        self.determiners = frozenset(self.words.determiners)
        self.count_after = frozenset(self.words.count_after)
        self.decrease_words = frozenset(self.words.decrease)
        self.subject_joiners = frozenset(w for phrase in self.words.subject_joiners for w in fold(phrase).split())
        self.number_words = _number_words(self.words)
        self.reference_words = frozenset(fold(w) for w in self.words.reference_before)
        self.not_reference = frozenset(fold(w) for w in self.words.not_reference)
        self.unit_after = frozenset(fold(w) for w in self.words.unit_after)

    def _index_units(self) -> None:
        """The unit data of units.yaml as the sets, maps and regexes unit finding and keys use."""
        self.unit_level_end_words = frozenset(self.units.level_end_words)
        self.unit_branch_heads = frozenset(self.units.branch_heads)
        self.unit_bloc_levels = frozenset(self.units.bloc_levels)
        self.unit_stop_words = frozenset(w.lower() for w in self.units.stop_words)
        self.unit_stop_words_folded = frozenset(fold(w) for w in self.units.stop_words)
        self.unit_nameless_heads = frozenset(fold(h) for h in self.units.nameless_heads)
        self.unit_lowercase_heads = frozenset(fold(h) for h in self.units.lowercase_name_heads)
        self.unit_lowercase_starts = tuple(fold(w) + " " for w in self.units.lowercase_name_starts)
        self.unit_name_joins = tuple(w.lower() + " " for w in self.units.name_joins)
        self.unit_name_joins_folded = tuple(fold(w) + " " for w in self.units.name_joins)
        self.unit_lowercase_levels = frozenset(fold(w) for w in self.units.lowercase_name_levels)
        self.unit_agency_starts = tuple(w + " " for w in self.units.agency_words)
        self.unit_agency_keys = frozenset(fold(w) for w in self.units.agency_words)
        # as written without diacritics, case kept ("So " for "Sở ")
        self.unit_agency_starts_folded = tuple(plain(w) + " " for w in self.units.agency_words)
        self.unit_tail_words = frozenset(w.lower() for w in self.units.name_tail_words)
        self.unit_tail_words_folded = frozenset(fold(w) for w in self.units.name_tail_words)
        self._index_unit_heads()

    def _index_unit_heads(self) -> None:
        """Heads and levels of units.yaml: the unit regex, its automaton, the places named at a level."""
        self.unit_heads = {fold(h): (h, level) for h, level in self.units.heads.items()}
        self.unit_levels = {fold(x): x.lower() for x in self.units.levels}
        self.unit_levels.update({fold(a): full for a, full in self.units.abbreviations.items()})
        self.unit_levels_by_length = sorted({fold(x) for x in self.units.levels}, key=len, reverse=True)
        self.unit_levels_written = frozenset(x.lower() for x in [*self.units.levels, *self.units.abbreviations])
        self.unit_regex = _unit_regex(self.units)
        self.listed_name = _listed_name_regex(self.units, self.words)
        self.unit_key_written, self.unit_key_spelled, self.unit_key_party = _unit_key_rules(self.units)
        # "tỉnh Sóc Trăng", "huyện Cẩm Giàng": a place named at a committee's level
        # (read on the text without diacritics, case kept, so that text typed without them is read too)
        self.place_of_level = {
            level: regex.compile(rf"(?<![\p{{L}}]){regex.escape(fold(level))} +(?P<name>\p{{Lu}}[\p{{L}}]*(?: \p{{Lu}}[\p{{L}}]*){{0,3}})")
            for level in self.units.committee_names if level not in self.units.bloc_levels}
        # Where a head may start: the regex is tried there only (an automaton finds them all at once).
        self.unit_head_automaton = ahocorasick.Automaton()
        for head in self.unit_heads:
            self.unit_head_automaton.add_word(head, len(head))
        self.unit_head_automaton.make_automaton()

    def _check_digit_groups(self, path: Path) -> None:
        """The patterns that start at digits run as one alternation, where a group name used twice makes
        the match name the wrong pattern: each group name may appear in one of them only."""
        owner: dict[str, str] = {}
        for e in self.numbers:
            if e.starts != "digits":
                continue
            for group in regex.compile(e.regex).groupindex:
                if group in owner:
                    raise PatternError(f"{path}: {e.id}: the group name {group!r} is used by {owner[group]} too; "
                                       "patterns that start at digits run as one alternation, so extend that "
                                       "entry or name the group otherwise")
                owner[group] = e.id

    def _check_unique_ids(self) -> None:
        ids = [e.id for e in self.lexicon] + [e.id for e in self.numbers] + [e.id for e in self.shapes_file.entries]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise PatternError(f"{self.directory}: duplicate pattern ids: {', '.join(dupes)}")

    def _phrases(self, entry: LexiconEntry) -> list[str]:
        if entry.prefixed is None:
            return entry.phrases
        base = next((e for e in self.lexicon if e.id == entry.prefixed.entry), None)
        if base is None:
            raise PatternError(f"{self.directory}: {entry.id}: prefixed.entry {entry.prefixed.entry!r} is no entry")
        bases = base.phrases + entry.prefixed.also
        return entry.phrases + [f"{word} {phrase}" for word in entry.prefixed.words for phrase in bases]

    def _build_automaton(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        owner: dict[str, str] = {}
        for entry in self.lexicon:
            for phrase in self._phrases(entry):
                key = fold(phrase)
                if owner.setdefault(key, entry.id) != entry.id:
                    raise PatternError(f"{self.directory}: the phrase {phrase!r} belongs to both {owner[key]} and "
                                       f"{entry.id}; keep it in one")
                automaton.add_word(key, Lexeme(entry, len(key), phrase))
        for word in self.words.zero:
            key = fold(word)
            if key not in automaton:
                automaton.add_word(key, ("zero", 0, len(key)))
        automaton.make_automaton()
        return automaton

    def _compile_shapes(self) -> list[tuple[ShapeEntry, regex.Pattern]]:
        compiled = []
        for entry in self.shapes_file.entries:
            source = entry.pattern
            for name, body in self.shapes_file.macros.items():
                source = source.replace("{" + name + "}", body)
            try:
                compiled.append((entry, regex.compile(source)))
            except regex.error as exc:
                raise PatternError(f"{self.directory / 'shapes.yaml'}: {entry.id}: pattern does not compile: {exc}") from None
        return compiled


@functools.lru_cache(maxsize=4)
def load(directory: str | None = None) -> Patterns:
    """The compiled patterns (cached: patterns are compiled once per process)."""
    return Patterns(Path(directory) if directory else pattern_dir())
