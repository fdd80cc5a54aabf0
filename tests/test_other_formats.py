"""Formats beyond .txt, .html, .docx and .pdf: MHTML, XHTML, .odt, .rtf; .doc as a clear error; and the
files of a folder that are not read, listed with the reason."""

import io
import json
import unicodedata
import zipfile
from email.message import EmailMessage
from xml.sax.saxutils import escape

import pytest

from extractor import InputError, extract, extract_file
from extractor.cli import main

from .fixtures import REPORT, cp1258, html_page, pdf_report


def values(doc):
    return [(f.subject.value, f.category.value, f.count, f.percent) for f in doc.figures]


EXPECTED = values(extract(REPORT))


def mhtml(html: bytes) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Kết quả xếp loại"
    message["MIME-Version"] = "1.0"
    message.set_content("This page was saved by a browser.")
    message.add_alternative(html.decode("utf-8"), subtype="html", cte="quoted-printable")
    return message.as_bytes()


def odt(paragraphs: list[str], table: list[list[str]]) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    rows = "".join("<table:table-row>" + "".join(f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>"
                                                 for c in row) + "</table:table-row>" for row in table)
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:text>'
               f'<text:h>Kết quả</text:h>{body}<table:table>{rows}</table:table></office:text></office:body>'
               f'</office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
    return buffer.getvalue()


def rtf(text: str) -> bytes:
    def escaped(ch: str) -> str:
        return ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?"
    body = "\\par ".join("".join(escaped(c) for c in line) for line in text.splitlines())
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0 " + body + "\\par}").encode("ascii")


def test_a_page_saved_as_mhtml_is_read_as_the_page(tmp_path):
    path = tmp_path / "page.mhtml"
    path.write_bytes(mhtml(html_page()))
    doc = extract_file(path)
    assert doc.format == "mhtml" and values(doc) == values(extract_file(_saved(tmp_path, "page.html", html_page())))


def test_an_xhtml_page_with_an_xml_declaration_is_read(tmp_path):
    page = html_page().decode("utf-8")
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + page.replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">')
    doc = extract_file(_saved(tmp_path, "page.xhtml", xhtml.encode("utf-8")))
    assert doc.format == "html" and values(doc) == values(extract_file(_saved(tmp_path, "page.html", html_page())))


def test_an_odt_report_with_a_table(tmp_path):
    table = [["Xếp loại", "Số lượng", "Tỷ lệ (%)"], ["Hoàn thành xuất sắc nhiệm vụ", "9", "17,31"]]
    doc = extract_file(_saved(tmp_path, "report.odt", odt(REPORT.splitlines(), table)))
    assert doc.format == "odt"
    assert values(doc)[:len(EXPECTED)] == EXPECTED
    assert "Hoàn thành xuất sắc nhiệm vụ: 9 (chiếm 17,31%)." in doc.text  # "Số lượng" says no more than the number
    assert all(doc.text[f.evidence.start:f.evidence.end] == f.evidence.text for f in doc.figures)


def test_an_rtf_report_with_unicode_escapes(tmp_path):
    doc = extract_file(_saved(tmp_path, "report.rtf", rtf(REPORT)))
    assert doc.format == "rtf" and values(doc) == EXPECTED


@pytest.mark.parametrize("name, data, words", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "convert it to .docx"),
    ("broken.odt", b"PK\x03\x04 not really", "not a readable .odt file"),
    ("empty.mhtml", b"MIME-Version: 1.0\nContent-Type: text/plain\n\nno page here\n", "no HTML part"),
])
def test_formats_that_cannot_be_read_say_why(tmp_path, name, data, words):
    with pytest.raises(InputError, match=words):
        extract_file(_saved(tmp_path, name, data))


def test_files_of_a_folder_that_are_not_read_are_listed(tmp_path, capsys):
    inputs = tmp_path / "in"
    (inputs / "trang_files").mkdir(parents=True)
    (inputs / "trang.html").write_bytes(html_page())
    (inputs / "trang_files" / "quang_cao.html").write_bytes(html_page())  # an ad the browser saved with the page
    (inputs / "trang_files" / "script.js").write_text("x", encoding="utf-8")
    (inputs / "bang.xlsx").write_bytes(b"PK")
    out = tmp_path / "out"
    assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 0
    assert sorted(p.name for p in out.glob("*.json")) == ["trang.json"]
    lines = [json.loads(line) for line in (out / "skipped.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = {line["path"].rsplit("/", 1)[-1]: line["reason"] for line in lines}
    assert reasons["quang_cao.html"].startswith("an asset of the saved page trang.html")
    assert reasons["script.js"].startswith("an asset of the saved page")
    assert reasons["bang.xlsx"] == "not a format xeploai reads (.xlsx)"
    assert "3 file(s) of the folders not read" in capsys.readouterr().err
    (inputs / "bang.xlsx").unlink()
    for asset in (inputs / "trang_files").iterdir():
        asset.unlink()
    assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 0
    assert not (out / "skipped.jsonl").exists()


def _saved(folder, name, data):
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_page_with_one_stray_byte_keeps_its_utf8_text(tmp_path):
    """One bad byte in a UTF-8 page made the whole page Windows-1258 mojibake, and its figures were lost."""
    page = html_page()
    cut = page.index("Đảng bộ".encode("utf-8"))
    damaged = page[:cut] + b"\xff" + page[cut:]
    doc = extract_file(_saved(tmp_path, "damaged.html", damaged))
    assert "Đảng bộ huyện Tân Lạc" in doc.text
    assert values(doc) == values(extract_file(_saved(tmp_path, "page.html", page)))


def test_a_page_in_a_declared_legacy_charset(tmp_path):
    """(Guard) a whole page in Windows-1258 is no UTF-8 page with stray bytes: its charset is used."""
    page = html_page().decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
    doc = extract_file(_saved(tmp_path, "legacy.html", cp1258(page)))
    assert "Đảng bộ huyện Tân Lạc" in unicodedata.normalize("NFC", doc.text)
    assert values(doc) == values(extract_file(_saved(tmp_path, "page.html", html_page())))


def test_an_article_nested_deeper_than_libxml2s_limit_is_read(tmp_path):
    """260 nested <div>s: libxml2 stops at 256 by default, and the page had "no article text"."""
    sentence = REPORT.splitlines()[2]
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Kết quả</title></head><body>"
            + "<div>" * 260 + f"<p>{sentence}</p>" + "</div>" * 260 + "</body></html>")
    doc = extract_file(_saved(tmp_path, "deep.html", page.encode("utf-8")))
    assert values(doc) == values(extract(sentence))


TABLE = ("<table><tr><th>Đơn vị</th><th>Hoàn thành tốt nhiệm vụ</th><th>Tỷ lệ (%)</th></tr>"
         "<tr><td>Xã {name}</td><td>12</td><td>80</td></tr></table>")


def test_a_page_table_is_read_once_and_only_where_a_reader_sees_it(tmp_path):
    """A rating table in the article was flattened into the body as well as read as a table (a second,
    false figure); tables in the footer, the menu, a template or a hidden element gave figures too."""
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Kết quả xếp loại năm 2021</title></head><body>"
            "<article><h1>Kết quả xếp loại năm 2021</h1><p>Năm 2021, kết quả xếp loại các tổ chức cơ sở đảng như "
            f"sau.</p>{TABLE.format(name='An Bình')}</article><footer>{TABLE.format(name='Chân Trang')}</footer>"
            f"<nav>{TABLE.format(name='Thực Đơn')}</nav><div style='display: none'>{TABLE.format(name='Ẩn Đi')}</div>"
            f"<template>{TABLE.format(name='Mẫu Trang')}</template><div hidden>{TABLE.format(name='Giấu Kín')}</div>"
            "</body></html>")
    doc = extract_file(_saved(tmp_path, "table.html", page.encode("utf-8")))
    assert [(f.count, f.percent) for f in doc.figures] == [(12, 80.0)]
    assert doc.text.count("12") == 1 and "An Bình" in doc.text


def test_line_breaks_of_a_pdf_layout_are_joined_inside_a_sentence(tmp_path):
    """"(chiếm⏎6,63%)" lost its stated percent (a derived one took its place), and "… và⏎19 tổ chức"
    split a sentence; a numbered item on its own line stays one."""
    lines = ["Nam 2020, Dang bo co 181 to chuc co so dang duoc danh gia, trong do 12 to chuc co so dang hoan thanh "
             "xuat sac nhiem vu (chiem", "6,63%), 150 to chuc co so dang hoan thanh tot nhiem vu (chiem 82,87%) va",
             "19 to chuc co so dang hoan thanh nhiem vu.", "1. Ve ca nhan"]
    doc = extract_file(_saved(tmp_path, "wrapped.pdf", pdf_report(lines)))
    assert "(chiem 6,63%)" in doc.text and " va 19 to chuc" in doc.text and "\n1. Ve ca nhan" in doc.text
    htxsnv = next(f for f in doc.figures if f.category.value == "HTXSNV")
    assert (htxsnv.count, htxsnv.percent, htxsnv.derived) == (12, 6.63, [])


def test_a_list_of_links_to_other_articles_is_no_part_of_a_short_page(tmp_path):
    """A short page followed by teasers of other articles with no "Tin cùng chuyên mục" heading: their
    headlines state other units' figures, which went to the article's unit."""
    teasers = "".join(f'<li><a href="/tin/{i}">{text}</a></li>' for i, text in enumerate([
        "Huyện Mai Châu có 38 tổ chức cơ sở đảng hoàn thành xuất sắc nhiệm vụ",
        "Thành phố Hòa Bình: 95% đảng viên hoàn thành tốt nhiệm vụ",
        "Huyện Lạc Sơn tổng kết công tác xây dựng Đảng"]))
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Huyện Tân Lạc xếp loại tổ chức cơ sở đảng</title>'
            '</head><body><div><h1>Huyện Tân Lạc xếp loại tổ chức cơ sở đảng</h1>'
            '<p>Năm 2023, Đảng bộ huyện Tân Lạc có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.</p></div>'
            f'<div class="box"><ul>{teasers}</ul></div></body></html>')
    doc = extract_file(_saved(tmp_path, "short.html", page.encode("utf-8")))
    assert [(f.category.value, f.count) for f in doc.figures] == [("HTTNV", 45)]
    assert "Mai Châu" not in doc.text


def test_a_list_in_the_article_whose_items_are_not_links_is_read(tmp_path):
    items = "".join(f"<li>{text}</li>" for text in ["Hoàn thành xuất sắc nhiệm vụ: 9 tổ chức cơ sở đảng;",
                                                    "Hoàn thành tốt nhiệm vụ: 36 tổ chức cơ sở đảng."])
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Kết quả xếp loại năm 2023</title></head><body>'
            '<article><h1>Kết quả xếp loại năm 2023</h1><p>Năm 2023, Đảng bộ huyện Tân Lạc có 45 tổ chức cơ sở đảng '
            f'được đánh giá, trong đó:</p><ul>{items}</ul></article></body></html>')
    doc = extract_file(_saved(tmp_path, "list.html", page.encode("utf-8")))
    assert {(f.category.value, f.count) for f in doc.figures} >= {("HTXSNV", 9), ("HTTNV", 36)}


def test_a_pages_copyright_year_is_no_publication_date(tmp_path):
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Đảng bộ huyện Tân Lạc xếp loại</title></head><body>'
            '<article><h1>Đảng bộ huyện Tân Lạc xếp loại</h1><p>Năm 2023, Đảng bộ huyện Tân Lạc có 45 tổ chức cơ sở '
            'đảng hoàn thành tốt nhiệm vụ.</p></article><footer>© 2024 Báo Hòa Bình.</footer>'
            '<div class="copyright">Copyright 2024 Báo Hòa Bình</div></body></html>')
    doc = extract_file(_saved(tmp_path, "copyright.html", page.encode("utf-8")))
    assert (doc.published, doc.year) == (None, 2023)


@pytest.mark.parametrize("name", ["report.txt", "page.html"])
def test_mojibake_is_refused_with_what_it_should_read(tmp_path, name):
    """UTF-8 decoded as Windows-1252 before it was saved ("Ä‘áº£ng" for "đảng") passed as text, and no
    figure's unit or category could be read from it."""
    garbled = REPORT.encode("utf-8").decode("cp1252", errors="replace")
    data = garbled if name.endswith(".txt") else f"<html><body><article><p>{garbled}</p></article></body></html>"
    with pytest.raises(InputError) as caught:
        extract_file(_saved(tmp_path, name, data.encode("utf-8")))
    assert name in str(caught.value) and "mojibake" in str(caught.value)
