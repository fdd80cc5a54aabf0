"""Input formats other than plain text: saved web pages, Word reports and PDF text layers.

Each becomes plain text that the pipeline reads like an article; evidence offsets point into that
text, which the output document carries in ``text``. A rating table becomes report-style lines:
the row label, then each column header with its cell ("Đảng bộ xã A: Hoàn thành xuất sắc nhiệm vụ:
12 (chiếm 20,5%); Hoàn thành tốt nhiệm vụ: 40"), so the shapes that read reports read tables too.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from . import ocr
from .errors import InputError, require_for
from .models import Ocr
from .tables import Cell, TextBuilder, clean, table_lines

_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


_DATE_PARAMS = {"extensive_search": False, "original_date": True, "max_date": "2099-12-31"}
# A .docx is a zip: what its parts take once inflated is bounded, not only the file's size (a 3 MB zip
# of zeros inflates to gigabytes).
MAX_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 200  # a part inflating more than this many times its compressed size, and large, is a bomb
MAX_PDF_PAGES = 5000


@dataclass(frozen=True)
class Converted:
    text: str
    title: str | None = None
    published: str | None = None
    units: tuple[tuple[int, int], ...] = ()  # spans of ``text`` that name a unit: the row labels of its tables
    ocr: Ocr | None = None  # how the text was read when it came from OCR of a scan


def _parsed(page: str, path: str):
    """The page's tree. Without libxml2's depth limit (``huge_tree``), an article nested more than 255
    elements deep would be cut off; the input's size is bounded by ``max_bytes`` instead."""
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(_XML_DECLARATION.sub("", page, count=1),  # lxml refuses it in text
                                    parser=lxml_html.HTMLParser(huge_tree=True))
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise InputError(path, f"not a readable HTML page: {exc}") from None


# Tables a reader of the page sees: not in its furniture, a template, or a hidden element.
_SHOWN_TABLES = ("//table[not(ancestor::footer or ancestor::nav or ancestor::aside or ancestor::template"
                 " or ancestor-or-self::*[@hidden or @aria-hidden='true'"
                 " or contains(translate(@style, ' ', ''), 'display:none')])]")


_LINKED = 0.9  # a list item whose text is this much a link's is a link to another page


def _without_teasers(tree):
    """The tree without its lists of links to other pages ("Tin cùng chuyên mục" with no heading, "Đọc
    nhiều"): a list whose items are, nearly all, each one link. Their headlines state other units' figures."""
    for listing in tree.xpath("//ul|//ol"):
        items = listing.xpath("./li")
        linked = [li for li in items if _is_link(li)]
        if len(linked) >= 2 and len(linked) * 5 >= len(items) * 4:
            listing.drop_tree()
    return tree


def _is_link(element) -> bool:
    text = len(element.text_content().strip())
    return text > 0 and sum(len(a.text_content().strip()) for a in element.iter("a")) >= _LINKED * text


def _without_tables(tree):
    """The tree with its tables taken out: they are read as tables (``_page_tables``), and trafilatura
    would flatten them into the body as well, one false sentence of numbers per table."""
    for table in tree.xpath("//table"):
        table.drop_tree()
    return tree


def _span(cell, name: str) -> int:
    value = cell.get(name, "1").strip()
    return int(value) if value.isdigit() else 1


def _cell_text(cell) -> str:
    """A cell's text without the tables nested in it (each is read as a table of its own)."""
    if not cell.xpath(".//table"):
        return cell.text_content()
    return "".join(t for t in cell.xpath(".//text()")
                   if not _inside_table(t.getparent().getparent() if t.is_tail else t.getparent(), cell))


def _inside_table(element, cell) -> bool:
    while element is not None and element is not cell:
        if element.tag == "table":
            return True
        element = element.getparent()
    return False


def _html_rows(table) -> list[list[Cell]]:
    """The rows of one table (not of a table nested in it), each cell with its spans."""
    return [[Cell(_cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan")) for cell in tr.xpath("./th|./td")]
            for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")]


def _page_tables(tree) -> list:
    """The tables of a page a reader sees, each as its report-style lines."""
    tables = tree.xpath(_SHOWN_TABLES)
    for br in (br for table in tables for br in table.iter("br")):
        br.tail = "\n" + (br.tail or "")  # a cell's lines: the tables leave the tree before trafilatura reads it
    return [table_lines(_html_rows(table)) for table in tables]


_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w-]{1,40})""", re.IGNORECASE)
_STRAY_BYTES = 1000  # one bad byte in this many is damage, not another encoding


def _page_text(data: bytes) -> str:
    """A page's text: UTF-8, with a few stray bytes replaced (a page damaged in transit, whose text is
    otherwise whole); else the charset the page declares; else Windows-1258."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(data) // _STRAY_BYTES):
        return text
    declared = _CHARSET.search(data[:4096])
    if declared is not None:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1258", errors="replace")


def from_html(data: bytes, path: str) -> Converted:
    """The article of a saved page (boilerplate removed by trafilatura), with its title, date and tables."""
    import trafilatura

    tree = _parsed(_page_text(data), path)
    tables = _page_tables(tree)  # read before the tree goes to trafilatura without its tables
    # dates from the page's markup only, and not capped at today: the same page gives the same bytes any day
    result = trafilatura.bare_extraction(_without_teasers(_without_tables(tree)), include_tables=False,
                                         include_comments=False, with_metadata=True, favor_recall=True,
                                         date_extraction_params=_DATE_PARAMS)
    body = getattr(result, "text", None) or ""
    title, date = getattr(result, "title", None), getattr(result, "date", None)
    if not body.strip() and not any(tables):
        raise InputError(path, "the page holds no article text")
    text = TextBuilder()
    if title and not body.startswith(title):
        text.add(f"{title}\n")
    if body:
        text.add(body)
    for table in tables:
        text.add_table(table)
    return Converted(text.text(), title, date, tuple(text.units))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def from_docx(data: bytes, path: str) -> Converted:
    """Paragraphs and tables of a Word report, in document order, with what content controls hold."""
    docx = require_for("docx", "office", path)
    _check_inflated(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a damaged file
        raise InputError(path, f"not a readable .docx file: {exc.__class__.__name__}") from None
    text = TextBuilder()
    _docx_blocks(document.element.body, text)
    if not text.text().strip():
        raise InputError(path, "the document holds no text")
    return Converted(text.text(), document.core_properties.title or None, None, tuple(text.units))


def _docx_blocks(element, text: TextBuilder) -> None:
    """The paragraphs and tables below ``element``; a content control (``w:sdt``) is read for what it holds."""
    for block in element.iterchildren():
        if block.tag == f"{_W}p":
            text.add(_docx_paragraph(block))
        elif block.tag == f"{_W}tbl":
            for rows in _docx_tables(block):
                text.add_table(table_lines(rows))
        elif block.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            _docx_blocks(block, text)


def _docx_paragraph(p) -> str:
    from docx.text.paragraph import Paragraph

    return Paragraph(p, None).text


def _docx_tables(tbl) -> list[list[list[Cell]]]:
    """A Word table's rows, each cell with its spans (``w:gridSpan`` across, ``w:vMerge`` down), then the
    tables nested in its cells."""
    rows: list[list[list]] = []
    nested: list = []
    above: dict[int, list] = {}  # grid column → the cell that a vertically merged cell below continues
    for tr in _docx_children(tbl, "tr"):
        row: list[list] = []
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        col = int(before.get(f"{_W}val", "0")) if before is not None else 0
        row.extend([["", col, 1]] if col else [])
        for tc in _docx_children(tr, "tc"):
            span = _docx_int(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val") != "restart" and col in above:
                above[col][2] += 1  # continues the cell above: the layout skips the slots it covers
            else:
                cell = ["", span, 1]
                cell[0] = "\n".join(_docx_paragraph(p) for p in _docx_children(tc, "p"))
                nested.extend(_docx_children(tc, "tbl"))
                row.append(cell)
                for k in range(col, col + span):
                    above.pop(k, None)
                    if merge is not None:
                        above[k] = cell
            col += span
        rows.append(row)
    tables = [[[Cell(t, c, r) for t, c, r in row] for row in rows]]
    return tables + [inner for table in nested for inner in _docx_tables(table)]


def _docx_children(element, name: str) -> list:
    """The ``w:name`` children of ``element``, those inside a content control included."""
    found = []
    for child in element.iterchildren():
        if child.tag == f"{_W}{name}":
            found.append(child)
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            found.extend(_docx_children(child, name))
    return found


def _docx_int(element, default: int) -> int:
    value = element.get(f"{_W}val", "") if element is not None else ""
    return int(value) if value.isdigit() else default


def _check_inflated(data: bytes, path: str, kind: str = ".docx") -> None:
    """Refuse a zip whose parts would inflate beyond what a report holds (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(path, f"not a readable {kind} file: {exc.__class__.__name__}") from None
    total = sum(m.file_size for m in members)
    bomb = any(m.file_size > 10 * 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if total > MAX_INFLATED or bomb:
        raise InputError(path, f"uncompressed content too large ({total} bytes once inflated); not read")


def from_pdf(data: bytes, path: str) -> Converted:
    """The text layer of a PDF, page after page, its ruled tables read as tables (through pdfplumber)
    where they stand. A damaged cross-reference table is repaired as pdfminer can (it rebuilds it from
    the objects); what cannot be read is an error naming the damage."""
    pdfplumber = require_for("pdfplumber", "office", path)
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pdfminer_log = logging.getLogger("pdfminer")  # it reports each repair of a damaged file it recovers
    level = pdfminer_log.level
    pdfminer_log.setLevel(logging.ERROR)
    text = TextBuilder()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise InputError(path, f"{len(pdf.pages)} pages, more than a report has ({MAX_PDF_PAGES}); not read")
            for number, page in enumerate(pdf.pages):
                if number:
                    text.add("")
                _pdf_page(page, text)
    except InputError:
        raise
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise InputError(path, "the PDF is encrypted") from None
    except Exception as exc:  # pdfminer raises many unrelated types on a damaged file; the type says enough
        raise InputError(path, f"not a readable PDF (damaged: {exc.__class__.__name__})") from None
    finally:
        pdfminer_log.setLevel(level)
    if not text.text().strip():
        return _from_scan(ocr.read_pdf(data, path), path)
    return Converted(text.text(), units=tuple(text.units))


def from_image(data: bytes, path: str) -> Converted:
    """An image of a report's page (.png, .jpg, .tif), read by OCR."""
    return _from_scan(ocr.read_image(data, path), path)


def _from_scan(scan: ocr.Scan, path: str) -> Converted:
    """The pages OCR read, their wrapped lines joined as in a PDF's text layer."""
    text = "\n\n".join(_unwrapped(page) for page in scan.pages)
    if not text.strip():
        raise InputError(path, "a scan in which OCR found no text")
    return Converted(text, ocr=scan.record)


def _pdf_page(page, text: TextBuilder) -> None:
    """A page's text from the top down: the lines between its tables, and each ruled table as a table."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        return not any(x0 - 1 <= obj["x0"] and obj["x1"] <= x1 + 1 and top - 1 <= obj["top"] and obj["bottom"] <= bottom + 1
                       for x0, top, x1, bottom in boxes)

    free = page.filter(outside)
    margins = (min((c["x0"] for c in free.chars), default=0), max((c["x1"] for c in free.chars), default=0))
    top = page.bbox[1]
    for table in tables:
        _pdf_text(free, top, table.bbox[1], margins, text)
        text.add_table(table_lines(_pdf_rows(page, table)))
        top = max(top, table.bbox[3])
    _pdf_text(free, top, page.bbox[3], margins, text)


_WRAP_SLACK = 24  # points: a line ending this close to the right margin was wrapped there
_FULL_LINE = 0.6  # a wrapped line spans most of the text's width; a short centred heading does not
_ENDS_PARAGRAPH = re.compile(r"[.!?:;…]\W*$")


def _pdf_text(page, top: float, bottom: float, margins: tuple[float, float], text: TextBuilder) -> None:
    """The lines of a band of the page, those its layout wrapped at the right margin joined again."""
    if bottom <= top:
        return
    left, right = margins
    joined: list[str] = []
    wrapped = False
    band = page.filter(lambda obj: top <= obj.get("top", top) < bottom)  # the whole width, what overflows it too
    for line in band.extract_text_lines(return_chars=False):
        if wrapped:
            joined[-1] += " " + line["text"]
        else:
            joined.append(line["text"])
        wrapped = (line["x1"] >= right - _WRAP_SLACK and line["x1"] - line["x0"] >= _FULL_LINE * (right - left)
                   and not _ENDS_PARAGRAPH.search(line["text"]))
    if joined:
        text.add(_unwrapped("\n".join(joined)))


def _pdf_rows(page, table) -> list[list[Cell]]:
    """A ruled table's rows, each cell with the columns and rows of the grid its box covers."""
    xs = sorted({round(x, 1) for c in table.cells for x in (c[0], c[2])})
    ys = sorted({round(y, 1) for c in table.cells for y in (c[1], c[3])})
    starts: dict[tuple[int, int], Cell] = {}
    for x0, top, x1, bottom in table.cells:
        c0, c1 = xs.index(round(x0, 1)), xs.index(round(x1, 1))
        r0, r1 = ys.index(round(top, 1)), ys.index(round(bottom, 1))
        words = page.crop((x0, top, x1, bottom), strict=False).extract_text() or ""
        starts[(r0, c0)] = Cell(words, max(c1 - c0, 1), max(r1 - r0, 1))
    covered: set[tuple[int, int]] = set()
    rows: list[list[Cell]] = []
    for r in range(len(ys) - 1):
        row = []
        for c in range(len(xs) - 1):
            cell = starts.get((r, c))
            if cell is not None:
                row.append(cell)
                covered.update((r + i, c + j) for i in range(cell.rows) for j in range(cell.cols))
            elif (r, c) not in covered:
                row.append(Cell(""))  # a slot no box covers: kept, so that the cells after it keep their columns
        rows.append(row)
    return rows


_WRAPPED = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n[ \t]*(?=\d(?![\d.,]*[.)]\s))")


def _unwrapped(page: str) -> str:
    """A PDF page's text with the line breaks its layout put inside a sentence joined: inside an open
    parenthesis ("(chiếm⏎6,63%)"), and before a number that goes on a sentence ("… và⏎19 tổ chức")
    but not before a numbered item ("1. …", "2) …")."""
    lines = page.split("\n")
    out = lines[:1]
    for line in lines[1:]:
        before = out[-1]
        if before.count("(") > before.count(")") and line.strip():
            out[-1] = f"{before.rstrip()} {line.lstrip()}"
        else:
            out.append(line)
    return _WRAPPED.sub(" ", "\n".join(out))


def from_mhtml(data: bytes, path: str) -> Converted:
    """A page saved by a browser as one file (MHTML, a MIME message): its HTML part, read as a page."""
    import email
    import email.policy

    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = next((p for p in message.walk() if p.get_content_type() == "text/html"), None)
        html_text = part.get_content() if part is not None else None
    except (LookupError, ValueError, UnicodeError) as exc:
        raise InputError(path, f"not a readable MHTML page ({exc.__class__.__name__})") from None
    if not isinstance(html_text, str) or not html_text.strip():
        raise InputError(path, "not a readable MHTML page: it holds no HTML part")
    return from_html(html_text.encode("utf-8"), path)


_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def from_odt(data: bytes, path: str) -> Converted:
    """Headings, paragraphs and tables of an OpenDocument text (.odt), in document order."""
    import zipfile
    from xml.etree import ElementTree

    _check_inflated(data, path, ".odt")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as exc:
        raise InputError(path, f"not a readable .odt file: {exc.__class__.__name__}") from None
    body = root.find(".//{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text")
    text = TextBuilder()
    if body is not None:
        _odf_lines(body, text)
    if not text.text().strip():
        raise InputError(path, "the document holds no text")
    return Converted(text.text(), units=tuple(text.units))


def _odf_lines(element, text: TextBuilder) -> None:
    for child in element:
        if child.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
            text.add(clean("".join(child.itertext())))
        elif child.tag == f"{_ODF_TABLE}table":
            _odf_table(child, text)
        else:
            _odf_lines(child, text)  # sections and lists hold paragraphs too


def _odf_table(table, text: TextBuilder) -> None:
    """A table's own rows (of its header group too), each cell with its spans, then the tables nested in
    its cells. A covered cell is a slot of a merged one: the layout fills it."""
    rows = [r for group in (table, *table.findall(f"{_ODF_TABLE}table-header-rows"), *table.findall(f"{_ODF_TABLE}table-rows"))
            for r in group.findall(f"{_ODF_TABLE}table-row")]
    cells = [row.findall(f"{_ODF_TABLE}table-cell") for row in rows]
    text.add_table(table_lines([[Cell("\n".join("".join(p.itertext()) for p in cell.findall(f"{_ODF_TEXT}p")),
                                      _odf_int(cell, "number-columns-spanned"), _odf_int(cell, "number-rows-spanned"))
                                 for cell in row] for row in cells]))
    for inner in (t for row in cells for cell in row for t in cell.findall(f"{_ODF_TABLE}table")):
        _odf_table(inner, text)


def _odf_int(cell, name: str) -> int:
    value = cell.get(f"{_ODF_TABLE}{name}", "1")
    return int(value) if value.isdigit() else 1


def from_rtf(data: bytes, path: str) -> Converted:
    """The text of a Rich Text Format file (its \\u escapes decoded), through striprtf."""
    rtf_to_text = require_for("striprtf.striprtf", "office", path).rtf_to_text
    try:
        text = rtf_to_text(data.decode("cp1252", errors="replace"), errors="replace")
    except (ValueError, IndexError) as exc:
        raise InputError(path, f"not a readable .rtf file ({exc.__class__.__name__})") from None
    if not text.strip():
        raise InputError(path, "the document holds no text")
    return Converted(text)


def from_doc(data: bytes, path: str) -> Converted:
    raise InputError(path, "a Word 97-2003 .doc file, which xeploai does not read: convert it to .docx first, "
                           "e.g. soffice --headless --convert-to docx FILE")


CONVERTERS = {".html": from_html, ".htm": from_html, ".xhtml": from_html, ".mhtml": from_mhtml, ".mht": from_mhtml,
              ".docx": from_docx, ".odt": from_odt, ".rtf": from_rtf, ".doc": from_doc, ".pdf": from_pdf,
              ".png": from_image, ".jpg": from_image, ".jpeg": from_image, ".tif": from_image, ".tiff": from_image}
FORMAT_NAMES = {".html": "html", ".htm": "html", ".xhtml": "html", ".mhtml": "mhtml", ".mht": "mhtml",
                ".docx": "docx", ".odt": "odt", ".rtf": "rtf", ".doc": "doc", ".pdf": "pdf",
                ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
