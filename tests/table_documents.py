"""The blind table documents of tests/cases/tables/ in the formats reports come in.

Each case is an HTML page of headings, paragraphs and one rating table (merged cells, nested tables).
The same page is written here as a Word report (cells merged as Word merges them: ``w:gridSpan`` and
``w:vMerge``, a nested table inside its cell) and as a PDF whose tables are ruled grids (pdfplumber
finds them by their lines). A PDF cannot nest a table: a layout table's cells become lines and the table
inside it a table of its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from lxml import html as lxml_html

CASES = Path(__file__).parent / "cases" / "tables"


@dataclass
class Cell:
    text: str
    cols: int = 1
    rows: int = 1
    tables: list["Table"] = field(default_factory=list)


@dataclass
class Table:
    rows: list[list[Cell]]

    def width(self) -> int:
        return max((c + cell.cols for _, c, cell in self.placed()), default=0)

    def placed(self):
        """(row, column, cell) of each cell on the grid."""
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                taken.update((r + i, c + j) for i in range(cell.rows) for j in range(cell.cols))
                yield r, c, cell
                c += cell.cols


def _text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == "table":
            parts.append(child.tail or "")
            continue
        parts.append("\n" if child.tag == "br" else "")
        parts.append(_text(child))
        parts.append(child.tail or "")
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip())


def _table(element) -> Table:
    rows = []
    for tr in element.xpath("./tr|./thead/tr|./tbody/tr"):
        rows.append([Cell(_text(td), int(td.get("colspan", 1)), int(td.get("rowspan", 1)),
                          [_table(t) for t in td.iter("table") if next(t.iterancestors("td", "th")) is td])
                     for td in tr.xpath("./td|./th")])
    return Table(rows)


def blocks(page: bytes) -> list:
    """The page's body as paragraphs (str) and tables (Table), in order."""
    body = lxml_html.fromstring(page).find("body")
    out: list = []
    for element in body:
        if element.tag == "table":
            out.append(_table(element))
        elif _text(element):
            out.append(_text(element))
    return out


def cases() -> list[tuple[str, bytes, dict]]:
    expected = yaml.safe_load((CASES / "expected.yaml").read_text(encoding="utf-8"))
    return [(name, (CASES / name).read_bytes(), expected[name]) for name in sorted(expected)]


def docx_bytes(page: bytes) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks(page):
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            _docx_table(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(parent, table: Table):
    grid = parent.add_table(rows=len(table.rows), cols=table.width())
    for r, c, cell in table.placed():
        target = grid.cell(r, c)
        if cell.cols > 1 or cell.rows > 1:
            target = target.merge(grid.cell(r + cell.rows - 1, c + cell.cols - 1))
        target.text = cell.text
        for inner in cell.tables:
            _docx_table(target, inner)
    return grid


def _font() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def pdf_bytes(page: bytes) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=_font())
    pdf.set_font("DejaVu", size=8)
    pdf.add_page()
    for block in blocks(page):
        _pdf_block(pdf, block)
    return bytes(pdf.output())


def _pdf_block(pdf, block) -> None:
    if isinstance(block, str):
        pdf.multi_cell(0, 5, block, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    if any(cell.tables for row in block.rows for cell in row):  # a layout table: its cells as lines
        for row in block.rows:
            for cell in row:
                if cell.text:
                    _pdf_block(pdf, cell.text)
                for inner in cell.tables:
                    _pdf_block(pdf, inner)
        return
    with pdf.table(text_align="LEFT", line_height=5, first_row_as_headings=False) as table:
        for row in block.rows:
            pdf_row = table.row()
            for cell in row:
                pdf_row.cell(cell.text, colspan=cell.cols, rowspan=cell.rows)
    pdf.ln(2)


def score(expected: dict, document) -> tuple[int, int, int, list, list]:
    """(matched, expected, predicted, missed, wrong): figures compared on subject, category, unit, count
    and percent."""
    def key(f: dict) -> tuple:
        percent = None if "percent" in f.get("derived", ()) else f.get("percent")  # stated values only
        return (f["subject"], f["category"], f.get("unit"), f.get("count"), None if percent is None else round(percent, 2))

    want = [key(f) for f in expected["figures"]]
    got = [key(f) for f in document["figures"]]
    left = list(got)
    missed = []
    for k in want:
        if k in left:
            left.remove(k)
        else:
            missed.append(k)
    return len(want) - len(missed), len(want), len(got), missed, left


_ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')


def odt_bytes(page: bytes) -> bytes:
    """The page as an OpenDocument text: a merged cell spans its columns and rows, and the slots it covers
    are ``table:covered-table-cell``, as LibreOffice writes them."""
    import zipfile
    from xml.sax.saxutils import escape

    def paragraphs(text: str) -> str:
        return "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))

    def table(t: Table) -> str:
        covered = {(r + i, c + j) for r, c, cell in t.placed() for i in range(cell.rows) for j in range(cell.cols)
                   if i or j}
        starts = {(r, c): cell for r, c, cell in t.placed()}
        rows = []
        for r in range(len(t.rows)):
            cells = []
            for c in range(t.width()):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                elif (r, c) in starts:
                    cell = starts[(r, c)]
                    cells.append(f'<table:table-cell table:number-columns-spanned="{cell.cols}" '
                                 f'table:number-rows-spanned="{cell.rows}">{paragraphs(cell.text)}'
                                 + "".join(table(inner) for inner in cell.tables) + "</table:table-cell>")
                else:
                    cells.append("<table:table-cell/>")
            rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        return "<table:table>" + "".join(rows) + "</table:table>"

    body = "".join(paragraphs(b) if isinstance(b, str) else table(b) for b in blocks(page))
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF}><office:body><office:text>'
               f'{body}</office:text></office:body></office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return buffer.getvalue()
