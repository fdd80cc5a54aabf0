"""Export: the output documents of a batch as tables, built in bulk.

Each output document is validated against the contract and appended, as one line, to a staging file of
JSON Lines; DuckDB reads that file with ``read_json`` and builds every table in SQL, so no row passes
through Python (except into an .xlsx sheet, which is written cell by cell). ``export`` writes four
tables: ``figures`` (one row per figure), ``documents``, ``checks`` and the ``conflicts`` of the panel
(``panel.py``, which writes the panel itself through the same functions).

A DuckDB file holds the tables; an .xlsx workbook holds one sheet per table; Parquet and CSV hold the
first table, the others going to files beside it, ``<name>.<table>.<ext>``; ``-`` writes the first table
to stdout as JSON Lines. CSV starts with a UTF-8 byte order mark, so that spreadsheet programs read
Vietnamese, and a text cell that a spreadsheet would read as a formula gets a leading ``'``.

Only valid output documents are exported (the rest are skipped and named), and outputs the last batch
listed as stale only when asked. Every file is written beside its target and moved into place, so an
interrupted export leaves the previous files whole: the files of one export are put back as they were
when a later move fails. A file that is not an earlier export is never replaced without ``force``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import batch, tablecache
from .errors import InputError, MissingExtra, require
from .outputs import Records, read_output_bytes, read_outputs, stale_outputs
from .tablecache import Cache
from .units import unit_key

STDOUT = "-"
FORMATS = {".duckdb": "duckdb", ".parquet": "parquet", ".csv": "csv", ".xlsx": "xlsx"}
FORMULA_START = r"^[=+\-@\t\r]"  # what makes a spreadsheet read a CSV cell as a formula
CSV_BOM = b"\xef\xbb\xbf"
XLSX_ROWS = 1_048_575  # rows below the header that one sheet of a workbook holds
XLSX_CREATOR = b"<dc:creator>xeploai</dc:creator>"  # the mark an .xlsx written here carries
LIST_JOIN = "; "  # how a list cell is written where the format holds no lists (CSV, .xlsx)
CHUNK = 256  # output documents validated at a time (what is held in memory)
PART = 500  # documents per worker process at least: fewer are validated in this process

# What read_json reads of an output document (fields it does not name, such as newer ones, are ignored).
# Whole numbers are read as DOUBLE, so that one beyond a column's range is found (OUT_OF_RANGE), not fatal.
FIGURE_JSON = ("STRUCT(id VARCHAR, subject VARCHAR, category VARCHAR, label VARCHAR, \"year\" DOUBLE, "
               "period DOUBLE[], unit VARCHAR, unit_key VARCHAR, \"count\" DOUBLE, total DOUBLE, percent DOUBLE, "
               "percent_of VARCHAR, percent_of_source VARCHAR, change STRUCT(\"value\" DOUBLE, unit VARCHAR, since "
               "DOUBLE), qualifier VARCHAR, covers VARCHAR[], derived VARCHAR[], evidence STRUCT(\"start\" DOUBLE, "
               "\"end\" DOUBLE, text VARCHAR), repeat_of VARCHAR, scoped_unit_key VARCHAR, unit_kind VARCHAR, "
               "admin STRUCT(\"level\" VARCHAR, name VARCHAR, province_code VARCHAR, province_name VARCHAR, district_code VARCHAR, "
               "ward_code VARCHAR, latitude DOUBLE, longitude DOUBLE))[]")
CHECK_JSON = ("STRUCT(kind VARCHAR, severity VARCHAR, figures VARCHAR[], stated DOUBLE, expected DOUBLE, "
              "message VARCHAR)[]")
DOCUMENT_JSON = {
    "xeploai_order": "BIGINT", "doc_id": "VARCHAR", "source": "VARCHAR", "title": "VARCHAR", "published": "VARCHAR",
    "year": "DOUBLE", "reporting_unit": "VARCHAR", "format": "VARCHAR", "url": "VARCHAR",
    "figures": FIGURE_JSON, "checks": CHECK_JSON,
}
# The staged documents with a whole number beyond what its column holds (an INTEGER, or a count exactly).
OUT_OF_RANGE = """
SELECT xeploai_order FROM staged
WHERE abs("year") >= 2147483648 OR len(list_filter(figures, lambda f: abs(f."year") >= 2147483648
   OR abs(f."count") >= 9007199254740992 OR abs(f.total) >= 9007199254740992 OR abs(f.change.since) >= 2147483648
   OR abs(f.evidence."start") >= 2147483648 OR abs(f.evidence."end") >= 2147483648
   OR len(list_filter(f.period, lambda y: abs(y) >= 2147483648)) > 0)) > 0
"""
# Each table: (column, type, its SQL over the staged documents ``d`` and their figures ``f`` or checks ``c``).
FIGURE_COLUMNS = [
    ("doc", "VARCHAR", "d.doc_id"), ("figure", "VARCHAR", "f.id"), ("unit", "VARCHAR", "f.unit"),
    # the key within the province (two provinces' "Đảng bộ tỉnh" are two units), else the unit's own
    ("unit_key", "VARCHAR", "coalesce(f.scoped_unit_key, f.unit_key, k.unit_key)"), ("subject", "VARCHAR", "f.subject"),
    ("category", "VARCHAR", "f.category"), ("label", "VARCHAR", "f.label"), ("year", "INTEGER", "f.year"),
    ("period_from", "INTEGER", "f.period[1]"), ("period_to", "INTEGER", "f.period[2]"),
    ("count", "BIGINT", "f.count"), ("total", "BIGINT", "f.total"), ("percent", "DOUBLE", "f.percent"),
    ("percent_of", "VARCHAR", "f.percent_of"), ("percent_of_source", "VARCHAR", "f.percent_of_source"),
    ("change_value", "DOUBLE", "f.change.value"), ("change_unit", "VARCHAR", "f.change.unit"),
    ("change_since", "INTEGER", "f.change.since"), ("qualifier", "VARCHAR", "f.qualifier"),
    ("derived", "VARCHAR", "array_to_string(coalesce(f.derived, []), ',')"), ("source", "VARCHAR", "d.source"),
    ("evidence_start", "INTEGER", "f.evidence.start"), ("evidence_end", "INTEGER", "f.evidence.end"),
    ("evidence_text", "VARCHAR", "f.evidence.text"), ("covers", "VARCHAR", "array_to_string(f.covers, ',')"),
    ("repeat_of", "VARCHAR", "f.repeat_of"), ("unit_kind", "VARCHAR", "f.unit_kind"),
    ("admin_level", "VARCHAR", "f.admin.level"), ("admin_name", "VARCHAR", "f.admin.name"),
    ("province_code", "VARCHAR", "f.admin.province_code"), ("province_name", "VARCHAR", "f.admin.province_name"),
    ("admin_code", "VARCHAR", "coalesce(f.admin.ward_code, f.admin.district_code, f.admin.province_code)"),
    ("latitude", "DOUBLE", "f.admin.latitude"), ("longitude", "DOUBLE", "f.admin.longitude"),
]
DOCUMENT_COLUMNS = [
    ("doc", "VARCHAR", "d.doc_id"), ("title", "VARCHAR", "d.title"), ("published", "VARCHAR", "d.published"),
    ("year", "INTEGER", "d.year"), ("reporting_unit", "VARCHAR", "d.reporting_unit"),
    ("format", "VARCHAR", "d.format"), ("source", "VARCHAR", "d.source"), ("url", "VARCHAR", "d.url"),
    ("figures", "INTEGER", "len(coalesce(d.figures, []))"), ("checks", "INTEGER", "len(coalesce(d.checks, []))"),
]
CHECK_COLUMNS = [
    ("doc", "VARCHAR", "d.doc_id"), ("kind", "VARCHAR", "c.kind"), ("severity", "VARCHAR", "c.severity"),
    ("figures", "VARCHAR", "array_to_string(c.figures, ',')"), ("stated", "DOUBLE", "c.stated"),
    ("expected", "DOUBLE", "c.expected"), ("message", "VARCHAR", "c.message"),
]
EXPORT_TABLES = ("figures", "documents", "checks", "conflicts")
# What the cache keeps of each document (tablecache.py): the rows of each table, with a figure's or a
# check's place in its document (n) to keep their order.
CACHED_COLUMNS = {"figures": [("n", "INTEGER", "d.n"), *FIGURE_COLUMNS], "documents": DOCUMENT_COLUMNS,
                  "checks": [("n", "INTEGER", "d.n"), *CHECK_COLUMNS]}


class ExportError(ValueError):
    """The output folder or the target cannot be used."""


@dataclass
class Exported:
    figures: int
    checks: int
    invalid: list[InputError] = field(default_factory=list)  # JSON files in OUTDIR that are no output document
    stale: list[Path] = field(default_factory=list)  # outputs left out as stale
    documents: int = 0
    conflicts: int = 0


@dataclass
class Staged:
    """The valid output documents, one a line in ``files``, each with its place among ``paths`` as
    ``xeploai_order``."""

    files: list[Path]
    paths: list[Path]
    documents: int = 0
    invalid: list[InputError] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)


def duckdb_module():
    try:
        return require("duckdb", "export")
    except MissingExtra as exc:
        raise ExportError(str(exc)) from None


def _xlsxwriter():
    try:
        return require("xlsxwriter", "export")
    except MissingExtra:
        raise ExportError("writing .xlsx needs XlsxWriter, which is not installed: pip install 'xeploai[export]'") \
            from None


def kind_of(target: str | Path) -> str:
    """The format a target names: duckdb, parquet, csv, xlsx, or jsonl for ``-`` (stdout)."""
    if str(target) == STDOUT:
        return "jsonl"
    kind = FORMATS.get(Path(target).suffix.lower())
    if kind is None:
        raise ExportError(f"{batch.shown(target)}: unknown format; use .duckdb, .parquet, .csv, .xlsx or - "
                          "(JSON Lines on stdout)")
    return kind


# --- reading the output documents ------------------------------------------------------------------------

def output_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """The output documents (*.json) of the given folders (searched recursively, the batch's records
    left out) and files, each file once, in order; nothing under a folder of ``exclude``."""
    left_out = {os.path.realpath(p) for p in exclude}
    found: dict[tuple[int, int], Path] = {}  # by device and inode: a file reached twice is read once
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _json_below(path, left_out, found)
        elif path.is_file():
            stat = path.stat()
            found.setdefault((stat.st_dev, stat.st_ino), path)
        else:
            raise ExportError(f"{batch.shown(path)}: not a folder of output documents")
    return list(found.values())


def _json_below(folder: Path, left_out: set[str], found: dict[tuple[int, int], Path]) -> None:
    device = folder.stat().st_dev
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:  # the folder's type and inode come with its listing: no call per file
        if entry.is_dir(follow_symlinks=False):
            if entry.name != batch.STATE_DIR and os.path.realpath(entry.path) not in left_out:
                _json_below(Path(entry.path), left_out, found)
        elif entry.name.endswith(".json") and not entry.name.startswith(".") and entry.is_file():
            stat = entry.stat() if entry.is_symlink() else None
            found.setdefault((stat.st_dev, stat.st_ino) if stat else (device, entry.inode()), Path(entry.path))


def stage(paths: list[Path], orders: list[int], folder: Path, workers: int | None = None) -> Staged:
    """Validate the output documents ``orders`` of ``paths`` and append the valid ones to JSON Lines
    files in ``folder``: one file per worker process, each validating a run of the documents (validation
    is the costly part)."""
    workers = workers or min(os.cpu_count() or 1, max(1, len(orders) // PART))
    bounds = [len(orders) * k // workers for k in range(workers + 1)]
    parts = [([(order, paths[order]) for order in orders[a:b]], str(folder / f"documents-{k}.jsonl"))
             for k, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    staged = Staged([Path(part[1]) for part in parts], paths)
    results = [_stage_part(*parts[0])] if workers == 1 else _in_processes(_stage_part, parts)
    for documents, invalid in results:
        staged.documents += documents
        staged.invalid.extend(InputError(path, reason) for path, reason in invalid)
    return staged


def _stage_part(jobs: list[tuple[int, Path]], file: str) -> tuple[int, list]:
    """Stage one run of documents, each with its place among all the paths (the tables keep this order,
    and a problem names the file): how many, and the invalid ones as plain data (what a worker process
    sends back)."""
    documents, invalid = 0, []
    with open(file, "wb") as handle:
        for start in range(0, len(jobs), CHUNK):
            chunk = jobs[start:start + CHUNK]
            order = {path: k for k, path in chunk}
            found = read_outputs([path for _, path in chunk], read=read_output_bytes)
            invalid += [(problem.path, problem.reason) for problem in found.invalid]
            for path, data in found.documents:
                documents += 1
                handle.write(b'{"xeploai_order": %d, ' % order[path])
                # JSON holds raw line breaks only between tokens, so the document becomes one line
                handle.write(data.lstrip()[1:].replace(b"\r", b" ").replace(b"\n", b" "))
                handle.write(b"\n")
    return documents, invalid


def _in_processes(work, parts: list[tuple]) -> list:
    """``work(*part)`` for each part, each in a worker process; the results in order. The workers leave
    Ctrl-C to this process and end with it."""
    pool = ProcessPoolExecutor(max_workers=len(parts), initializer=batch._worker_init)
    try:
        futures = [pool.submit(work, *part) for part in parts]
        return [future.result() for future in futures]
    except BrokenProcessPool:
        raise ExportError("a worker process died while validating the output documents (out of memory?)") from None
    finally:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def load_tables(connection, staged: Staged, keep: tuple[str, ...], caches: list[Cache | None] = ()) -> None:
    """The tables figures, documents and checks, in the order of the paths: the rows of the documents
    staged (read now: with a cache, also kept as the temporary tables new_<table> for it) and the rows the
    ``caches`` hold of the others (the temporary table ``wanted`` says which). Those in ``keep``, and
    figures in any case, as a temporary table (not written into a DuckDB file) if not kept."""
    connection.execute("CREATE TEMP TABLE staged AS SELECT * FROM read_json(?, columns = ?, "
                       "format = 'newline_delimited', maximum_object_size = 1073741824)",
                       [[str(file) for file in staged.files], DOCUMENT_JSON])
    _drop_out_of_range(connection, staged)
    _fill_unit_keys(connection)
    figures = ("(SELECT *, unnest(figures) AS f, generate_subscripts(figures, 1) AS n FROM staged) AS d "
               "LEFT JOIN unit_keys AS k ON k.unit = d.f.unit AND d.f.unit_key IS NULL")
    checks = "(SELECT *, unnest(checks) AS c, generate_subscripts(checks, 1) AS n FROM staged) AS d"
    keeping = any(cache is not None for cache in caches)
    for table, source in (("figures", figures), ("documents", "staged AS d"), ("checks", checks)):
        columns = CACHED_COLUMNS[table]
        select = ", ".join(f'CAST({sql} AS {kind}) AS "{name}"' for name, kind, sql in columns)
        new = f"SELECT d.xeploai_order, {select} FROM {source}"
        if keeping:  # the caches keep them (tablecache.store)
            connection.execute(f"CREATE TEMP TABLE new_{table} AS {new}")
            new = f"SELECT * FROM new_{table}"
        if table not in keep and table != "figures":  # the panel is built from the figures alone
            continue
        names = [name for name, *_ in columns]
        rows = " UNION ALL ".join([new] + [
            tablecache.cached_rows(cache, k, table, names) for k, cache in enumerate(caches) if cache is not None])
        order = "xeploai_order, n" if names[0] == "n" else "xeploai_order"
        shown = ", ".join(f'"{name}"' for name in names if name != "n")
        connection.execute(f"{create(table, keep)} AS SELECT {shown} FROM ({rows}) ORDER BY {order}")


def _drop_out_of_range(connection, staged: Staged) -> None:
    """The documents staged that hold a number the tables' types cannot hold are set aside as invalid."""
    beyond = [order for (order,) in connection.execute(OUT_OF_RANGE).fetchall()]
    if beyond:
        connection.execute("DELETE FROM staged WHERE list_contains(?, xeploai_order)", [beyond])
        staged.documents -= len(beyond)
        staged.invalid.extend(InputError(str(staged.paths[order]), "holds a number beyond what the export's "
                                         "tables hold (a year, count, total or offset)") for order in sorted(beyond))


def _fill_unit_keys(connection) -> None:
    """unit → unit_key for the figures whose output has none (older outputs): the few distinct names
    are keyed here, by the rules of patterns/units.yaml."""
    names = [name for (name,) in connection.execute(
        "SELECT DISTINCT f.unit FROM (SELECT unnest(figures) AS f FROM staged) WHERE f.unit IS NOT NULL "
        "AND f.unit_key IS NULL").fetchall()]
    connection.execute("CREATE TEMP TABLE unit_keys AS SELECT unnest(?::VARCHAR[]) AS unit, "
                       "unnest(?::VARCHAR[]) AS unit_key", [names, [unit_key(name) for name in names]])


def create(table: str, keep: tuple[str, ...]) -> str:
    """CREATE TABLE for a table that is written, CREATE TEMP TABLE for one that only helps build them."""
    return f"CREATE TABLE {table}" if table in keep else f"CREATE TEMP TABLE {table}"


def count_rows(connection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- writing the tables ----------------------------------------------------------------------------------

def table_files(target: Path, tables: tuple[str, ...]) -> dict[str, Path]:
    """Where each table goes in Parquet or CSV: the first to ``target``, the others beside it."""
    return {table: target if k == 0 else target.with_name(f"{target.stem}.{table}{target.suffix}")
            for k, table in enumerate(tables)}


def refuse_foreign(target: Path, kind: str, tables: tuple[str, ...], known: dict[str, list[str]]) -> None:
    """Refuse to replace a file that is not an export of xeploai. ``known``: each table xeploai writes
    and its columns, by which an earlier export is recognised."""
    paths = [target] if kind in ("duckdb", "xlsx") else list(table_files(target, tables).values())
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            continue
        if not (path.is_file() and _ours(path, kind, known)):
            raise ExportError(f"{batch.shown(path)} was not written by xeploai; use --force to replace it")


def _ours(path: Path, kind: str, known: dict[str, list[str]]) -> bool:
    if kind == "xlsx":
        sheets = _xlsx_sheets(path)
        return sheets is not None and set(sheets) <= set(known)
    duckdb = duckdb_module()
    try:
        if kind == "duckdb":
            with duckdb.connect(str(path), read_only=True) as db:
                tables = [t for (t,) in db.execute("SELECT table_name FROM information_schema.tables").fetchall()]
                return bool(tables) and all(t in known and _leading(db, f'"{t}"', known[t]) for t in tables)
        reader = "read_parquet" if kind == "parquet" else "read_csv"
        with duckdb.connect() as db:
            return any(_leading(db, f"{reader}('{_sql_path(path)}')", columns) for columns in known.values())
    except duckdb.Error:
        return False


def _leading(db, relation: str, columns: list[str]) -> bool:
    """Whether ``relation`` begins with the first two of ``columns``."""
    found = [c for (c, *_) in db.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    return found[:2] == columns[:2]


def _xlsx_sheets(path: Path) -> list[str] | None:
    """The sheet names of a workbook written here (it carries xeploai as its creator); else None."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = {info.filename: info for info in book.infolist()}
            core, workbook = parts.get("docProps/core.xml"), parts.get("xl/workbook.xml")
            if core is None or workbook is None or max(core.file_size, workbook.file_size) > 1 << 20:
                return None
            if XLSX_CREATOR not in book.read(core):
                return None
            return [name.decode("utf-8") for name in re.findall(rb'<sheet name="([^"]+)"', book.read(workbook))]
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return None


def write_tables(connection, target: str | Path, tables: tuple[str, ...], work: Path) -> None:
    """Write ``tables`` (built in ``connection``) to ``target`` in its format; ``work`` is a folder for
    temporary files. Nothing is in place until every file is whole."""
    kind = kind_of(target)
    if kind == "jsonl":
        _write_stdout(connection, tables[0], work)
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "xlsx":
        moves = [(_temporary_beside(target), target)]
        _write_xlsx(connection, tables, moves[0][0])
    else:
        moves = [(_temporary_beside(path), path) for path in table_files(target, tables).values()]
        for table, (tmp, _) in zip(tables, moves):
            _copy(connection, table, kind, tmp, work)
    try:
        _replace_all(moves[1:] + moves[:1])  # the target named last, as before: its siblings first
    finally:
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)


def _copy(connection, table: str, kind: str, path: Path, work: Path) -> None:
    if kind == "parquet":
        connection.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_path(path)}' (FORMAT parquet)")
        return
    raw = work / f"{table}.csv"
    connection.execute(f"COPY ({_text_select(connection, table, csv=True)}) TO '{_sql_path(raw)}' (FORMAT csv, HEADER)")
    with open(path, "wb") as handle, open(raw, "rb") as body:
        handle.write(CSV_BOM)  # spreadsheet programs read CSV as UTF-8 only with it
        shutil.copyfileobj(body, handle, 1 << 20)
    raw.unlink()


def _text_select(connection, table: str, csv: bool) -> str:
    """The SELECT of ``table`` for a format without lists: a list cell joined; in CSV, a text cell that
    begins like a formula prefixed with '."""
    cells = []
    for name, kind, *_ in connection.execute(f"DESCRIBE {table}").fetchall():
        cell = f'"{name}"'
        if kind.endswith("[]"):
            cell = f"array_to_string({cell}, '{LIST_JOIN}')"
        if csv and (kind == "VARCHAR" or kind.endswith("[]")):
            cell = f"CASE WHEN regexp_matches({cell}, '{FORMULA_START}') THEN chr(39) || {cell} ELSE {cell} END"
        cells.append(f'{cell} AS "{name}"')
    return f"SELECT {', '.join(cells)} FROM {table}"


def _write_stdout(connection, table: str, work: Path) -> None:
    """The table as JSON Lines on stdout, one object per row, for pipes (jq, …)."""
    lines = work / f"{table}.jsonl"
    connection.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_path(lines)}' (FORMAT json)")
    sys.stdout.flush()
    with open(lines, "rb") as handle:
        shutil.copyfileobj(handle, sys.stdout.buffer, 1 << 20)
    sys.stdout.buffer.flush()


def _write_xlsx(connection, tables: tuple[str, ...], path: Path) -> None:
    """One sheet per table. XlsxWriter in constant-memory mode writes each row as it comes; a text
    cell stays text (never a formula, a link or a number)."""
    xlsxwriter = _xlsxwriter()
    for table in tables:
        if count_rows(connection, table) > XLSX_ROWS:
            raise ExportError(f"{batch.shown(path.name)}: the {table} table has {count_rows(connection, table):,} "
                              f"rows, more than a sheet holds ({XLSX_ROWS:,}); export to .duckdb, .parquet or .csv")
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "nan_inf_to_errors": True, "tmpdir": str(path.parent)}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"author": "xeploai", "title": "xeploai export"})  # its dc:creator: how it is known again
        for table in tables:
            sheet = book.add_worksheet(table)
            cursor = connection.execute(_text_select(connection, table, csv=False))
            sheet.write_row(0, 0, [column[0] for column in cursor.description])
            row = 1
            while batch_of := cursor.fetchmany(8192):
                for values in batch_of:
                    sheet.write_row(row, 0, values)
                    row += 1
            sheet.freeze_panes(1, 0)


def _temporary_beside(target: Path) -> Path:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def _replace_all(moves: list[tuple[Path, Path]]) -> None:
    """Move new files into place so that the targets are either all new or all as before: when a move
    fails (or is interrupted), the targets already moved are put back."""
    done: list[tuple[Path, Path | None]] = []  # (target, backup of what it was, or None)
    try:
        for new, target in moves:
            backup = None
            if target.is_file():
                backup = _temporary_beside(target)
                os.link(target, backup)
            done.append((target, backup))
            os.replace(new, target)
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# --- the export ------------------------------------------------------------------------------------------

def known_tables() -> dict[str, list[str]]:
    """Every table an export or a panel of xeploai writes, and its columns."""
    from .panel import CONFLICT_COLUMNS, PANEL_COLUMNS  # panel.py builds on this module

    return {"figures": [c for c, *_ in FIGURE_COLUMNS], "documents": [c for c, *_ in DOCUMENT_COLUMNS],
            "checks": [c for c, *_ in CHECK_COLUMNS], "conflicts": CONFLICT_COLUMNS, "panel": PANEL_COLUMNS}


def run(paths: list[Path], target: str | Path, tables: tuple[str, ...], *, include_stale: bool,
        force: bool, cache: bool = True) -> tuple[Staged, dict[str, int]]:
    """Read the output documents at ``paths`` (with ``cache``, the rows of unchanged files from their
    folder's cache), build every table (``load_tables``, then the panel's) and write ``tables`` to
    ``target``; the documents read, and the rows of each table written."""
    duckdb = duckdb_module()
    kind = kind_of(target)
    if kind == "xlsx":
        _xlsxwriter()  # before the work, not after it
    if kind != "jsonl" and not force:
        refuse_foreign(Path(target), kind, tables, known_tables())
    database = None
    if kind == "duckdb":  # built where it goes, under a temporary name
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        database = _temporary_beside(Path(target))
    try:
        with tempfile.TemporaryDirectory(prefix="xeploai-export-") as work:
            with duckdb.connect(str(database) if database else ":memory:") as connection:
                connection.execute(f"SET temp_directory = '{_sql_path(Path(work) / 'spill')}'")
                staged = _build(connection, duckdb, paths, tables, Path(work), include_stale, cache)
                rows = {table: count_rows(connection, table) for table in (*tables, "figures")}
                if database is None:
                    write_tables(connection, target, tables, Path(work))
        if database is not None:
            os.replace(database, target)
    finally:
        if database is not None:
            database.unlink(missing_ok=True)
            Path(f"{database}.wal").unlink(missing_ok=True)
    return staged, rows


def _build(connection, duckdb, paths: list[Path], tables: tuple[str, ...], work: Path, include_stale: bool,
           cache: bool) -> Staged:
    """Every table in ``connection``, from the documents at ``paths`` (``_read``), then the panel's."""
    from .panel import build_panel  # panel.py builds on this module

    try:
        staged = _read(connection, duckdb, paths, tables, work, include_stale, cache)
        build_panel(connection, keep=tables)
    except duckdb.Error as exc:
        raise ExportError(f"the output documents cannot be read as tables ({exc})") from None
    return staged


def _read(connection, duckdb, paths: list[Path], keep: tuple[str, ...], work: Path, include_stale: bool,
          cache: bool) -> Staged:
    """The tables figures, documents and checks (``load_tables``) of the documents at ``paths``: with
    ``cache``, those their folder's cache holds taken from it, the others validated, read and then kept."""
    records = Records()
    stale = set() if include_stale else stale_outputs(paths, records)
    selected = [(k, path) for k, path in enumerate(paths) if path not in stale]
    orders = [k for k, _ in selected]
    columns = {table: [(name, kind) for name, kind, _ in cells] for table, cells in CACHED_COLUMNS.items()}
    caches, cached = tablecache.open_caches(connection, duckdb, selected, records.place if cache else None, columns)
    # the cache stays attached while the workers fork: they only validate JSON, never touching DuckDB
    staged = stage(paths, [order for order in orders if order not in cached], work)
    staged.documents += len(cached)
    staged.stale = [path for path in paths if path in stale]
    load_tables(connection, staged, keep=keep, caches=caches)
    for k, one in enumerate(caches):
        if one is not None:
            tablecache.store(connection, duckdb, one, k)
    return staged


def keep_rows(out: Path) -> None:
    """Read the output documents of OUTDIR that its cache lacks into it (tablecache.py), so that the next
    export or panel finds their rows there: what ``extract`` does at its end. Only a help: without DuckDB
    (the export extra), or when the documents or the cache cannot be read or written, nothing is kept and
    an export reads the documents themselves."""
    try:
        duckdb = require("duckdb", "export")
    except MissingExtra:
        return
    try:
        paths = output_files([out])
        with tempfile.TemporaryDirectory(prefix="xeploai-keep-") as work, duckdb.connect() as connection:
            connection.execute(f"SET temp_directory = '{_sql_path(Path(work) / 'spill')}'")
            _read(connection, duckdb, paths, (), Path(work), include_stale=False, cache=True)
    except (duckdb.Error, ExportError, OSError):
        return


def export(out: str | Path, target: str | Path, *, include_stale: bool = False, force: bool = False,
           cache: bool = True) -> Exported:
    """Write the figures, documents, checks and conflicts of OUTDIR to ``target`` (.duckdb, .parquet,
    .csv, .xlsx, or ``-`` for the figures as JSON Lines on stdout); with ``cache``, the rows of the files
    unchanged since an earlier export come from OUTDIR's cache (tablecache.py)."""
    kind_of(target)
    out = Path(out)
    if not out.is_dir():
        raise ExportError(f"{batch.shown(out)}: not a folder of output documents")
    paths = output_files([out])
    if not paths:
        raise ExportError(f"{batch.shown(out)}: no output documents (*.json); run 'xeploai extract' first")
    staged, rows = run(paths, target, EXPORT_TABLES, include_stale=include_stale, force=force, cache=cache)
    return Exported(rows["figures"], rows["checks"], invalid=staged.invalid, stale=staged.stale,
                    documents=rows["documents"], conflicts=rows["conflicts"])
