"""The page stage: the parts of a published page, its publication date and the year it reports on."""

import pytest

from extractor import extract
from extractor.normalise import normalise
from extractor.page import read_page
from extractor.patterns import load
from extractor.segment import paragraphs

P = load()

PAGE = """BÁO TÂN PHÚ ĐIỆN TỬ  ›  Xây dựng Đảng
Trang chủ | Tin tức | Chính trị | Xã hội
Huyện ủy Đức Trọng tổng kết công tác xây dựng Đảng năm 2016, triển khai nhiệm vụ năm 2017
Thứ Ba, 10 Tháng Một 2017 - 08:15
(PTTH) - Năm qua, toàn Đảng bộ huyện có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.
Đồng chí Lê Văn Hòa, Bí thư Huyện ủy phát biểu tại hội nghị. (Ảnh: Minh Hà)
Tin cùng chuyên mục
Huyện Lạc Dương: 98% đảng viên hoàn thành tốt nhiệm vụ
Thị xã Bảo Lộc có 30 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ
© 2017 Báo Tân Phú. Ghi rõ nguồn khi phát hành lại.
"""

REPORT = """ĐẢNG BỘ TỈNH ĐIỆN BIÊN
HUYỆN ỦY MƯỜNG ẢNG
*
Số 45-BC/HU
Mường Ảng, ngày 10 tháng 01 năm 2024
BÁO CÁO
Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức cơ sở đảng, đảng viên năm 2023
Năm 2023, Đảng bộ huyện có 38 tổ chức cơ sở đảng được xếp loại, trong đó 6 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ.
"""


def roles(text: str) -> list[tuple[str, str]]:
    norm = normalise(text)
    spans = paragraphs(norm.text)
    page = read_page(norm.text, norm.folded, spans, P)
    return [(part.role, norm.text[part.start:part.end][:30]) for part in page.parts]


def test_each_line_of_a_news_page_has_its_role():
    assert [role for role, _ in roles(PAGE)] == [
        "furniture", "furniture", "headline", "dateline", "body", "caption", "sidebar", "sidebar", "sidebar", "footer"]


def test_the_lines_of_a_report_header_are_its_header_and_the_title_follows_bao_cao():
    assert [role for role, _ in roles(REPORT)] == ["header"] * 5 + ["headline", "headline", "body"]
    doc = extract(REPORT)
    assert doc.title.startswith("BÁO CÁO Kết quả kiểm điểm")
    assert doc.published == "2024-01-10"
    assert doc.reporting_unit == "HUYỆN ỦY MƯỜNG ẢNG"


def test_teasers_of_other_articles_give_no_figures():
    doc = extract(PAGE)
    assert [(f.count, f.unit, f.unit_source) for f in doc.figures] == [(45, "Huyện ủy Đức Trọng", "reference")]


def test_a_forward_looking_year_in_the_headline_is_set_aside():
    doc = extract(PAGE)
    assert doc.year == 2016
    headline = {e.year: e.set_aside for e in doc.year_decision.evidence if e.source == "headline"}
    assert headline == {2016: None, 2017: "forward-looking"}
    assert doc.figures[0].year == 2016 and doc.figures[0].year_source == "document"


@pytest.mark.parametrize("line, date", [
    ("Đăng ngày 20/12/2013", "2013-12-20"),
    ("Cập nhật: 05/01/2021 08:15", "2021-01-05"),
    ("Thứ Sáu, 06 Tháng Tư 2018", "2018-04-06"),
    ("14:32 | 06/01/2015", "2015-01-06"),
    ("Ngày 18/01/2013, Thị ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng.", "2013-01-18"),
])
def test_datelines_in_many_forms(line, date):
    assert extract(f"Kết quả đánh giá, xếp loại tổ chức cơ sở đảng\n{line}\nNội dung bài viết.").published == date


def test_a_copyright_year_or_an_impossible_date_is_no_publication_date():
    assert extract("Kết quả đánh giá, xếp loại tổ chức cơ sở đảng\nNội dung.\n© 2024 Báo Tân Phú").published is None
    assert extract("Kết quả đánh giá, xếp loại tổ chức cơ sở đảng\n31/02/2019\nNội dung.").published is None


def test_a_dated_rating_decision_gives_the_year_it_decides_on():
    doc = extract("Theo Quyết định số 2261-QĐ/TU ngày 4/1/2024 về xếp loại chất lượng, có 45 tổ chức cơ sở đảng "
                  "hoàn thành tốt nhiệm vụ.")
    assert (doc.year, doc.year_decision.source) == (2023, "decision")


def test_a_page_published_before_november_cannot_report_on_its_own_year():
    doc = extract("Đảng bộ huyện Phù Cát: nâng cao chất lượng tổ chức cơ sở đảng\nThứ Bảy, 11/07/2015\n"
                  "Đảng bộ huyện có 58 tổ chức cơ sở đảng.")
    assert (doc.year, doc.year_decision.source) == (2014, "dateline")


LISTS = {
    "sidebar": "sidebar", "footer": "footer", "furniture": "furniture", "site": "furniture", "caption": "caption",
}


@pytest.mark.parametrize("name, role", LISTS.items())
def test_page_list_examples(name, role):
    """A positive example of a role's word list, on a page's last lines, takes that role; a negative one does not."""
    examples = P.page.lists[name].examples
    for line in examples.positive:
        assert roles(f"Tiêu đề của một bài viết thử\nMột câu của thân bài.\n{line}")[-1][0] == role, line
    for line in examples.negative:
        assert roles(f"Tiêu đề của một bài viết thử\nMột câu của thân bài.\n{line}")[-1][0] != role, line


def test_date_word_list_examples():
    for line in P.page.lists["dateline"].examples.positive + P.page.lists["weekdays"].examples.positive:
        assert extract(f"Tiêu đề của một bài viết thử\n{line}\nThân bài.").published is not None, line


def test_year_word_list_examples():
    for sentence in P.page.lists["forward"].examples.positive:
        assert any(e.set_aside == "forward-looking" for e in extract(sentence).year_decision.evidence), sentence
    for sentence in P.page.lists["forward"].examples.negative:
        assert not any(e.set_aside == "forward-looking" for e in extract(sentence).year_decision.evidence), sentence
    for sentence in P.page.lists["decision"].examples.positive:
        assert extract(sentence).year_decision.source == "decision", sentence
    for sentence in P.page.lists["decision"].examples.negative:
        assert extract(sentence).year_decision.source != "decision", sentence
    for sentence in P.page.lists["rating"].examples.positive:
        assert extract("Đảng bộ huyện Tân Phú tổng kết công tác xây dựng Đảng\n" + sentence).year_decision.source == "body", sentence
    for sentence in P.page.lists["rating"].examples.negative:
        assert extract("Đảng bộ huyện Tân Phú tổng kết công tác xây dựng Đảng\n" + sentence).year_decision.source != "body", sentence
    title = P.page.lists["report_title"].examples
    for line in title.positive:
        assert roles(f"ĐẢNG BỘ HUYỆN A\n{line}\nNội dung báo cáo năm 2023")[1][0] == "headline", line
    for line in title.negative:
        assert roles(f"ĐẢNG BỘ HUYỆN A\n{line}\nNội dung báo cáo năm 2023")[0][0] != "header", line


def test_headline_topic_list_examples():
    """Of the lines that could be a headline, the first that names the topic is the headline."""
    for page in P.page.lists["topic"].examples.positive:
        assert roles(page)[-1][0] == "headline", page
    for page in P.page.lists["topic"].examples.negative:
        assert roles(page)[-1][0] != "headline", page
