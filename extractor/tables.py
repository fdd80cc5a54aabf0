"""Tables: a report's rating table as report-style lines, one per row, for the pipeline to read.

Each reader (.html, .docx, .odt, .pdf) gives its table as rows of ``Cell`` with their spans. The table
is laid out on a grid, so that a cell merged over several columns or rows covers each of them: a header
merged over the levels ("Xếp loại" over "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ" …)
names every column under it, and a value merged across columns is stated once. The header is the rows
above the first row with a number; a row that numbers the columns ("(1)", "(2)" …) is no part of it.
A table without a number (the two columns of a report's header block) is its cells' lines, in order.
A row becomes

    Đảng bộ xã An Lạc: Tổng số TCCSĐ: 12; Hoàn thành xuất sắc nhiệm vụ: 3 (chiếm 25%); Hoàn thành tốt nhiệm vụ: 7.

its label (the name column, after the row numbers of an "STT" column), then each value named by its
column, a share column ("Tỷ lệ (%)") joined to the count before it. A row that marks its level ("x",
"✓") states one organisation of that level: the mark is written "1", with "chi bộ" when the row names
a chi bộ. A row label is the row's unit (``Line.label``), except on a totals row ("Tổng cộng"), whose
figures are the reporting unit's. Rows without a value (sub-headings) are kept as their label alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .match import find_lexemes
from .normalise import fold
from .patterns import Lexeme, Patterns
from .patterns import load as load_patterns

_SPACES = re.compile(r"\s+")
_VALUE = re.compile(r"^[\d.,\s]*\d[\d.,\s]*%?$")  # "12", "1.245", "20,51", "20,5 %"
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NO_VALUE = re.compile(r"^[\s\-–—]*$")  # an empty cell, or "-"
MAX_SPAN = 64  # columns or rows one cell may cover: a larger span is damage, not a report's layout
MAX_CELLS = 2_000_000  # slots of one table's grid: 200 000 rows of 10 columns, far beyond any report's


class TableTooLarge(ValueError):
    """A table whose grid would exceed ``MAX_CELLS``: a damaged or hostile file, not a report."""


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    cols: int = 1
    rows: int = 1


@dataclass(frozen=True, slots=True)
class Line:
    """A row as a report-style line; ``label`` is the span in ``text`` of the unit the row names."""

    text: str
    label: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class _Slot:
    text: str  # on one line
    origin: bool  # the cell starts here; the other slots of a merged cell repeat its text
    lines: tuple[str, ...] = ()  # the cell's lines as written, for a table that is only text


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def layout(rows: list[list[Cell]]) -> list[list[_Slot]]:
    """The table on a grid: every cell in each slot it covers, rows padded to the widest."""
    grid: dict[tuple[int, int], _Slot] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            text = clean(cell.text)
            lines = tuple(clean(line) for line in cell.text.split("\n") if line.strip())
            for dr in range(min(max(cell.rows, 1), MAX_SPAN, len(rows) - r)):
                for dc in range(min(max(cell.cols, 1), MAX_SPAN)):
                    grid[(r + dr, c + dc)] = _Slot(text, dr == 0 and dc == 0, lines)
            c += min(max(cell.cols, 1), MAX_SPAN)
            if len(grid) > MAX_CELLS:
                raise TableTooLarge(f"a table of more than {MAX_CELLS} cells; not read")
    width = 1 + max((c for _, c in grid), default=-1)
    empty = _Slot("", True)
    return [[grid.get((r, c), empty) for c in range(width)] for r in range(len(rows))]


class _Table:
    """One table's grid read as a header, columns and rows."""

    def __init__(self, grid: list[list[_Slot]], patterns: Patterns):
        self.grid, self.phrase, self.patterns = grid, patterns.phrases, patterns
        self.share_word = patterns.words.share_word
        self.branch_heads = {fold(h): h.lower() for h in patterns.units.branch_heads}
        self.width = len(grid[0]) if grid else 0
        self.header, self.body = self._header_and_body()
        self.numbers = self._row_number_column()
        self.name = self._name_column()

    def _header_and_body(self) -> tuple[list[list[_Slot]], list[list[_Slot]]]:
        """The header: the rows above the first with a value, but a row that numbers the columns and a
        row of one cell across the table (a caption, or a section's heading "I. Khối xã", which is body)."""
        grid = self.grid
        skipped = [self._numbers_columns(row) for row in grid]
        first = next((r for r, row in enumerate(grid) if not skipped[r] and self._has_value(row, 1)), len(grid))
        wide = [self._wide(row) for row in grid]
        header = [row for r, row in enumerate(grid[:first]) if not (skipped[r] or wide[r])]
        return header, [row for r, row in enumerate(grid) if not skipped[r] and (r >= first or wide[r])]

    def _wide(self, row: list[_Slot]) -> bool:
        """A row of one cell across the table."""
        return self.width > 1 and all(not s.text or s.text == row[0].text for s in row)

    def _is(self, phrase: str, text: str) -> bool:
        return bool(text) and self.phrase[phrase].search(fold(text) if phrase != "table_mark" else text) is not None

    def _value(self, text: str) -> bool:
        return bool(_VALUE.match(text)) or self._is("table_mark", text)

    def _has_value(self, row: list[_Slot], start: int) -> bool:
        """A row with a count, a share or a mark after its first column (a year alone is a header's)."""
        return any(s.origin and self._value(s.text) and not _YEAR.match(s.text) for s in row[start:])

    def _numbers_columns(self, row: list[_Slot]) -> bool:
        """A row that numbers the columns: "(1)", "(2)" …, or "A", "B", "1", "2" …"""
        cells = [s.text for s in row if s.origin and s.text]
        if len(cells) < 2 or not all(self._is("table_column_numbers", t) for t in cells):
            return False
        plain = [t for t in cells if t.isdigit()]
        return len(plain) < len(cells) or [int(t) for t in plain] == list(range(int(plain[0]), int(plain[0]) + len(plain)))

    def _row_number_column(self) -> int | None:
        """The "STT" column: so headed, or holding only row numbers beside a column of names."""
        if self.width < 2:
            return None
        if any(self._is("table_row_number_header", row[0].text) for row in self.header):
            return 0
        firsts = [row[0].text for row in self.body if row[0].text]
        if firsts and all(self._is("table_row_number", t) for t in firsts) and any(row[1].text for row in self.body):
            return 0
        return None

    def _name_column(self) -> int:
        """The first column (after the row numbers) that holds a name on most rows."""
        start = 0 if self.numbers is None else self.numbers + 1
        for c in range(start, self.width):
            texts = [row[c].text for row in self.body if row[c].text]
            if texts and sum(not self._value(t) for t in texts) * 2 >= len(texts):
                return c
        return start

    def column_name(self, c: int) -> str:
        """A column's header: the texts over it, top down, each once, without a bare "Số lượng"."""
        parts: list[str] = []
        for row in self.header:
            text = row[c].text
            if text and text not in parts and not self._is("table_measure", text):
                parts.append(text)
        return " ".join(parts)

    def lines(self) -> list[Line]:
        if not self.body:  # no number in it: a table that lays out text (a report's header block, a note)
            return [Line(line) for row in self.grid for slot in row if slot.origin for line in slot.lines]
        names = [self.column_name(c) for c in range(self.width)]
        by_subject = self._by_subject(names)
        return [self._line(row, names, by_subject) for row in self.body if any(s.text for s in row)]

    def _by_subject(self, names: list[str]) -> list[bool] | None:
        """In a table of levels by subjects (most row labels a level, some column a subject: "Đảng viên"
        over "Hoàn thành tốt nhiệm vụ: 596"), which columns name a subject; else None."""
        by_subject = [bool(name) and "subject" in self._kinds(name) for name in names]
        labels = [self._label(row) for row in self.body if self._has_value(row, self.name + 1)]
        levels = sum(self._is_level(label) for label in labels)
        return by_subject if any(by_subject[self.name + 1:]) and levels * 2 > len(labels) else None

    def _label(self, row: list[_Slot]) -> str:
        return row[self.name].text if self.name < self.width else ""

    def _is_level(self, label: str) -> bool:
        kinds = self._kinds(label)
        return "category" in kinds and "subject" not in kinds

    def _kinds(self, text: str) -> set[str]:
        """What the lexicon finds in a header or label: "category", "subject" …"""
        return {payload.entry.type for _, _, payload in find_lexemes(fold(text), self.patterns)
                if isinstance(payload, Lexeme)}

    def _line(self, row: list[_Slot], names: list[str], by_subject: list[bool] | None) -> Line:
        """A row as a line; ``by_subject``, in a table of levels by subjects, tells the columns whose
        header names a subject: each of those names its values with the row's level."""
        label = self._label(row)
        total = self._is("table_total_row", label)
        if by_subject is not None and self._is_level(label):
            names = [f"{name} {label}" if subject else name for name, subject in zip(names, by_subject)]
            label, total = "", False
        parts = self._parts(row, names, label)
        if not parts:
            return self._text_line(row, label)
        if not label or total:
            return Line("; ".join(parts) + ".")  # a totals row: its figures are the reporting unit's
        return Line(f"{label}: " + "; ".join(parts) + ".", (0, len(label)))

    def _text_line(self, row: list[_Slot], label: str) -> Line:
        """A row without a value: a sub-heading, or a row whose cells say something of its unit."""
        texts = list(dict.fromkeys(s.text for c, s in enumerate(row) if s.text and (c != self.numbers or not label)))
        rest = [t for t in texts if t != label]
        return Line(f"{label}: {' '.join(rest)}." if label and rest else " ".join(texts))

    def _parts(self, row: list[_Slot], names: list[str], label: str) -> list[str]:
        """The values of a row after its label, each named by its column ("Số lượng: 12"), a share
        joined to the number before it ("12 (chiếm 80%)"), a mark as one organisation."""
        parts: list[str] = []
        for c in range(self.name + 1, self.width):
            slot = row[c]
            if not slot.origin or _NO_VALUE.match(slot.text) or not self._value(slot.text):
                continue
            name, value = names[c], slot.text
            if self.phrase["percent_header"].search(name) and parts:
                parts[-1] += f" ({self.share_word} {value.rstrip('%').strip()}%)"
                continue
            if self._is("table_mark", value):
                head = next((h for k, h in self.branch_heads.items() if fold(label).startswith(k)), None)
                value = f"1 {head}" if head else "1"
            parts.append(f"{name}: {value}" if name else value)
        return parts


def table_lines(rows: list[list[Cell]], patterns: Patterns | None = None) -> list[Line]:
    """A table's rows as report-style lines (see the module's docstring)."""
    grid = layout([row for row in rows if row])
    if not grid or not grid[0]:
        return []
    return _Table(grid, patterns or load_patterns()).lines()


def plain_rows(rows: list[list[str]]) -> list[list[Cell]]:
    """Rows of cell texts, without spans (a reader that gives none)."""
    return [[Cell(text) for text in row] for row in rows]


class TextBuilder:
    """The text of a converted document, line by line, with the spans of the units its tables name."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.units: list[tuple[int, int]] = []

    def add(self, text: str) -> None:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        self.parts.append(text)
        self.length += len(text)

    def add_table(self, lines: list[Line]) -> None:
        for line in lines:
            self.add(line.text)
            if line.label is not None:
                start = self.length - len(line.text)
                self.units.append((start + line.label[0], start + line.label[1]))

    def text(self) -> str:
        return "".join(self.parts)
