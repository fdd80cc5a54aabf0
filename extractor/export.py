"""Export: the output documents of a batch as one tidy table per figure, and a table of checks.

DuckDB builds both tables and writes them as a DuckDB database (the default: SQL over the panel),
Parquet or CSV. For Parquet and CSV the checks go to a sibling file, ``<name>.checks.<ext>``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

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


class ExportError(ValueError):
    """The output folder or the target cannot be used."""


def documents(out: Path) -> list[dict]:
    paths = sorted(p for p in out.rglob("*.json") if p.is_file())
    if not paths:
        raise ExportError(f"{out}: no output documents (*.json); run 'xeploai extract' first")
    docs = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExportError(f"{path}: not a readable output document: {exc}") from None
        if isinstance(data, dict) and "figures" in data and "doc_id" in data:  # not errors.jsonl, not other JSON
            docs.append(data)
    return docs


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


def export(out: str | Path, target: str | Path) -> tuple[int, int]:
    """Write the panel of OUTDIR to ``target`` (.duckdb, .parquet or .csv); returns (figures, checks)."""
    import duckdb

    out, target = Path(out), Path(target)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise ExportError(f"{target}: unknown format; use .duckdb, .parquet or .csv")
    if not out.is_dir():
        raise ExportError(f"{out}: not a folder of output documents")
    docs = documents(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    checks_target = target.with_name(f"{target.stem}.checks{target.suffix}")
    tmp = _temporary_beside(target)
    tmp_checks = _temporary_beside(checks_target)
    try:
        if kind == "duckdb":
            with duckdb.connect(str(tmp)) as connection:
                _fill(connection, docs)
                counts = _counts(connection)
        else:
            with duckdb.connect() as connection:
                _fill(connection, docs)
                counts = _counts(connection)
                options = "(FORMAT parquet)" if kind == "parquet" else "(FORMAT csv, HEADER)"
                connection.execute(f"COPY (SELECT * FROM figures ORDER BY doc, evidence_start, figure) "
                                   f"TO '{_sql_path(tmp)}' {options}")
                connection.execute(f"COPY (SELECT * FROM checks ORDER BY doc, kind) "
                                   f"TO '{_sql_path(tmp_checks)}' {options}")
            os.replace(tmp_checks, checks_target)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp_checks.unlink(missing_ok=True)
    return counts


def _counts(connection) -> tuple[int, int]:
    return (connection.execute("SELECT count(*) FROM figures").fetchone()[0],
            connection.execute("SELECT count(*) FROM checks").fetchone()[0])


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

