"""Export: the output documents of a batch as one tidy table per figure, and a table of checks.

DuckDB builds both tables and writes them as a DuckDB database (the default: SQL over the panel),
Parquet or CSV. For Parquet and CSV the checks go to a sibling file, ``<name>.checks.<ext>``.

Only valid output documents are exported (the rest are skipped and named), and outputs the last
batch listed as stale only when asked. The target is written beside itself and moved into place,
so an interrupted export leaves the previous file whole; a Parquet or CSV pair is put back as it
was when the second move fails. A file that is not an earlier export is never replaced without
``force``. In CSV, a text cell that a spreadsheet would read as a formula gets a leading ``'``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import batch
from .errors import InputError, MissingExtra, require
from .outputs import Outputs, read_outputs

FIGURE_COLUMNS = [
    ("doc", "VARCHAR"), ("figure", "VARCHAR"), ("unit", "VARCHAR"), ("unit_key", "VARCHAR"), ("subject", "VARCHAR"),
    ("category", "VARCHAR"), ("label", "VARCHAR"), ("year", "INTEGER"), ("period_from", "INTEGER"),
    ("period_to", "INTEGER"), ("count", "BIGINT"), ("total", "BIGINT"), ("percent", "DOUBLE"),
    ("percent_of", "VARCHAR"), ("percent_of_source", "VARCHAR"), ("change_value", "DOUBLE"),
    ("change_unit", "VARCHAR"), ("change_since", "INTEGER"), ("qualifier", "VARCHAR"), ("derived", "VARCHAR"),
    ("source", "VARCHAR"), ("evidence_start", "INTEGER"), ("evidence_end", "INTEGER"), ("evidence_text", "VARCHAR"),
]
CHECK_COLUMNS = [
    ("doc", "VARCHAR"), ("kind", "VARCHAR"), ("severity", "VARCHAR"), ("figures", "VARCHAR"),
    ("stated", "DOUBLE"), ("expected", "DOUBLE"), ("message", "VARCHAR"),
]
FORMATS = {".duckdb": "duckdb", ".parquet": "parquet", ".csv": "csv"}
FORMULA_START = r"^[=+\-@\t\r]"  # what makes a spreadsheet read a CSV cell as a formula


class ExportError(ValueError):
    """The output folder or the target cannot be used."""


@dataclass
class Exported:
    figures: int
    checks: int
    invalid: list[InputError] = field(default_factory=list)  # JSON files in OUTDIR that are no output document
    stale: list[Path] = field(default_factory=list)  # outputs left out as stale


def documents(out: Path, include_stale: bool = False) -> tuple[list[dict], Outputs]:
    """The output documents of OUTDIR as JSON data, and what was set aside."""
    paths = [Path(job.path) for job in batch.jobs_for([out], suffixes=frozenset({".json"}))]
    if not paths:
        raise ExportError(f"{batch.shown(out)}: no output documents (*.json); run 'xeploai extract' first")
    found = read_outputs(paths, include_stale=include_stale)
    return [doc.model_dump(mode="json") for _, doc in found.documents], found


def figure_rows(doc: dict) -> list[tuple]:
    rows = []
    for f in doc["figures"]:
        change = f.get("change") or {}
        period = f.get("period") or (None, None)
        evidence = f["evidence"]
        rows.append((
            doc["doc_id"], f["id"], f.get("unit"), f.get("unit_key"), f["subject"], f["category"], f.get("label"),
            f.get("year"), period[0], period[1], f.get("count"), f.get("total"), f.get("percent"),
            f.get("percent_of"), f.get("percent_of_source"), change.get("value"), change.get("unit"),
            change.get("since"), f.get("qualifier"), ",".join(f.get("derived") or []), doc.get("source"),
            evidence["start"], evidence["end"], evidence["text"],
        ))
    return rows


def check_rows(doc: dict) -> list[tuple]:
    return [(doc["doc_id"], c["kind"], c["severity"], ",".join(c["figures"]), c.get("stated"), c.get("expected"),
             c["message"]) for c in doc.get("checks", [])]


def _fill(connection, docs: list[dict]) -> None:
    for table, columns, rows_of in (("figures", FIGURE_COLUMNS, figure_rows), ("checks", CHECK_COLUMNS, check_rows)):
        connection.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns)})")
        rows = [row for doc in docs for row in rows_of(doc)]
        if rows:
            marks = ", ".join("?" for _ in columns)
            connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _temporary_beside(target: Path) -> Path:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def _duckdb():
    try:
        return require("duckdb", "export")
    except MissingExtra as exc:
        raise ExportError(str(exc)) from None


def _columns(path: Path, kind: str) -> list[str] | None:
    """The column names of the table an existing export file holds (its figures table for DuckDB);
    None when it is no file of that kind or holds anything else."""
    duckdb = _duckdb()
    try:
        if kind == "duckdb":
            with duckdb.connect(str(path), read_only=True) as db:
                tables = {t for (t,) in db.execute("SELECT table_name FROM information_schema.tables").fetchall()}
                if tables != {"figures", "checks"}:
                    return None
                return [c for (c, *_) in db.execute("DESCRIBE figures").fetchall()]
        reader = "read_parquet" if kind == "parquet" else "read_csv"
        with duckdb.connect() as db:
            return [c for (c, *_) in db.execute(f"DESCRIBE SELECT * FROM {reader}(?)", [str(path)]).fetchall()]
    except duckdb.Error:
        return None


def _refuse_foreign(path: Path, kind: str, columns: list[tuple[str, str]]) -> None:
    """Refuse to replace a file at ``path`` that is not an export of xeploai."""
    if not (path.exists() or path.is_symlink()):
        return
    found = _columns(path, kind) if path.is_file() else None
    if found is None or found[:2] != [name for name, _ in columns[:2]]:
        raise ExportError(f"{batch.shown(path)} was not written by xeploai; use --force to replace it")


def _csv_select(table: str, columns: list[tuple[str, str]], order: str) -> str:
    """The SELECT of ``table`` for CSV: a text cell that begins like a formula is prefixed with '."""
    cells = [f"CASE WHEN regexp_matches({n}, '{FORMULA_START}') THEN chr(39) || {n} ELSE {n} END AS {n}"
             if kind == "VARCHAR" else n for n, kind in columns]
    return f"SELECT {', '.join(cells)} FROM {table} ORDER BY {order}"


def export(out: str | Path, target: str | Path, *, include_stale: bool = False, force: bool = False) -> Exported:
    """Write the panel of OUTDIR to ``target`` (.duckdb, .parquet or .csv)."""
    duckdb = _duckdb()

    out, target = Path(out), Path(target)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise ExportError(f"{batch.shown(target)}: unknown format; use .duckdb, .parquet or .csv")
    if not out.is_dir():
        raise ExportError(f"{batch.shown(out)}: not a folder of output documents")
    checks_target = target.with_name(f"{target.stem}.checks{target.suffix}")
    if not force:
        _refuse_foreign(target, kind, FIGURE_COLUMNS)
        if kind != "duckdb":
            _refuse_foreign(checks_target, kind, CHECK_COLUMNS)
    docs, found = documents(out, include_stale)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_beside(target)
    tmp_checks = _temporary_beside(checks_target)
    try:
        if kind == "duckdb":
            with duckdb.connect(str(tmp)) as connection:
                _fill(connection, docs)
                counts = _counts(connection)
            os.replace(tmp, target)
        else:
            with duckdb.connect() as connection:
                _fill(connection, docs)
                counts = _counts(connection)
                for table, columns, order, path in (("figures", FIGURE_COLUMNS, "doc, evidence_start, figure", tmp),
                                                    ("checks", CHECK_COLUMNS, "doc, kind", tmp_checks)):
                    if kind == "csv":
                        query, options = _csv_select(table, columns, order), "(FORMAT csv, HEADER)"
                    else:
                        query, options = f"SELECT * FROM {table} ORDER BY {order}", "(FORMAT parquet)"
                    connection.execute(f"COPY ({query}) TO '{_sql_path(path)}' {options}")
            _replace_pair((tmp_checks, checks_target), (tmp, target))
    finally:
        tmp.unlink(missing_ok=True)
        tmp_checks.unlink(missing_ok=True)
    return Exported(*counts, invalid=found.invalid, stale=found.stale)


def _replace_pair(first: tuple[Path, Path], second: tuple[Path, Path]) -> None:
    """Move two new files into place so that the pair is either both new or both as before: when the
    second move fails (or is interrupted), the first target is put back."""
    new, target = first
    backup = _temporary_beside(target)
    had = target.is_file()
    if had:
        os.link(target, backup)
    try:
        os.replace(new, target)
        try:
            os.replace(*second)
        except BaseException:
            if had:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
            raise
    finally:
        backup.unlink(missing_ok=True)


def _counts(connection) -> tuple[int, int]:
    return (connection.execute("SELECT count(*) FROM figures").fetchone()[0],
            connection.execute("SELECT count(*) FROM checks").fetchone()[0])


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
