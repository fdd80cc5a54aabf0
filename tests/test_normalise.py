"""Normalise: one spelling for matching, exact offsets back into the original."""

import unicodedata

import pytest

from extractor.normalise import fold, normalise


@pytest.mark.parametrize("raw, expected", [
    ("Tỉnh uỷ", "Tỉnh ủy"), ("hoà bình", "hòa bình"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"),
    ("quý", "quý"), ("hoàn thành", "hoàn thành"), ("Đảng uỷ Khối", "Đảng ủy Khối"),
])
def test_tone_placement(raw, expected):
    assert normalise(raw).text == expected


def test_spaces_and_percent_sign():
    n = normalise("1,5%\u00a0 so với\u2009năm 7,3％")
    assert n.text == "1,5%  so với năm 7,3%"


def test_folded_has_same_length_and_no_diacritics():
    n = normalise("Đảng viên HOÀN THÀNH tốt nhiệm vụ")
    assert len(n.folded) == len(n.text)
    assert n.folded == "dang vien hoan thanh tot nhiem vu"


def test_fold_is_what_phrases_are_compiled_with():
    assert fold("Tổ chức cơ sở Đảng (TCCSĐ)") == "to chuc co so dang (tccsd)"


@pytest.mark.parametrize("original", [
    unicodedata.normalize("NFD", "Đảng bộ xã Na Tông có 3/15 chi bộ"),
    "Đảng bộ\r\nxã Na Tông có 3/15 chi bộ",
    "\ufeffĐảng bộ xã\u200b Na Tông có 3/15 chi bộ",
])
def test_offsets_map_back_to_the_original(original):
    n = normalise(original)
    i = n.text.index("Na Tông")
    start, end = n.span(i, i + len("Na Tông"))
    assert unicodedata.normalize("NFC", original[start:end]) == "Na Tông"
    j = n.text.index("3/15")
    start, end = n.span(j, j + 4)
    assert original[start:end] == "3/15"


def test_unchanged_text_maps_to_itself():
    n = normalise("Đảng bộ có 69 tổ chức cơ sở đảng")
    assert n.text == n.original and n.span(3, 10) == (3, 10)
