"""Match: find categories, subjects, cues and units, and lay every mention out as one symbol.

The result is a token list and a symbol string of the same length (see ``patterns/shapes.yaml``
for the alphabet). The resolve stage runs the shape grammar over the symbols.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from .models import Qualifier
from .normalise import Normalised, fold
from .numbers import find_numbers
from .patterns import LexiconEntry, Lexeme, Patterns
from .segment import Sentence

_NUMBER_SYMBOL = {"percent": "P", "fraction": "F", "count": "N", "change": "D", "year": "Y", "period": "R"}
_LEXICON_SYMBOL = {"category": "C", "structure": "O", "distractor": "X", "nesting": "T", "average": "A"}
_RATING = {"TSVM", "TSVM_TIEU_BIEU", "HTXSNV", "HTTNV", "HTNV", "HTNV_HAN_CHE", "KHTNV", "YEU_KEM", "KHAC"}

_WORD_CHARS = regex.compile(r"[a-z0-9]+")
_PUNCTUATION = regex.compile(r"[.;:,()\n]")
_NUMBER_REACH = 5  # words: "từ 1/3 số đảng viên trở lên"
_GAP_CACHE_SIZE = 50_000  # the gaps between mentions repeat: " ", ", ", " (chiếm ", …

_SPAN_OF = operator.attrgetter("start", "end")  # of a token or unit
_SPAN_AT = operator.itemgetter(0, 1)  # of a (start, end, payload) phrase match
_START_OF = operator.attrgetter("start")
# "Không hoàn thành nhiệm vụ: không." — a zero answering a colon.
_ZERO_ANSWER = regex.compile(r"\s*(?:[.;,)]|$)")


@dataclass(slots=True)
class Token:
    sym: str
    start: int  # offsets into the normalised text
    end: int
    value: Any = None
    code: str | None = None
    rule: str | None = None
    label: str | None = None
    qualifier: str | None = None
    lead: int | None = None  # where the hedge before a number starts ("gần 4.900"); its gap ends there
    covers: list[str] | None = None
    part: bool = False  # a subject naming a part of the TCCSĐ ("chi bộ cơ sở"): its totals are structure
    kinds: tuple[str, ...] = ()  # for a counting word: the subjects it may stand for, the default first
    topic: bool = False  # a subject noun no number counts, which only names a passage's topic


class Mark:
    """A symbol of what lies between mentions (",", "w", "(", a sentence end): only a span. The
    other Token fields read as unset, so both kinds are used alike; it is lighter to make, and the
    symbol string holds about as many of these as of mentions."""

    __slots__ = ("sym", "start", "end")
    value = code = rule = label = qualifier = lead = covers = None
    part = topic = False
    kinds = ()

    def __init__(self, sym: str, start: int, end: int):
        self.sym, self.start, self.end = sym, start, end


@dataclass(slots=True)
class UnitMention:
    start: int
    end: int
    head: str
    level: str | None
    name: str | None  # None when the mention names no unit ("Đảng bộ xã", "Chi bộ")
    explicit: bool = True  # names a unit or a level; False for a bare "Chi bộ", "Tỉnh ủy"
    level_text: str | None = None  # the level as written ("TỈNH" in "ĐẢNG BỘ TỈNH BÌNH DƯƠNG")
    row: bool = False  # the label of a table's row, given by the table's reader


@dataclass(slots=True)
class Mentions:
    tokens: list[Token | Mark]  # one per symbol
    symbols: str
    units: list[UnitMention]
    sentence_of: list[int]  # token index → sentence index
    sentences: list[Sentence]
    warnings: list = field(default_factory=list)


_SPACE_RUN = regex.compile(r" {2,}")
_SPACES = regex.compile(r"\s*")


def squeeze(folded: str) -> tuple[str, list[int], list[int]]:
    """The text with every run of whitespace written as one space: a phrase broken by a line break or
    a double space ("không hoàn thành⏎nhiệm vụ") is still found. With it, where its positions came
    from: from ``starts[i]`` on, a position of the squeezed text is ``shifts[i]`` behind ``folded``."""
    spaced = folded.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    pieces, starts, shifts = [], [], []
    last = shift = 0
    for run in _SPACE_RUN.finditer(spaced):
        pieces.append(spaced[last:run.start() + 1])
        shift += run.end() - run.start() - 1
        starts.append(run.end() - shift)
        shifts.append(shift)
        last = run.end()
    if not pieces:
        return spaced, starts, shifts
    pieces.append(spaced[last:])
    return "".join(pieces), starts, shifts


def find_lexemes(folded: str, patterns: Patterns) -> list[tuple[int, int, Any]]:
    """Longest non-overlapping phrase matches on word boundaries: (start, end, payload), as offsets of
    ``folded``."""
    squeezed, starts, shifts = squeeze(folded)
    found = []
    n = len(squeezed)
    for last, payload in patterns.automaton.iter_long(squeezed):
        length = payload.length if isinstance(payload, Lexeme) else payload[2]
        start, end = last - length + 1, last + 1
        if (start > 0 and squeezed[start - 1].isalnum()) or (end < n and squeezed[end].isalnum()):
            continue  # not on word boundaries
        found.append((start, end, payload))
    if not starts:
        return found
    # Back to offsets of ``folded``: the phrases come in order, so one pass over the shift points.
    out, i, shift = [], 0, 0
    for start, end, payload in found:
        while i < len(starts) and starts[i] <= start:
            shift = shifts[i]
            i += 1
        end_shift, k = shift, i
        while k < len(starts) and starts[k] < end:  # a squeezed run inside the phrase
            end_shift = shifts[k]
            k += 1
        out.append((start + shift, end + end_shift, payload))
    return out


# One more word of a name: "Điện", "Biên", "Cơ quan - Doanh nghiệp" (a dash joins two parts); a
# hard line break may fall inside a name, a blank line (a new paragraph) or a gap of three spaces
# (the next column of a report's header) ends it. Not a number that goes on
# as a decimal, percent or fraction ("Đảng bộ Công an thành phố Hòa Thái 18,7%").
_NAME_WORD = regex.compile(r"(?:[ \t]*\n[ \t]*|[ \t]{1,2})(?:[-–]\s+)?([\p{L}\d][\p{L}\d\-]*+)(?![.,]\d|[%/])")
# The first word of a name may follow an abbreviated level without a space: "TP.Biên Hòa", "TX.Dĩ An".
_GLUED_NAME_WORD = regex.compile(r"[ \t]{0,2}([\p{L}\d][\p{L}\d\-]*+)(?![.,]\d|[%/])")
_MAX_NAME_WORDS = 10
_CLAUSE_MARK = regex.compile(r"[,.;:()]")


def _name_words(text: str, plain: str, pos: int, lowercase_name: bool, has_level: bool,
                patterns: Patterns, one_line: bool = False, no_diacritics: bool = False) -> list[tuple[int, int]]:
    """Spans of the words of a unit name starting at ``pos``: up to a stop phrase (a capitalised word
    never stops it); a name starts with a capital and does not end on a lower-case word other than a
    level ("Ủy ban nhân dân tỉnh"). A ``one_line`` name ends with its line."""
    spans: list[tuple[int, int]] = []
    placed = False  # a level and a place name have been read: "… thành phố Hải Đông"
    while len(spans) < _MAX_NAME_WORDS:
        m = (_GLUED_NAME_WORD if not spans and pos > 0 and plain[pos - 1] == "." else _NAME_WORD).match(plain, pos)
        if not m:
            break
        capital = m.group(1)[0].isupper()
        after_level = bool(spans) and _ends_with_level(text, spans, patterns, no_diacritics)
        if not capital and (placed or after_level):
            # the place ends the name: "Khối Cơ quan và Doanh nghiệp thành phố Hải Đông kết nạp …",
            # "Đảng ủy Khối các cơ quan tỉnh nhân kỷ niệm …"
            break
        placed = placed or (capital and after_level)
        if _name_stops(text, plain, pos, m, spans, lowercase_name, has_level and no_diacritics, one_line, patterns):
            break
        spans.append(m.span(1))
        pos = m.end()
    return _name_trimmed(text, plain, spans, lowercase_name, patterns)


def _name_stops(text: str, plain: str, pos: int, m: regex.Match, spans: list[tuple[int, int]], lowercase_name: bool,
                any_start: bool, one_line: bool, patterns: Patterns) -> bool:
    """Whether the word of ``m`` is no longer part of the name: it opens a new line (a menu, the next
    heading), starts a stop phrase, or is the lower-case first word of a name that must start with a
    capital (``any_start``: a level typed without diacritics may be followed by anything)."""
    word = m.group(1)
    if "\n" in plain[pos:m.start(1)] and (one_line or word[0].isupper()):
        return True
    if not word[0].isupper() and _starts_stop_phrase(text, plain, m.start(1), patterns):
        # "Khối Cơ quan và Doanh nghiệp tỉnh", "Khoa Toán và Thống kê": "và" joins two parts of one name
        return not (lowercase_name and spans and _joins_name(text, plain, m.end(), patterns))
    # "Đảng bộ huyện kết nạp …": a name starts with a capital (or anything, typed without diacritics)
    return not spans and not lowercase_name and not word[0].isupper() and not word[0].isdigit() and not any_start


def _name_trimmed(text: str, plain: str, spans: list[tuple[int, int]], lowercase_name: bool,
                  patterns: Patterns) -> list[tuple[int, int]]:
    """A name's words without the lower-case words at its end: it ends on a capitalised word, a level,
    or a number right after a capitalised word ("Vĩnh Phước 3"), and never on "các"."""
    if not lowercase_name:
        while spans and not (plain[spans[-1][0]].isupper() or _is_tail_word(text, plain, *spans[-1], patterns)
                             or plain[spans[-1][0]].isdigit() and (len(spans) == 1 or plain[spans[-2][0]].isupper())):
            spans.pop()
    while spans and plain[spans[-1][0]:spans[-1][1]].lower() in patterns.determiners:
        spans.pop()  # "Đảng bộ Khối các năm 2019 …"
    return spans


def _ends_with_level(text: str, spans: list[tuple[int, int]], patterns: Patterns, no_diacritics: bool) -> bool:
    """The words read so far end with a level ("… thành phố", "… tỉnh"), compared with diacritics
    unless the text has none ("quan" is no "quận")."""
    if len(spans) >= 2 and fold(text[spans[-2][0]:spans[-1][1]]) + " " in patterns.unit_lowercase_starts:
        return False  # "… các cơ quan": "quan" completes "cơ quan", it is no "quận"
    for k in (1, 2):
        if len(spans) >= k:
            words = text[spans[-k][0]:spans[-1][1]].lower()
            if (fold(words) in patterns.unit_tail_words_folded) if no_diacritics else (words in patterns.unit_tail_words):
                return True
    return False


def _joins_name(text: str, plain: str, pos: int, patterns: Patterns) -> bool:
    """The word after a "và" at ``pos`` goes on with a name: capitalised, and not the head or level of
    another unit ("Đảng bộ xã A và Đảng bộ xã B", "xã A và xã B" are two units)."""
    if not any(text[pos - len(j):pos].lower() == j or plain[pos - len(j):pos].lower() == folded
               for j, folded in patterns.name_joiners):
        return False
    m = _NAME_WORD.match(plain, pos)
    if not m or not m.group(1)[0].isupper() or "\n" in plain[pos:m.start(1)]:
        return False
    return patterns.unit_regex.match(plain, m.start(1)) is None and fold(m.group(1)) not in patterns.unit_levels


def _is_tail_word(text: str, plain: str, start: int, end: int, patterns: Patterns) -> bool:
    """A level word may end a name ("… nhân dân tỉnh"); compared with diacritics ("quận" is one,
    "quản" is not), or without them in text typed without them."""
    word = text[start:end].lower()
    if _typed_without_diacritics(text, plain, start, end):
        return fold(word) in patterns.unit_tail_words_folded
    return word in patterns.unit_tail_words


def _typed_without_diacritics(text: str, plain: str, start: int, end: int) -> bool:
    """The stretch reads the same with and without diacritics, so word lists must be compared folded."""
    return text[start:end] == plain[start:end]


def _starts_stop_phrase(text: str, plain: str, pos: int, patterns: Patterns) -> bool:
    """A stop phrase starts at ``pos``. Compared with diacritics ("có" stops, "cơ quan" does not);
    text typed without diacritics is compared without them."""
    words = _CLAUSE_MARK.split(text[pos:pos + 40], 1)[0].lower().split()[:3]  # "kiểm điểm, đánh giá" stops at "kiểm điểm"
    stops, joins = patterns.unit_stop_words, patterns.unit_name_joins
    if _typed_without_diacritics(text, plain, pos, pos + 40):
        words, stops, joins = [fold(w) for w in words], patterns.unit_stop_words_folded, patterns.unit_name_joins_folded
        if (" ".join(words) + " ").startswith(patterns.unit_lowercase_starts):
            return False  # "co quan" is "cơ quan" in a name, not the verb "có"
    if (" ".join(words) + " ").startswith(joins):
        return False  # "… Khối Cơ quan và Doanh nghiệp tỉnh": the "và" of a name
    return any(" ".join(words[:k]) in stops for k in range(1, len(words) + 1))


def find_units(norm: Normalised, patterns: Patterns) -> list[UnitMention]:
    """Unit mentions: 'Đảng bộ huyện Điện Biên', 'Huyện ủy Điện Biên', 'Đảng bộ xã' (a reference back)."""
    plain = norm.plain
    found = []
    for m in _unit_heads(norm, patterns):
        head_key = m.group("head").lower()
        head, implied_level = patterns.unit_heads[head_key]
        raw_level = m.group("level")
        name_from = m.end()
        if raw_level and not _level_as_written(norm, m.start(), m.span("level"), patterns):
            raw_level, name_from = None, m.end("head")  # "Huyện ủy ban hành …": "ban" is not the level "bản"
        if not m.group("head")[0].isupper() and not raw_level:
            continue
        level = patterns.unit_levels[raw_level.lower()] if raw_level else None
        no_diacritics = _typed_without_diacritics(norm.text, plain, m.start(), m.end())
        lowercase_name = _lowercase_name(norm, name_from, head_key, raw_level, no_diacritics, patterns)
        # a head in capitals is a line of a report's header ("ĐẢNG BỘ TỈNH …" over "HUYỆN ỦY …"): one unit a line
        words = _name_words(norm.text, plain, name_from, lowercase_name, bool(level), patterns,
                            one_line=m.group("head").isupper(), no_diacritics=no_diacritics)
        if not words and not level and head_key not in patterns.unit_nameless_heads:
            continue
        end = words[-1][1] if words else name_from
        name = norm.text[words[0][0]:end] if words else None
        found.append(UnitMention(m.start(), end, head, level or implied_level, name,
                                 explicit=bool(words or raw_level), level_text=norm.text[m.start("level"):m.end("level")]
                                 if raw_level else None))
    return found


def _lowercase_name(norm: Normalised, name_from: int, head_key: str, raw_level: str | None, no_diacritics: bool,
                    patterns: Patterns) -> bool:
    """Whether the name after a head may go on in lower case: a bloc ("Đảng ủy các cơ quan tỉnh"), a
    level such as "khối", or an agency ("Đảng bộ Sở Tài chính")."""
    plain_after = norm.plain[name_from:name_from + 30].lstrip()
    bloc = (plain_after.lower() + " ").startswith(patterns.unit_lowercase_starts)  # "các cơ quan", "khối …"
    if head_key in patterns.unit_lowercase_heads and bloc:
        return True
    if raw_level is not None and fold(raw_level) in patterns.unit_lowercase_levels:
        return True
    if norm.text[name_from:name_from + 30].lstrip().startswith(patterns.unit_agency_starts):
        return True
    return no_diacritics and plain_after.startswith(patterns.unit_agency_starts_folded)


def listed_names(norm: Normalised, patterns: Patterns, units: list[UnitMention], phrases: list) -> list[UnitMention]:
    """Units named in a list without a party head, each with its share in parentheses: "…: thị trấn Cao
    Thượng (24,18%), xã Ngọc Thiện (21,5%)", "Phường 5 (98,6%)", "Cẩm Vũ (97,8%)". Only where no unit
    and no phrase is read already."""
    taken = sorted([(u.start, u.end) for u in units if u.explicit]  # not a bare head the name goes on from
                   + [(start, end) for start, end, payload in phrases
                      if not (isinstance(payload, Lexeme) and payload.entry.type == "structure")])
    found = []
    for m in patterns.listed_name.finditer(norm.text):
        start, end = m.span("name")
        if _drop_overlapping(taken, [(start, end)], key=lambda span: span):
            level = m.group("level")
            found.append(UnitMention(start, end, "", patterns.unit_levels.get(fold(level)) if level else None,
                                     norm.text[start:end]))
    return found


def _level_as_written(norm: Normalised, head_start: int, span: tuple[int, int], patterns: Patterns) -> bool:
    """The level word reads as a level with its diacritics too ("bản", not "ban"), or the head and
    level were typed without them."""
    start, end = span
    if _typed_without_diacritics(norm.text, norm.plain, head_start, end):
        return True
    return norm.text[start:end].lower() in patterns.unit_levels_written


def _unit_heads(norm: Normalised, patterns: Patterns):
    """What ``unit_regex.finditer`` over the plain text finds, trying the regex only where the
    automaton saw a head in the folded text (the same letters, lower-cased)."""
    starts = sorted({end - length + 1 for end, length in patterns.unit_head_automaton.iter(norm.folded)})
    last_end = 0
    for start in starts:
        if start < last_end:
            continue
        m = patterns.unit_regex.match(norm.plain, start)
        if m is not None:
            last_end = m.end()
            yield m


def _outreached(unit: UnitMention, lexemes: list, starts: list[int]) -> bool:
    """A phrase overlaps the unit and ends after it."""
    i = bisect.bisect_left(starts, unit.end) - 1
    while i >= 0 and lexemes[i][1] > unit.start:
        if lexemes[i][1] > unit.end:
            return True
        i -= 1
    return False


def _drop_overlapping(spans: list[tuple[int, int]], items: list, key) -> list:
    """Items whose span overlaps none of the (sorted, disjoint) ``spans``."""
    starts = [s for s, _ in spans]
    kept = []
    for item in items:
        start, end = key(item)
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and spans[i][1] > start:
            continue
        if i + 1 < len(starts) and starts[i + 1] < end:
            continue
        kept.append(item)
    return kept


def _number_word_tokens(norm: Normalised, patterns: Patterns, number_spans: list[tuple[int, int]]) -> list[Token]:
    """Counts written in words ("mười bốn"); kept later only when a subject noun follows. Read with
    their diacritics ("từ chi bộ" is "from the chi bộ", not "four"), unless the text has none."""
    found = []
    words = patterns.number_words
    for m in words.regex.finditer(norm.folded):
        value = words.value(m.group(0))
        if value is None:
            continue
        start, end = m.span()
        if not _typed_without_diacritics(norm.text, norm.plain, start, end) and \
                any(w not in words.written for w in norm.text[start:end].lower().split()):
            continue
        found.append(Token("n", start, end, value=value, rule="number.words"))
    return _drop_overlapping(number_spans, found, key=_SPAN_OF)


def _lexeme_token(start: int, end: int, payload: Any, text: str) -> Token | None:
    if isinstance(payload, tuple):  # "không có": a zero count, kept only before a subject (decided later)
        _, value, _ = payload
        return Token("n", start, end, value=value, rule="number.zero")
    entry: LexiconEntry = payload.entry
    if entry.type == "shadow":
        return None
    if entry.type == "subject":
        return Token("s" if entry.weak else "S", start, end, code=entry.code, rule=entry.id, part=entry.part,
                     topic=entry.topic_when_uncounted,
                     kinds=payload.kinds)
    if entry.type == "qualifier":
        return Token("q", start, end, code=entry.code, rule=entry.id)
    sym = _LEXICON_SYMBOL[entry.type]
    return Token(sym, start, end, code=entry.code, rule=entry.id, label=text[start:end], value=entry.scope,
                 covers=payload.covers)


def _attach_small_words(tokens: list[Token], folded: str) -> list[Token]:
    """Qualifiers join the number after them; number words count only before a subject noun;
    counting words ("đồng chí", "tổ chức") count only right after a number."""
    out: list[Token] = []
    skip = -1
    for i, tok in enumerate(tokens):
        if i <= skip:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        fraction = _fraction_in_words(tokens, i) if tok.sym == "n" else None
        if fraction is not None:
            out.append(fraction)
            skip = i + 2
        elif tok.sym == "q":
            if nxt is not None and nxt.sym in "NPFD" and not folded[tok.end:nxt.start].strip():
                nxt.qualifier, nxt.lead = tok.code, tok.start
        elif tok.sym == "n":
            if _counts(tok, nxt, folded):
                out.append(Token("N", tok.start, tok.end, value=tok.value, rule=tok.rule))
        elif _kept_after(tok, out, folded):
            out.append(tok)
    return out


def _kept_after(tok: Token, out: list[Token], folded: str) -> bool:
    """Whether a mention stays after the tokens kept so far: a counting word ("đồng chí") only right
    after a number. A topic noun right after a number is counted, so no longer a topic."""
    counted = bool(out) and out[-1].sym in "NF" and not folded[out[-1].end:tok.start].strip()
    if tok.sym == "s" and not counted:
        return False
    if tok.topic and counted:
        tok.topic = False
    return True


def _fraction_in_words(tokens: list[Token], i: int) -> Token | None:
    """"chín trên chín chi bộ": a fraction written in words, from the number word at ``i``."""
    if i + 3 >= len(tokens) or tokens[i].sym != "n":
        return None
    over, whole, noun = tokens[i + 1], tokens[i + 2], tokens[i + 3]
    if over.sym == "q" and over.code == Qualifier.tren and whole.sym == "n" and noun.sym in "Ss" \
            and tokens[i].value <= whole.value:
        return Token("F", tokens[i].start, whole.end, value=(tokens[i].value, whole.value), rule="number.words")
    return None


def _counts(word: Token, nxt: Token | None, folded: str) -> bool:
    """A number word counts right before a subject noun, or as a zero answering a colon
    ("Không hoàn thành nhiệm vụ: không.")."""
    if nxt is not None and nxt.sym in "Ss" and not folded[word.end:nxt.start].strip():
        return True
    return word.value == 0 and bool(_ZERO_ANSWER.match(folded, word.end)) and folded[:word.start].rstrip().endswith(":")


def _drop_verb_categories(tokens: list[Token], folded: str, glue: frozenset[str]) -> list[Token]:
    """'được đánh giá, xếp loại hoàn thành tốt nhiệm vụ': the first phrase is a verb before a rating.
    Read from the right, so that a chain of them goes too: 'thuộc diện đánh giá được xếp loại hoàn
    thành tốt nhiệm vụ trở lên'."""
    kept: list[Token] = []  # reversed
    for tok in reversed(tokens):
        if tok.sym == "C" and tok.code in ("DA_DANH_GIA", "TONG_SO") and kept:
            nxt = kept[-1]
            gap = folded[tok.end:nxt.start]
            if (nxt.sym == "C" and nxt.code in _RATING and not _PUNCTUATION.search(gap)
                    and all(w in glue for w in _WORD_CHARS.findall(gap))):
                continue
        kept.append(tok)
    kept.reverse()
    return kept


def _as_written(phrase: tuple[int, int, Any], norm: Normalised) -> bool:
    """A distractor phrase reads as one with its diacritics too ("tự nhận" is a claim, "tư nhân" private),
    unless the text has none; rating phrases are matched by their letters alone."""
    start, end, payload = phrase
    if not isinstance(payload, Lexeme) or payload.entry.type != "distractor":
        return True
    if _typed_without_diacritics(norm.text, norm.plain, start, end):
        return True
    return " ".join(norm.text[start:end].lower().split()) == payload.written


def _near_a_number(tokens: list[Token], folded: str, after_number: frozenset[str]) -> list[Token]:
    """A distractor word that marks a rule only after a number, kept where one stands a few words before it."""
    kept: list[Token] = []
    for tok in tokens:
        if tok.sym == "X" and tok.rule in after_number:
            prev = next((t for t in kept[:-_NUMBER_REACH - 1:-1] if t.sym in "NFP"), None)
            if prev is None or len(_WORD_CHARS.findall(folded, prev.end, tok.start)) > _NUMBER_REACH \
                    or _PUNCTUATION.search(folded, prev.end, tok.start):
                continue
        kept.append(tok)
    return kept


def _spare_titles(tokens: list[Token], folded: str, spared: frozenset[str], glue: frozenset[str]) -> list[Token]:
    """'đạt danh hiệu trong sạch, vững mạnh': a distractor word right before a rating category (only
    glue and quotes between) names that rating, so it is dropped."""
    kept: list[Token] = []
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        if tok.sym == "X" and tok.rule in spared and i < last and tokens[i + 1].sym == "C":
            gap = folded[tok.end:tokens[i + 1].start]
            if not _PUNCTUATION.search(gap) and all(w in glue for w in _WORD_CHARS.findall(gap)):
                continue
        kept.append(tok)
    return kept


def _bases_before_percent(tokens: list[Token], folded: str, patterns: Patterns) -> list[Token]:
    """'tỷ lệ … hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ là 18,49%': a category
    after 'so với (tổng) số', and its subject noun if any ('so với số đảng viên hoàn thành tốt nhiệm vụ'),
    with a percent next, is that percent's base (a B token)."""
    out: list[Token] = []
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        if tok.sym == "C" and i < last and tokens[i + 1].sym == "P" and out:
            noun = out[-1] if out[-1].sym == "S" and len(out) > 1 else None
            m = patterns.phrases["base_before"].search(folded, out[-1].end, tok.start)
            if m is None and noun is not None and not folded[noun.end:tok.start].strip():
                m = patterns.phrases["base_before"].search(folded, out[-2].end, noun.start)
                if m is not None:
                    out.pop()  # the noun is the base's, taken into the B token
            if m is not None:
                out.append(Token("B", m.start(), tok.end, code=tok.code, rule="base.so_voi"))
                continue
        out.append(tok)
    return out


def _base_tokens(tokens: list[Token], folded: str, sentence_ends: list[int], patterns: Patterns) -> list[Token]:
    """After each percent, a base phrase ('so với tổng số đảng viên') becomes one B token; it ends
    with the percent's sentence (of those ending at ``sentence_ends``; the last one if none)."""
    phrase = patterns.phrases
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        out.append(tok)
        i += 1
        if tok.sym != "P":
            continue
        m = phrase["base_after"].match(folded, tok.end)
        if not m and phrase["share_word"].search(folded, max(0, tok.start - 24), tok.start):
            m = phrase["bare_base"].match(folded, tok.end)
        if not m:
            continue
        limit = sentence_ends[min(bisect.bisect_right(sentence_ends, tok.start), len(sentence_ends) - 1)] \
            if sentence_ends else len(folded)
        stop = phrase["base_end"].search(folded, m.end(), limit)
        end = stop.start() if stop else limit
        inside = []
        while i < len(tokens) and tokens[i].start < end:
            inside.append(tokens[i])
            i += 1
        code = _base_code(inside, tokens[i:i + 4] if stop is not None and stop.group(0).isdigit() else [])
        last_end = max([m.end()] + [t.end for t in inside])
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(" (")))
        out.append(Token("B", start, last_end, code=code, rule="base.so_voi"))
    return out


def _base_code(inside: list[Token], after_number: list[Token]) -> str:
    """The category a base phrase names ("so với số đảng viên hoàn thành tốt nhiệm vụ"), or names after
    the number that follows it ("trên tổng số 4.238 đảng viên được đánh giá"); else the total ("so với
    tổng số", "tổng số đảng viên")."""
    named = [t for t in inside if t.sym == "C" and t.code != "TONG_SO"]
    if not named:
        named = [t for t in after_number if t.sym == "C" and t.code != "TONG_SO"][:1]
    return named[0].code if named else "TONG_SO"


def _gap_symbols(gap: str, patterns: Patterns) -> str:
    cache = patterns.gap_cache
    known = cache.get(gap)
    if known is None:
        known = _gap_symbols_uncached(gap, patterns)
        if len(cache) < _GAP_CACHE_SIZE:
            cache[gap] = known
    return known


def _gap_symbols_uncached(gap: str, patterns: Patterns) -> str:
    glue, openers, coordinators = patterns.glue, patterns.clause_openers, patterns.coordinators
    gap = patterns.phrases["score_threshold"].sub(" ", gap)
    symbols = []
    for item in patterns.phrases["gap_item"].findall(gap):
        if item in openers and symbols and symbols[-1] == ",":
            symbols[-1] = ";"  # ", có …" opens a new statement: "Trong 15 đảng bộ, có 2 đảng bộ …"
        elif item in "();:,":
            symbols.append(item)
        elif item == "=":
            symbols.append(":")
        elif item in coordinators:
            symbols.append("&")
        else:
            words = _WORD_CHARS.findall(item)
            if any(w not in glue for w in words) and (not symbols or symbols[-1] != "w"):
                symbols.append("w")
    return "".join(symbols)


def _counted(unit: UnitMention, value_ends: set[int], folded: str, text: str, patterns: Patterns) -> bool:
    """A nameless "chi bộ <level>" in lower case right after a number is the noun it counts: "ba chi bộ
    bản vùng cao" are three chi bộ, not the chi bộ of a bản ("ba đảng bộ xã này" stays a unit)."""
    if unit.name is not None or unit.head not in patterns.unit_branch_heads or not text[unit.start].islower():
        return False
    before = unit.start
    while before > 0 and folded[before - 1].isspace():
        before -= 1
    return before in value_ends


def _outside_names(numbers: list, units: list[UnitMention], phrases: list, folded: str) -> list:
    """Numbers that are not the last word of a unit's name: in "Chi bộ khu phố Vĩnh Phước 3 là …" the 3
    names the unit, while in "… Phường 2 12 chi bộ" the 12 counts the phrase after it."""
    name_ends = {u.end: u.start for u in units if u.name is not None}
    if not name_ends:
        return numbers
    phrase_starts = {start for start, _, _ in phrases}
    kept = []
    for n in numbers:
        unit_start = name_ends.get(n.end)
        if unit_start is not None and unit_start < n.start and n.kind == "count" \
                and _SPACES.match(folded, n.end).end() not in phrase_starts:
            continue
        kept.append(n)
    return kept


def find_mentions(norm: Normalised, sentences: list[Sentence], patterns: Patterns,
                  rows: Sequence[tuple[int, int]] = ()) -> Mentions:
    """Every mention of the text as tokens in text order, refined by the rules of their neighbours,
    and laid out as the symbols the shapes read. ``rows`` are the spans of a table's row labels, each
    a unit."""
    folded = norm.folded
    warnings: list = []
    numbers = find_numbers(folded, patterns, warnings)
    units, phrases = _units_and_phrases(norm, patterns, rows)
    numbers = _outside_names(numbers, units, phrases, folded)
    number_spans = [(n.start, n.end) for n in numbers]
    lexemes = _drop_overlapping(number_spans, phrases, key=_SPAN_AT)
    # Phrases win over number words: "đủ tư cách" is not the number four.
    words = _drop_overlapping([(s, e) for s, e, _ in lexemes], _number_word_tokens(norm, patterns, number_spans),
                              key=_SPAN_OF)
    tokens = [Token(_NUMBER_SYMBOL[n.kind], n.start, n.end, value=n.value, rule=n.rule) for n in numbers]
    tokens.extend(words)
    value_ends = {n.end for n in numbers} | {w.end for w in words}
    tokens.extend(_lexeme_and_unit_tokens(norm, units, lexemes, value_ends, number_spans, patterns))
    tokens.sort(key=_START_OF)
    tokens = _attach_small_words(tokens, folded)
    tokens = _drop_verb_categories(tokens, folded, patterns.glue)
    tokens = _spare_titles(tokens, folded, patterns.spared_before_category, patterns.glue)
    tokens = _near_a_number(tokens, folded, patterns.after_number)
    tokens = _base_tokens(_bases_before_percent(tokens, folded, patterns), folded, [s.end for s in sentences], patterns)
    return _lay_out(tokens, sentences, folded, patterns, units, warnings)


def _units_and_phrases(norm: Normalised, patterns: Patterns,
                       rows: Sequence[tuple[int, int]]) -> tuple[list[UnitMention], list]:
    """The unit mentions (with the names of a list of units and a table's row labels, which replace
    what they overlap) and the lexicon's phrases as written."""
    units = find_units(norm, patterns)
    phrases = [p for p in find_lexemes(norm.folded, patterns) if _as_written(p, norm)]
    listed = listed_names(norm, patterns, units, phrases) + [
        UnitMention(s, e, "", None, norm.text[s:e], row=True) for s, e in rows if e > s]
    if listed:
        spans = sorted((u.start, u.end) for u in listed)
        units = sorted(_drop_overlapping(spans, units, key=_SPAN_OF) + listed, key=_START_OF)
    return units, phrases


def _lexeme_and_unit_tokens(norm: Normalised, units: list[UnitMention], lexemes: list, value_ends: set[int],
                            number_spans: list[tuple[int, int]], patterns: Patterns) -> list[Token]:
    """The tokens of the phrases and of the units shown. A unit shows unless a longer phrase covers it
    ("đảng bộ huyện và tương đương") or it is the noun a number counts; a phrase inside a shown unit
    does not show."""
    lexeme_starts = [start for start, _, _ in lexemes]
    shown_units = [u for u in units if u.explicit and not _outreached(u, lexemes, lexeme_starts)
                   and not _counted(u, value_ends, norm.folded, norm.text, patterns)]
    unit_spans = [(u.start, u.end) for u in shown_units]
    tokens = [token for start, end, payload in _drop_overlapping(unit_spans, lexemes, key=_SPAN_AT)
              if (token := _lexeme_token(start, end, payload, norm.text)) is not None]
    outside_numbers = _drop_overlapping(number_spans, shown_units, key=_SPAN_OF)
    tokens.extend(Token("U", u.start, u.end, value=u) for u in outside_numbers)
    return tokens


def _lay_out(tokens: list[Token], sentences: list[Sentence], folded: str, patterns: Patterns,
             units: list[UnitMention], warnings: list) -> Mentions:
    """Interleave tokens with gap symbols and sentence ends into one symbol string."""
    laid: list[Token | Mark] = []
    sentence_of: list[int] = []
    t = 0
    for s_index, sentence in enumerate(sentences):
        while t < len(tokens) and tokens[t].start < sentence.start:
            t += 1
        cursor = sentence.start
        while t < len(tokens) and tokens[t].end <= sentence.end:
            tok = tokens[t]
            gap_end = tok.start if tok.lead is None else tok.lead  # a hedge is part of its number
            if gap_end > cursor:  # an empty gap has no symbols
                for sym in _gap_symbols(folded[cursor:gap_end], patterns):
                    laid.append(Mark(sym, cursor, gap_end))
                    sentence_of.append(s_index)
            laid.append(tok)
            sentence_of.append(s_index)
            cursor = tok.end
            t += 1
        # a parenthesis that closes after the sentence's last mention: "(giảm 46 đồng chí so với năm 2024)."
        for _ in range(folded.count(")", cursor, sentence.end) if cursor > sentence.start else 0):
            laid.append(Mark(")", cursor, sentence.end))
            sentence_of.append(s_index)
        last_in_paragraph = s_index + 1 == len(sentences) or sentences[s_index + 1].paragraph != sentence.paragraph
        laid.append(Mark("¶" if last_in_paragraph else "|", sentence.end, sentence.end))
        sentence_of.append(s_index)
    return Mentions(laid, "".join(tok.sym for tok in laid), units, sentence_of, sentences, warnings)
