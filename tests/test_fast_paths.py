"""The fast paths give exactly what the plain definitions they replace give.

Each stage avoids a slow general form for speed: number patterns run as separate scans instead of one
alternation, unit heads are found by an automaton before the unit regex runs, the shape grammar
collects each shape's matches in one pass, context tables are built with NumPy, and phrases are
matched on whitespace-squeezed text. Here each is compared with the plain form on every document of
corpus/ (and on text made to stress it).
"""

import random
import shutil

import pytest
import regex

from benchmarks._common import corpus_texts
from extractor.match import _unit_heads, find_lexemes, find_mentions, find_units
from extractor.normalise import normalise
from extractor.numbers import scan
from extractor.patterns import Patterns, load, pattern_dir
from extractor.resolve import Context, Layout, Resolver
from extractor.segment import segment

P = load()
TEXTS = corpus_texts()
STRESS = [
    "tăng 1.812 đ/c so với năm 2016, 110 năm (2008 - 2017), 36/69 chi, 45/ 119, 2.547/2.547, ngày 25/9/2014",
    "giai đoạn 2015-2020 có 71 trong tổng số 74; từ 40 – 98%; đạt từ 70 đến dưới 90 điểm; 12345678901234",
    "Đảng bộ  huyện\n\nĐiện Biên có  69 tổ chức cơ sở đảng;   không hoàn thành\nnhiệm vụ: 3 (chiếm 4,35%).",
]


def _alternation_scan(folded: str) -> list[tuple[int, int, str]]:
    """The plain definition: one alternation of all number patterns, leftmost first."""
    alternation = regex.compile("|".join(f"(?P<n{i}>{e.regex})" for i, e in enumerate(P.numbers)), regex.V0)
    found = []
    for m in alternation.finditer(folded):
        # the entry whose own group took part (patterns share inner group names such as "num")
        i = next(i for i in range(len(P.numbers)) if m.group(f"n{i}") is not None)
        found.append((m.start(), m.end(), P.numbers[i].id))
    return found


@pytest.mark.parametrize("text", TEXTS + STRESS)
def test_number_scan_is_the_alternation(text):
    folded = normalise(text).folded
    assert [(m.start(), m.end(), e.id) for m, e in scan(folded, P)] == _alternation_scan(folded)


def test_every_pattern_that_starts_at_digits_is_marked_so_and_the_rest_are_searched():
    kinds = {e.id: e.starts for e in P.numbers}
    assert kinds["number.count"] == "digits" and kinds["number.change"] == "anywhere"
    assert len(P.number_scanners) == 1 + sum(e.starts == "anywhere" for e in P.numbers)


def test_without_digit_led_patterns_every_pattern_is_searched(tmp_path):
    target = tmp_path / "patterns"
    shutil.copytree(pattern_dir(), target)
    path = target / "numbers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    starts: digits\n", ""), encoding="utf-8")
    plain = Patterns(target)
    assert len(plain.number_scanners) == len(plain.numbers)
    folded = normalise(STRESS[0]).folded
    assert [(m.span(), e.id) for m, e in scan(folded, plain)] == [(m.span(), e.id) for m, e in scan(folded, P)]


@pytest.mark.parametrize("text", TEXTS + STRESS)
def test_unit_heads_are_what_the_unit_regex_finds(text):
    norm = normalise(text)
    plain = [(m.start(), m.end()) for m in P.unit_regex.finditer(norm.plain)]
    found = [(u.start, u.end) for u in find_units(norm, P)]
    assert {s for s, _ in found} <= {s for s, _ in plain}  # find_units keeps some, with their names
    assert [(m.start(), m.end()) for m in _unit_heads(norm, P)] == plain


def _search_shapes(resolver: Resolver) -> None:
    """The plain definition of the grammar's scan: search for the leftmost position where any shape
    matches, try the shapes there in order, take the first that yields."""
    named = regex.compile(r"\(\?P<\w+>")
    anywhere = regex.compile("|".join(f"(?:{named.sub('(?:', rx.pattern)})" for _, rx in P.shapes))
    pos = 0
    while (found := anywhere.search(resolver.symbols, pos)) is not None:
        at, pos = found.start(), found.start() + 1
        for entry, rx in P.shapes:
            match = rx.match(resolver.symbols, at)
            if match is None or not resolver._requirements_hold(entry, match):
                continue
            drafts = resolver._build(entry, match)
            if drafts:
                resolver.drafts.extend(d for d in drafts if d is not None)
                pos = resolver.last_match_end = match.end()
                break
    resolver.drafts.sort(key=lambda d: (d.start, d.end))


def test_shape_scan_is_the_leftmost_search():
    compared = 0
    for text in TEXTS:
        norm = normalise(text)
        mentions = find_mentions(norm, segment(norm.text), P)
        fast = Resolver(mentions, norm.folded, norm.text, P, Context(None, None))
        figures = [(d.rule, d.symbols) for d in fast.run()]
        plain = Resolver(mentions, norm.folded, norm.text, P, Context(None, None))
        _search_shapes(plain)
        assert figures == [(d.rule, d.symbols) for d in plain.drafts], text[:80]
        compared += len(figures)
    assert compared > 500  # the comparison covers the corpus's figures, not empty lists


def _plain_layout(symbols: str) -> list[list[int]]:
    n = len(symbols)

    def bounds(breaks):
        lo, hi, start = [0] * (n + 1), [n] * (n + 1), 0
        for k, sym in enumerate(symbols):
            lo[k] = start
            start = k + 1 if sym in breaks else start
        lo[n] = start
        for k in range(n - 1, -1, -1):
            hi[k] = k if symbols[k] in breaks else hi[k + 1]
        return lo, hi

    def count(wanted):
        out = [0] * (n + 1)
        for k, sym in enumerate(symbols):
            out[k + 1] = out[k] + (sym == wanted)
        return out

    def previous(wanted):
        out, last = [-1] * (n + 1), -1
        for k, sym in enumerate(symbols):
            out[k], last = last, (k if sym == wanted else last)
        out[n] = last
        return out

    following = [n] * (n + 1)
    for k in range(n - 1, -1, -1):
        following[k] = k if symbols[k] == "R" else following[k + 1]
    return [*bounds("|¶"), *bounds(";|¶"), count("("), count(")"), count("A"), previous("S"), previous("Y"),
            previous("R"), following]


def test_layout_tables_are_the_plain_loops():
    rnd = random.Random(0)
    for _ in range(2000):
        symbols = "".join(rnd.choice("SYRA()|¶;wN,") for _ in range(rnd.randint(0, 40)))
        layout = Layout(symbols)
        got = [layout.sentence_lo, layout.sentence_hi, layout.clause_lo, layout.clause_hi, layout.opened,
               layout.closed, layout.averages, layout.last_subject, layout.last_year, layout.last_range,
               layout.next_range]
        assert got == _plain_layout(symbols), symbols


@pytest.mark.parametrize("text", [
    "không hoàn thành\nnhiệm vụ", "không  hoàn thành \n\n nhiệm vụ", "a  b\n\n\nkhông   hoàn thành nhiệm vụ và  hoàn thành tốt\n nhiệm vụ",
])
def test_phrases_across_whitespace_runs_map_back_to_their_own_text(text):
    folded = normalise(text).folded
    found = find_lexemes(folded, P)
    assert found
    for start, end, payload in found:
        phrase = regex.sub(r"\s+", " ", folded[start:end])
        assert not folded[start].isspace() and not folded[end - 1].isspace()
        assert len(phrase) == payload.length and P.automaton.exists(phrase)
