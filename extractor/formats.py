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

from .errors import InputError, MissingExtra, require
from .patterns import load as load_patterns

_HAS_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"[ \t\r\f\v]+")
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


def _clean(cell: str) -> str:
    return _SPACES.sub(" ", cell.replace("\n", " ")).strip()


def linearise_table(rows: list[list[str]]) -> list[str]:
    """Report-style lines for a table whose first row holds the column headers.

    A column whose header is a share ("Tỷ lệ (%)") joins the column before it as "(chiếm x%)".
    Rows without a number (sub-headings) are kept as their label alone.
    """
    rows = [[_clean(c) for c in row] for row in rows if any(_clean(c) for c in row)]
    if len(rows) < 2:
        return [" ".join(rows[0])] if rows else []
    header = rows[0]
    lines = []
    for row in rows[1:]:
        parts = _row_parts(header, row)
        lines.append(f"{row[0]}: " + "; ".join(parts) + "." if parts else row[0])
    return lines


def _row_parts(header: list[str], row: list[str]) -> list[str]:
    """The numbers of a row after its label, each named by its column ("Số lượng: 12"), a share joined
    to the number before it ("12 (chiếm 80%)")."""
    patterns = load_patterns()
    share_header, share_word = patterns.phrases["percent_header"], patterns.words.share_word
    parts: list[str] = []
    for j, cell in enumerate(row[1:], start=1):
        if not cell or not _HAS_DIGIT.search(cell):
            continue
        name = header[j] if j < len(header) else ""
        if share_header.search(name) and parts:
            parts[-1] += f" ({share_word} {cell.rstrip('%').strip()}%)"
        else:
            parts.append(f"{name}: {cell}" if name else cell)
    return parts


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


def _without_tables(tree):
    """The tree with its tables taken out: they are read as tables (``_page_tables``), and trafilatura
    would flatten them into the body as well, one false sentence of numbers per table."""
    for table in tree.xpath("//table"):
        table.drop_tree()
    return tree


def _page_tables(tree) -> str:
    """The tables of a page a reader sees, each row as a report-style line."""
    tables = [linearise_table([[cell.text_content() for cell in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")])
              for table in tree.xpath(_SHOWN_TABLES)]
    return "\n".join(line for table in tables for line in table)


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
    result = trafilatura.bare_extraction(_without_tables(tree), include_tables=False, include_comments=False,
                                         with_metadata=True, favor_recall=True, date_extraction_params=_DATE_PARAMS)
    body = getattr(result, "text", None) or ""
    text = "\n".join(part for part in (body, tables) if part)
    if not text.strip():
        raise InputError(path, "the page holds no article text")
    title, date = getattr(result, "title", None), getattr(result, "date", None)
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return Converted(text, title, date)


def _reader(module: str, path: str):
    """The reader library of an optional extra; without it the input is an error, not a traceback."""
    try:
        return require(module, "office")
    except MissingExtra as exc:
        raise InputError(path, str(exc)) from None


def from_docx(data: bytes, path: str) -> Converted:
    """Paragraphs and tables of a Word report, in document order."""
    docx = _reader("docx", path)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_inflated(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a damaged file
        raise InputError(path, f"not a readable .docx file: {exc.__class__.__name__}") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            lines.append(Paragraph(block, document).text)
        elif block.tag.endswith("}tbl"):
            table = Table(block, document)
            lines.extend(linearise_table([[cell.text for cell in row.cells] for row in table.rows]))
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(path, "the document holds no text")
    return Converted(text, document.core_properties.title or None)


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
    """The text layer of a PDF, page after page. A damaged cross-reference table is repaired as pypdf
    can (it rebuilds it from the objects); what cannot be read is an error naming the damage."""
    PdfReader = _reader("pypdf", path).PdfReader

    pypdf_log = logging.getLogger("pypdf")  # it reports each repair of a damaged file it recovers
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(path, "the PDF is encrypted")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(path, f"{len(reader.pages)} pages, more than a report has ({MAX_PDF_PAGES}); not read")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many unrelated types on a damaged file; the type says enough
        raise InputError(path, f"not a readable PDF (damaged: {exc.__class__.__name__})") from None
    finally:
        pypdf_log.setLevel(level)
    text = "\n\n".join(_unwrapped(page) for page in pages)
    if not text.strip():
        raise InputError(path, "the PDF has no text layer (a scan?)")
    return Converted(text)


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
    lines = _odf_lines(body) if body is not None else []
    if not any(line.strip() for line in lines):
        raise InputError(path, "the document holds no text")
    return Converted("\n".join(lines))


def _odf_lines(element) -> list[str]:
    lines: list[str] = []
    for child in element:
        if child.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
            lines.append(_clean("".join(child.itertext())))
        elif child.tag == f"{_ODF_TABLE}table":
            rows = [["".join(cell.itertext()) for cell in row.iter(f"{_ODF_TABLE}table-cell")]
                    for row in child.iter(f"{_ODF_TABLE}table-row")]
            lines.extend(linearise_table(rows))
        else:
            lines.extend(_odf_lines(child))  # sections and lists hold paragraphs too
    return lines


def from_rtf(data: bytes, path: str) -> Converted:
    """The text of a Rich Text Format file (its \\u escapes decoded), through striprtf."""
    rtf_to_text = _reader("striprtf.striprtf", path).rtf_to_text
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
              ".docx": from_docx, ".odt": from_odt, ".rtf": from_rtf, ".doc": from_doc, ".pdf": from_pdf}
FORMAT_NAMES = {".html": "html", ".htm": "html", ".xhtml": "html", ".mhtml": "mhtml", ".mht": "mhtml",
                ".docx": "docx", ".odt": "odt", ".rtf": "rtf", ".doc": "doc", ".pdf": "pdf"}
