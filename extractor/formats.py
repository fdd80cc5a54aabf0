"""Input formats other than plain text: saved web pages, Word reports and PDF text layers.

Each becomes plain text that the pipeline reads like an article; evidence offsets point into that
text, which the output document carries in ``text``. A rating table becomes report-style lines:
the row label, then each column header with its cell ("Đảng bộ xã A: Hoàn thành xuất sắc nhiệm vụ:
12 (chiếm 20,5%); Hoàn thành tốt nhiệm vụ: 40"), so the shapes that read reports read tables too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .errors import InputError

_HAS_DIGIT = re.compile(r"\d")
_PERCENT_HEADER = re.compile(r"%|tỷ lệ|tỉ lệ|ty le", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


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
    header, body = rows[0], rows[1:]
    lines = []
    for row in body:
        label = row[0]
        parts: list[str] = []
        for j in range(1, len(row)):
            cell = row[j]
            if not cell or not _HAS_DIGIT.search(cell):
                continue
            name = header[j] if j < len(header) else ""
            if _PERCENT_HEADER.search(name) and parts:
                parts[-1] += f" (chiếm {cell.rstrip('%').strip()}%)"
            else:
                parts.append(f"{name}: {cell}" if name else cell)
        lines.append(f"{label}: " + "; ".join(parts) + "." if parts else label)
    return lines


def from_html(data: bytes, path: str) -> Converted:
    """The article of a saved page (boilerplate removed by trafilatura), with its title, date and tables."""
    import trafilatura
    from lxml import html as lxml_html

    try:
        page = data.decode("utf-8")
    except UnicodeDecodeError:
        page = data.decode("cp1258", errors="replace")
    result = trafilatura.bare_extraction(page, include_tables=False, include_comments=False, with_metadata=True,
                                         favor_recall=True)
    body = (getattr(result, "text", None) if result is not None else None) or ""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise InputError(path, f"not a readable HTML page: {exc}") from None
    tables = [linearise_table([[cell.text_content() for cell in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")])
              for table in tree.xpath("//table")]
    table_text = "\n".join(line for table in tables for line in table)
    text = "\n".join(part for part in (body, table_text) if part)
    if not text.strip():
        raise InputError(path, "the page holds no article text")
    title = getattr(result, "title", None) if result is not None else None
    date = getattr(result, "date", None) if result is not None else None
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return Converted(text, title, date)


def from_docx(data: bytes, path: str) -> Converted:
    """Paragraphs and tables of a Word report, in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

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


def from_pdf(data: bytes, path: str) -> Converted:
    """The text layer of a PDF, page after page."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(path, "the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(path, f"not a readable PDF: {exc}") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise InputError(path, "the PDF has no text layer (a scan?)")
    return Converted(text)


CONVERTERS = {".html": from_html, ".htm": from_html, ".docx": from_docx, ".pdf": from_pdf}
