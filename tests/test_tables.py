"""Report tables as data: the blind table documents of tests/cases/tables/ in .html, .docx and .pdf, and
the table layout itself (merged cells, headers over several rows, row numbers, marks, totals, nesting)."""

import io

import pytest

from extractor import InputError, extract_file
from extractor.tables import Cell, MAX_SPAN, layout, table_lines

from .table_documents import cases, docx_bytes, odt_bytes, pdf_bytes, score

FORMATS = {"html": lambda page: page, "docx": docx_bytes, "odt": odt_bytes, "pdf": pdf_bytes}
CASES = cases()
# What a reader writes down that the extractor does not, with the reason. Nothing else may be missed.
KNOWN_MISSES = {
    # a note merged over the level columns ("Chưa đánh giá, xếp loại (mới thành lập)") says that this
    # one chi bộ was not rated; only a mark or a number in a cell counts an organisation
    "t4.html": {("CHI_BO", "CHUA_DANH_GIA", "Chi bộ thôn Tân Hòa", 1, None)},
}


@pytest.fixture(scope="module", params=sorted(FORMATS))
def extracted(request, tmp_path_factory):
    """Every case extracted from one format: (name, expected, document as JSON-ready dict)."""
    folder = tmp_path_factory.mktemp(request.param)
    out = []
    for name, page, expected in CASES:
        path = folder / f"{name.rsplit('.', 1)[0]}.{request.param}"
        path.write_bytes(FORMATS[request.param](page))
        out.append((name, expected, extract_file(path).model_dump(mode="json")))
    return request.param, out


def test_each_table_gives_the_figures_a_reader_writes_down(extracted):
    fmt, documents = extracted
    for name, expected, document in documents:
        matched, wanted, _, missed, wrong = score(expected, document)
        assert set(missed) <= KNOWN_MISSES.get(name, set()), (fmt, name, missed)
        assert not wrong, (fmt, name, wrong)
        assert document["reporting_unit"] == expected["reporting_unit"], (fmt, name)
        assert {f["year"] for f in document["figures"]} == {expected["year"]}, (fmt, name)


def test_table_figures_point_into_the_text_they_were_converted_to(extracted):
    _, documents = extracted
    for name, _, document in documents:
        for f in document["figures"]:
            span = f["evidence"]
            assert document["text"][span["start"]:span["end"]] == span["text"], (name, f)


def test_a_rows_label_is_its_unit_and_a_totals_row_is_the_reporting_units(extracted):
    _, documents = extracted
    name, expected, document = next(d for d in documents if d[0] == "t8.html")  # "Toàn Đảng bộ", "Xã …" rows
    units = {f["unit"] for f in document["figures"]}
    assert units == {f["unit"] for f in expected["figures"]}
    assert {f["unit_source"] for f in document["figures"]} == {"sentence", "reporting"}


def _slots(rows):
    return [[(s.text, s.origin) for s in row] for row in layout(rows)]


def test_a_merged_cell_covers_each_slot_and_is_stated_once():
    grid = _slots([[Cell("STT", rows=2), Cell("Xếp loại", cols=2)], [Cell("A"), Cell("B")], [Cell("1"), Cell("2"), Cell("3")]])
    assert grid == [[("STT", True), ("Xếp loại", True), ("Xếp loại", False)],
                    [("STT", False), ("A", True), ("B", True)],
                    [("1", True), ("2", True), ("3", True)]]


def test_a_span_beyond_any_table_is_bounded():
    grid = layout([[Cell("x", cols=10**9, rows=10**9)], [Cell("y")]])
    assert len(grid) == 2 and len(grid[0]) == MAX_SPAN + 1  # "y" after the slots "x" covers in its row
    assert grid[1][MAX_SPAN - 1].text == "x" and grid[1][MAX_SPAN].text == "y"


def test_a_header_over_two_rows_names_each_column_and_a_share_joins_its_count():
    rows = [[Cell("TT", rows=2), Cell("Đơn vị", rows=2), Cell("Hoàn thành tốt nhiệm vụ", cols=2)],
            [Cell("Số lượng"), Cell("Tỷ lệ (%)")],
            [Cell("1"), Cell("Xã An Lạc"), Cell("7"), Cell("58,33")]]
    [line] = table_lines(rows)
    assert line.text == "Xã An Lạc: Hoàn thành tốt nhiệm vụ: 7 (chiếm 58,33%)."
    assert line.text[slice(*line.label)] == "Xã An Lạc"


def test_a_row_that_numbers_the_columns_is_no_data():
    rows = [[Cell("STT"), Cell("Đơn vị"), Cell("Tổng số đảng viên")], [Cell("A"), Cell("B"), Cell("(1)")],
            [Cell("1"), Cell("Chi bộ thôn Đông"), Cell("25")]]
    assert [line.text for line in table_lines(rows)] == ["Chi bộ thôn Đông: Tổng số đảng viên: 25."]


def test_a_mark_is_one_organisation_and_an_empty_or_dashed_cell_is_none():
    rows = [[Cell("Tên chi bộ"), Cell("Hoàn thành xuất sắc nhiệm vụ"), Cell("Hoàn thành tốt nhiệm vụ")],
            [Cell("Chi bộ thôn Đông"), Cell(""), Cell("✓")], [Cell("Chi bộ thôn Tây"), Cell("-"), Cell("x")]]
    assert [line.text for line in table_lines(rows)] == ["Chi bộ thôn Đông: Hoàn thành tốt nhiệm vụ: 1 chi bộ.",
                                                         "Chi bộ thôn Tây: Hoàn thành tốt nhiệm vụ: 1 chi bộ."]


def test_a_totals_row_names_no_unit():
    rows = [[Cell("Đơn vị"), Cell("Tổng số")], [Cell("Xã A"), Cell("3")], [Cell("Tổng cộng"), Cell("3")]]
    lines = table_lines(rows)
    assert [line.label for line in lines] == [(0, 4), None] and lines[1].text == "Tổng số: 3."


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_with_content_control() -> bytes:
    """A Word report whose rating sentence and table sit inside content controls (``w:sdt``)."""
    import copy

    import docx
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.add_paragraph("Kết quả xếp loại chất lượng tổ chức cơ sở đảng năm 2023 của Đảng bộ huyện Tân Lạc")
    paragraph = document.add_paragraph("Năm 2023, Đảng bộ huyện Tân Lạc có 52 tổ chức cơ sở đảng.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Đơn vị", (0, 1): "Hoàn thành xuất sắc nhiệm vụ", (1, 0): "Đảng bộ xã An Lạc",
                         (1, 1): "3"}.items():
        table.cell(r, c).text = text
    body = document.element.body
    for element in (paragraph._p, table._tbl):
        sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        sdt.append(OxmlElement("w:sdtPr"))
        sdt.append(content)
        element.addprevious(sdt)
        content.append(copy.deepcopy(element))
        body.remove(element)
    assert len(body.findall(qn("w:sdt"))) == 2
    return _saved(document)


def test_text_and_tables_inside_content_controls_are_read(tmp_path):
    path = tmp_path / "controls.docx"
    path.write_bytes(_docx_with_content_control())
    doc = extract_file(path)
    got = {(f.category.value, f.unit, f.count) for f in doc.figures}
    assert got == {("TONG_SO", "Đảng bộ huyện Tân Lạc", 52), ("HTXSNV", "Đảng bộ xã An Lạc", 3)}


def _docx_report_with_header_table() -> bytes:
    """An official report whose header block is Word's usual borderless table of two cells."""
    import docx

    document = docx.Document()
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    left.text = "ĐẢNG BỘ TỈNH HÒA BÌNH\nHUYỆN ỦY TÂN LẠC\n*\nSố 45-BC/HU"
    right.text = "ĐẢNG CỘNG SẢN VIỆT NAM\nTân Lạc, ngày 10 tháng 01 năm 2024"
    for line in ("BÁO CÁO", "Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức cơ sở đảng năm 2023",
                 "Năm 2023, toàn Đảng bộ có 52 tổ chức cơ sở đảng, trong đó 9 tổ chức cơ sở đảng hoàn thành xuất sắc "
                 "nhiệm vụ (chiếm 17,31%)."):
        document.add_paragraph(line)
    return _saved(document)


def test_a_report_header_in_a_layout_table_gives_the_issuing_body_number_place_date_and_title(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_report_with_header_table())
    doc = extract_file(path)
    header = doc.report_header
    assert (header.issuing_body, header.number, header.place, header.date) == (
        "HUYỆN ỦY TÂN LẠC", "45-BC/HU", "Tân Lạc", "2024-01-10")
    assert header.title == "BÁO CÁO Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức cơ sở đảng năm 2023"
    assert (doc.reporting_unit, doc.published, doc.year) == ("HUYỆN ỦY TÂN LẠC", "2024-01-10", 2023)
    assert {(f.category.value, f.count, f.unit) for f in doc.figures} == {
        ("TONG_SO", 52, "HUYỆN ỦY TÂN LẠC"), ("HTXSNV", 9, "HUYỆN ỦY TÂN LẠC")}


def test_a_page_without_a_report_header_has_none():
    from extractor import extract

    assert extract("Năm 2023, Đảng bộ huyện Tân Lạc có 52 tổ chức cơ sở đảng.").report_header is None


def test_a_table_too_large_for_any_report_is_a_clear_error_not_a_silent_cut(tmp_path):
    cells = "<td colspan='64' rowspan='64'>1</td>" * 600
    path = tmp_path / "hostile.html"
    path.write_text(f"<html><body><p>Đảng bộ huyện Tân Lạc.</p><table><tr>{cells}</tr>" + "<tr><td>2</td></tr>" * 63
                    + "</table></body></html>", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        extract_file(path)
    assert "hostile.html" in str(caught.value) and "more than" in str(caught.value)


def test_every_row_of_a_long_table_is_read():
    rows = [[Cell("STT"), Cell("Chi bộ"), Cell("Tổng số đảng viên")]]
    rows += [[Cell(str(i)), Cell(f"Chi bộ thôn {i}"), Cell(str(10 + i % 40))] for i in range(1, 30001)]
    lines = table_lines(rows)
    assert len(lines) == 30000 and lines[-1].text == "Chi bộ thôn 30000: Tổng số đảng viên: 10."
