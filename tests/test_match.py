"""The match stage: mentions laid out as one symbol each (the alphabet of patterns/shapes.yaml)."""

import pytest

from extractor.match import find_mentions
from extractor.normalise import normalise
from extractor.patterns import load
from extractor.segment import segment

P = load()


def symbols(text: str) -> str:
    norm = normalise(text)
    return find_mentions(norm, segment(norm.text), P).symbols


@pytest.mark.parametrize("text, expected", [
    # after the last mention only a closing parenthesis has a symbol
    ("Có 46 tổ chức cơ sở Đảng đạt trong sạch vững mạnh (chiếm 61,3%) trong năm.", "NSC(P)¶"),
    ("Trong sạch, vững mạnh: 379 (chiếm 68,41%), giảm 3,38% so với năm 2016.", "C:N(P),D¶"),
    ("Năm 2008 có 53/78 tổ chức cơ sở đảng đạt trong sạch vững mạnh.", "YFSC¶"),
    ("Đảng viên chưa đánh giá 88 đồng chí, chiếm 3,24% tổng số đảng viên.", "SCNs,PB¶"),
    ("trong đó có 2 chi bộ đạt TSVM tiêu biểu", "TNSC¶"),
    ("Không có tập thể không hoàn thành nhiệm vụ.", "NSC¶"),        # "không có" is a zero count
    ("Có mười bốn chi bộ hoàn thành tốt nhiệm vụ.", "NSC¶"),        # a count written in words
    ("phấn đấu 95% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ", "XPSC¶"),
    ("Hướng dẫn số 27-HD/BTCTW ngày 25/9/2014 của Ban Tổ chức Trung ương.", "¶"),  # no mention at all
    ("Đảng bộ huyện Điện Biên có 69 tổ chức cơ sở đảng. Năm 2017 có 9 đảng viên.", "UNS|YNS¶"),
    # a number that ends a unit's name is part of it, unless a phrase follows that it counts
    ("Chi bộ khu phố Vĩnh Phước 3 là một trong những chi bộ được đánh giá cao.", "UwS¶"),
    ("Đảng bộ Phường 2 có 12 chi bộ.", "UNS¶"),
])
def test_symbols(text, expected):
    assert symbols(text) == expected


def test_a_counting_word_counts_only_after_a_number():
    assert "s" not in symbols("Đồng chí Bí thư đã chỉ đạo các tổ chức đảng.")
    assert "Ns" in symbols("Có 32 đồng chí không hoàn thành nhiệm vụ.")


def test_qualifier_joins_its_number():
    norm = normalise("chiếm tỷ lệ gần 95% tổng số")
    tokens = find_mentions(norm, segment(norm.text), P).tokens
    percent = next(t for t in tokens if t.sym == "P")
    assert percent.qualifier == "gần" and percent.value == 95.0
