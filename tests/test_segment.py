"""Segment: lines, then sentences with exact offsets; the splitter's known slips are fixed."""

import pytest
from underthesea import sent_tokenize

from extractor.normalise import normalise
from extractor.segment import segment

from .conftest import SEEDS


def _sentences(text):
    return [text[s.start:s.end] for s in segment(text)]


@pytest.mark.parametrize("text, expected", [
    ("Chi bộ có 10 đảng viên (chính thức 9. dự bị 1), là Chi bộ cơ quan.",
     ["Chi bộ có 10 đảng viên (chính thức 9. dự bị 1), là Chi bộ cơ quan."]),
    ("Đảng bộ TX. Dĩ An có 49 tổ chức cơ sở đảng. Năm 2019 có 9 tổ chức HTXSNV.",
     ["Đảng bộ TX. Dĩ An có 49 tổ chức cơ sở đảng.", "Năm 2019 có 9 tổ chức HTXSNV."]),
    ("Theo đ/c. Nguyễn Văn A, toàn Đảng bộ có 120 đảng viên.", ["Theo đ/c. Nguyễn Văn A, toàn Đảng bộ có 120 đảng viên."]),
    ("77,5% đảng viên hoàn thành tốt nhiệm vụ./. Phong Lâm", ["77,5% đảng viên hoàn thành tốt nhiệm vụ./.", "Phong Lâm"]),
    ("Dòng một.\nDòng hai", ["Dòng một.", "Dòng hai"]),
    ("Tỷ lệ 1.500 người. Tiếp theo là 2.000.", ["Tỷ lệ 1.500 người.", "Tiếp theo là 2.000."]),
])
def test_sentences(text, expected):
    assert _sentences(text) == expected


def test_a_hard_line_break_inside_a_sentence_is_not_a_paragraph():
    text = "có 45 tổ chức cơ sở đảng (trong đó 10 tổ chức\nđạt tiêu biểu), 12 hoàn thành.\nNăm sau.\n\nmới"
    assert _sentences(text) == ["có 45 tổ chức cơ sở đảng (trong đó 10 tổ chức\nđạt tiêu biểu), 12 hoàn thành.",
                                "Năm sau.", "mới"]


def test_paragraph_index_follows_lines():
    spans = segment("Một. Hai.\n\nBa.")
    assert [s.paragraph for s in spans] == [0, 0, 1]


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_agrees_with_underthesea_except_known_slips(path):
    """Every boundary we make, underthesea's sent_tokenize makes too (it also splits at the slips)."""
    text = normalise(path.read_text(encoding="utf-8")).text
    theirs = set()
    for line in text.split("\n"):
        for sentence in sent_tokenize(line):
            theirs.add(" ".join(sentence.split()))
    ours = _sentences(text)
    joined_theirs = " ".join(theirs)
    for sentence in ours:
        assert " ".join(sentence.split())[:40] in joined_theirs or sentence.strip() in ("", ".")
