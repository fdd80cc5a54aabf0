"""Every pattern carries examples, and every example holds. Bad pattern data fails loudly."""

import shutil

import pytest
import yaml

from extractor import extract
from extractor.match import find_lexemes, find_mentions, find_units
from extractor.normalise import normalise
from extractor.numbers import scan
from extractor.patterns import Patterns, PatternError, load, pattern_dir
from extractor.segment import segment

P = load()


def _lexicon_ids(text):
    """The entries whose phrases the text holds; for a word that context may drop ("danh hiệu" before
    a rating category, "trở lên" far from a number), only where it stands as a mention."""
    norm = normalise(text)
    found = {payload.entry.id for _, _, payload in find_lexemes(norm.folded, P) if hasattr(payload, "entry")}
    standing = {t.rule for t in find_mentions(norm, segment(norm.text), P).tokens if t.rule}
    return {i for i in found if i not in P.spared_before_category | P.after_number or i in standing}


def _number_ids(text):
    return [entry.id for _, entry in scan(normalise(text).folded, P)]


def _shape_ids(text):
    return {rule for f in extract(text).figures for rule in f.rules}


CASES = (
    [("lexicon", e.id, ex, True) for e in P.lexicon for ex in e.examples.positive]
    + [("lexicon", e.id, ex, False) for e in P.lexicon for ex in e.examples.negative]
    + [("number", e.id, ex, True) for e in P.numbers for ex in e.examples.positive]
    + [("number", e.id, ex, False) for e in P.numbers for ex in e.examples.negative]
    + [("shape", e.id, ex, True) for e in P.shapes_file.entries for ex in e.examples.positive]
    + [("shape", e.id, ex, False) for e in P.shapes_file.entries for ex in e.examples.negative]
)

FINDERS = {"lexicon": _lexicon_ids, "number": _number_ids, "shape": _shape_ids}


@pytest.mark.parametrize("kind, pattern_id, example, positive", CASES,
                         ids=[f"{c[1]}:{'+' if c[3] else '-'}:{c[2][:30]}" for c in CASES])
def test_pattern_example(kind, pattern_id, example, positive):
    found = FINDERS[kind](example)
    assert (pattern_id in found) == positive, f"{pattern_id} {'missed' if positive else 'fired on'}: {example!r}"


@pytest.mark.parametrize("example", P.units.examples.positive)
def test_unit_examples_positive(example):
    assert any(u.name or u.level for u in find_units(normalise(example), P))


@pytest.mark.parametrize("example", P.units.examples.negative)
def test_unit_examples_negative(example):
    assert not [u for u in find_units(normalise(example), P) if u.explicit]


def _copy_patterns(tmp_path):
    target = tmp_path / "patterns"
    shutil.copytree(pattern_dir(), target)
    return target


def _drop_examples(data):
    del data["entries"][2]["examples"]


def _empty_negatives(data):
    data["entries"][0]["examples"]["negative"] = []


def _bad_code(data):
    data["entries"][0]["code"] = "TRONG_SACH"


def _bad_regex(data):
    data["entries"][0]["regex"] = "(unclosed"


def _digits_but_starts_with_a_word(data):
    change = next(e for e in data["entries"] if e["id"] == "number.change")
    change["starts"] = "digits"  # "giảm 3,38% …" starts at "giảm": it would never be tried there


def _a_group_name_twice(data):
    words = next(e for e in data["entries"] if e["id"] == "number.fraction_words")
    data["entries"].insert(0, {**words, "id": "number.fraction_copy"})  # its groups "part", "whole" again


def _unknown_requirement(data):
    data["entries"][0]["requires"] = ["percent_somewhere"]


def _phrase_misses_its_example(data):
    since = next(e for e in data["entries"] if e["id"] == "since_year")
    since["examples"]["positive"].append("không có năm nào")


BROKEN = [
    ("categories.yaml", _drop_examples, r"categories\.yaml: entries\[2\] \(category\.htxsnv\): examples"),
    ("shapes.yaml", _empty_negatives, r"shapes\.yaml: entries\[0\] \(shape\.pct_count_first\): examples\.negative"),
    ("categories.yaml", _bad_code, r"categories\.yaml: entries\[0\] \(category\.tsvm\)"),
    ("numbers.yaml", _bad_regex, r"numbers\.yaml: entries\[0\] \(number\.date\): regex: .*does not compile"),
    ("numbers.yaml", _digits_but_starts_with_a_word,
     r"numbers\.yaml: entries\[\d+\] \(number\.change\): .*starts: digits, but it matches 'giam"),
    ("numbers.yaml", _a_group_name_twice, r"numbers\.yaml: number\.fraction_words: the group name 'part' is used "
                                          r"by number\.fraction_copy too"),
    ("shapes.yaml", _unknown_requirement, r"shapes\.yaml: entries\[0\] \(shape\.pct_count_first\): requires\.0"),
    ("phrases.yaml", _phrase_misses_its_example, r"phrases\.yaml: since_year: misses its positive example 'không có năm nào'"),
]


@pytest.mark.parametrize("name, mutate, message", BROKEN, ids=[b[1].__name__ for b in BROKEN])
def test_bad_pattern_entry_fails_naming_file_and_key(tmp_path, name, mutate, message):
    target = _copy_patterns(tmp_path)
    path = target / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PatternError, match=message):
        Patterns(target)


def test_invalid_yaml_is_named_with_its_position(tmp_path):
    target = _copy_patterns(tmp_path)
    (target / "cues.yaml").write_text("kind: lexicon\nentries: [unclosed\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"(?s)cues\.yaml: not valid YAML: .*line 3"):
        Patterns(target)


def test_missing_pattern_file_is_named(tmp_path):
    target = _copy_patterns(tmp_path)
    (target / "cues.yaml").unlink()
    with pytest.raises(PatternError, match="cues.yaml"):
        Patterns(target)


def test_pattern_ids_are_unique():
    ids = [e.id for e in P.lexicon] + [e.id for e in P.numbers] + [e.id for e in P.shapes_file.entries]
    assert len(ids) == len(set(ids))


def test_every_requirement_a_shape_may_name_is_implemented():
    from extractor.patterns import REQUIRES
    from extractor.resolve import REQUIREMENTS

    assert set(REQUIREMENTS) == set(REQUIRES)
