"""The consolidated panel: one row per statistic (unit, year, subject, category) over all documents.

A figure states a value of a key: the unit's key (the figure's ``unit_key``, else ``units.unit_key`` of
its unit), the year rated, the period of a statement over several years, the subject and the category
(for ``KHAC``, also the levels it ``covers`` or, without them, its label). A statement over several
years (``period`` set, ``year`` null) has its own row keyed by ``period_from`` and ``period_to``, never
merged into a year's row; a figure with neither has a row of its own with all three null.

Only stated values count (a value the checks derived does not), and a figure that repeats an earlier
one of its document (``repeat_of``) is left out: the same statement in the headline and the body, or
in two documents, is one row, never added up. For each of count, total and percent the row gives an
exact value before a hedged one ("trên 90%"), then the value most documents state, then most figures,
the more decimals, the first document; and it lists every figure of the key as ``doc:figure``. Two
exact values of one field conflict when they differ; percents of the same base (``percent_of``)
conflict only when they differ once both are rounded to the decimals of the less precise one (80.4
and 80.36 agree). Each value that conflicts with the row's is a row of
``conflicts``, with both values and the first figure stating each: its document, span and text.

Built in SQL by DuckDB over the ``figures`` table of ``export.load_tables``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import batch, tablecache
from .errors import InputError
from .export import ExportError, create, kind_of, output_files, run

KEY = ["unit_key", "year", "period_from", "period_to", "subject", "category", "covers", "label"]
# The columns of the two tables (what a reader may rely on; tests hold the SQL to them).
# The unit's official unit, as most of its figures give it (extractor/admin.py).
_OFFICIAL = ("unit_kind", "admin_level", "admin_name", "province_code", "province_name", "admin_code", "latitude",
             "longitude")
PANEL_COLUMNS = ["unit_key", "unit", *KEY[1:], "count", "total", "percent", "percent_of", "qualifier", "documents",
                 "figures", "conflicts", "ids", *_OFFICIAL]
CONFLICT_COLUMNS = ["unit_key", "unit", *KEY[1:], "field", "percent_of",
                    "value_a", "documents_a", "doc_a", "figure_a", "start_a", "end_a", "text_a",
                    "value_b", "documents_b", "doc_b", "figure_b", "start_b", "end_b", "text_b"]
PANEL_TABLES = ("panel", "conflicts")
_KEY = ", ".join(f'"{c}"' for c in KEY)
_SOURCE = "doc, figure, evidence_start, row, qualifier"  # row: the figure's row, for its span once it is needed
# Which value of a field is the row's: exact before hedged, then by support, precision, first document.
_BEST = "qualifier IS NOT NULL, documents DESC, figures DESC, decimals DESC, first.doc, first.start"


def _derived(field: str) -> str:
    """Whether the checks derived ``field`` of a figure (its ``derived`` column lists them, comma-separated)."""
    return f"contains(',' || derived || ',', ',{field},')"


def _most(value: str, name: str) -> str:
    """Per key (k): the ``value`` most of its statements have, as ``name``; on a tie, the first stated."""
    return (f"SELECT k, arg_min(v, (-n, first)) AS {name} FROM (SELECT k, {value} AS v, count(*) AS n, "
            f"min(row) AS first FROM statements GROUP BY k, v) GROUP BY k")


# Each step: (table, its SELECT); the stated values of each figure that is no repeat ...
STATED = f"""
SELECT unit_key, unit, "year", period_from, period_to, subject, category, covers, {", ".join(_OFFICIAL)},
       CASE WHEN category = 'KHAC' AND covers IS NULL THEN lower(trim(label)) END AS label,
       doc, figure, evidence_start, rowid AS row, qualifier,
       CASE WHEN NOT {_derived('count')} THEN "count" END AS "count",
       CASE WHEN NOT {_derived('total')} THEN total END AS total,
       CASE WHEN NOT {_derived('percent')} THEN percent END AS percent,
       CASE WHEN NOT {_derived('percent')} THEN percent_of END AS percent_of
FROM figures WHERE repeat_of IS NULL
"""
# ... each key once, numbered in its order (k) ...
KEY_IDS = f"SELECT row_number() OVER (ORDER BY {_KEY}) AS k, {_KEY} FROM stated GROUP BY {_KEY}"
# ... each statement with its key's number ...
STATEMENTS = f"""
SELECT i.k, s.* FROM stated AS s
JOIN key_ids AS i ON {" AND ".join(f's."{c}" IS NOT DISTINCT FROM i."{c}"' for c in KEY)}
"""
# ... each key with its unit as most of its figures write it (on a tie, as the first of them does) ...
UNITS = f"SELECT i.*, u.unit FROM key_ids AS i JOIN ({_most('unit', 'unit')}) AS u USING (k)"
# ... and, for the panel, with the figures that state it and its official unit as most of them give it ...
KEYS = f"""
SELECT n.*, x.documents, x.figures, x.ids, {", ".join(f"o.official.{c} AS {c}" for c in _OFFICIAL)}
FROM units AS n
JOIN (SELECT k, count(DISTINCT doc) AS documents, count(*) AS figures, list(doc || ':' || figure ORDER BY row) AS ids
      FROM statements GROUP BY k) AS x USING (k)
JOIN ({_most("{" + ", ".join(f"'{c}': {c}" for c in _OFFICIAL) + "}", "official")}) AS o USING (k)
"""
# ... each value of a field stated for a key, with its support and its first figure ...
CANDIDATES = f"""
SELECT *, row_number() OVER (PARTITION BY k, field ORDER BY {_BEST}) AS choice,
       row_number() OVER (PARTITION BY k, field, percent_of ORDER BY {_BEST}) AS rank_in_base
FROM (SELECT k, field, "value", percent_of, qualifier, count(DISTINCT doc) AS documents, count(*) AS figures,
             arg_min({{'doc': doc, 'start': evidence_start, 'row': row}}, (doc, evidence_start, figure)) AS first,
             CASE WHEN "value" = round("value") THEN 0 WHEN "value" = round("value", 1) THEN 1
                  WHEN "value" = round("value", 2) THEN 2 ELSE 3 END AS decimals
      FROM (SELECT k, 'count' AS field, "count"::DOUBLE AS "value", NULL::VARCHAR AS percent_of, {_SOURCE}
            FROM statements WHERE "count" IS NOT NULL
            UNION ALL SELECT k, 'total', total::DOUBLE, NULL, {_SOURCE} FROM statements WHERE total IS NOT NULL
            UNION ALL SELECT k, 'percent', percent, percent_of, {_SOURCE} FROM statements WHERE percent IS NOT NULL)
      GROUP BY k, field, "value", percent_of, qualifier)
"""
# ... the values that conflict with the best of their field and base ...
PAIRS = """
SELECT b.k, b.field, b.percent_of, a."value" AS value_a, a.documents AS documents_a, a.first AS first_a,
       b."value" AS value_b, b.documents AS documents_b, b.first AS first_b
FROM candidates AS b JOIN candidates AS a
  ON a.k = b.k AND a.field = b.field AND a.percent_of IS NOT DISTINCT FROM b.percent_of AND a.rank_in_base = 1
WHERE b.rank_in_base > 1 AND a.qualifier IS NULL AND b.qualifier IS NULL
  AND round(a."value", least(a.decimals, b.decimals)) <> round(b."value", least(a.decimals, b.decimals))
"""
# ... and the two tables written.
CONFLICTS = f"""
SELECT {", ".join(f'keys."{c}"' for c in KEY[:1])}, keys.unit, {", ".join(f'keys."{c}"' for c in KEY[1:])},
       p.field, p.percent_of, p.value_a, p.documents_a, a.doc AS doc_a, a.figure AS figure_a,
       a.evidence_start AS start_a, a.evidence_end AS end_a, a.evidence_text AS text_a, p.value_b, p.documents_b,
       b.doc AS doc_b, b.figure AS figure_b, b.evidence_start AS start_b, b.evidence_end AS end_b,
       b.evidence_text AS text_b
FROM pairs AS p JOIN units AS keys USING (k)
JOIN figures AS a ON a.rowid = p.first_a.row JOIN figures AS b ON b.rowid = p.first_b.row
ORDER BY p.k, p.field, p.percent_of, p.value_b
"""
PANEL = f"""
SELECT {", ".join(f'keys."{c}"' for c in KEY[:1])}, keys.unit, {", ".join(f'keys."{c}"' for c in KEY[1:])},
       c."value"::BIGINT AS "count", t."value"::BIGINT AS total, p."value" AS percent, p.percent_of,
       CASE WHEN c."value" IS NOT NULL THEN c.qualifier ELSE p.qualifier END AS qualifier,
       keys.documents, keys.figures, coalesce(x.conflicts, 0) AS conflicts, keys.ids,
       {", ".join(f"keys.{c}" for c in _OFFICIAL)}
FROM keys
LEFT JOIN candidates AS c ON c.k = keys.k AND c.field = 'count' AND c.choice = 1
LEFT JOIN candidates AS t ON t.k = keys.k AND t.field = 'total' AND t.choice = 1
LEFT JOIN candidates AS p ON p.k = keys.k AND p.field = 'percent' AND p.choice = 1
LEFT JOIN (SELECT k, count(*) AS conflicts FROM pairs GROUP BY k) AS x ON x.k = keys.k
ORDER BY keys.k
"""
STEPS = (("stated", STATED), ("key_ids", KEY_IDS), ("statements", STATEMENTS), ("units", UNITS),
         ("candidates", CANDIDATES), ("pairs", PAIRS), ("conflicts", CONFLICTS), ("keys", KEYS), ("panel", PANEL))
PANEL_ONLY = ("keys", "panel")  # the steps the conflicts do not need


def build_panel(connection, keep: tuple[str, ...] = PANEL_TABLES) -> None:
    """The tables panel and conflicts from the table figures; those not in ``keep`` (and the steps
    between) as temporary tables. An export keeps the conflicts alone, and skips what only the panel needs."""
    for table, select in STEPS:
        if table not in PANEL_ONLY or "panel" in keep:
            connection.execute(f"{create(table, keep)} AS {select}")


@dataclass
class Panel:
    rows: int
    conflicts: int
    figures: int  # the figures read (repeats included)
    documents: int
    invalid: list[InputError] = field(default_factory=list)  # JSON files that are no output document
    stale: list[Path] = field(default_factory=list)  # outputs left out as stale


def panel(paths: list[str | Path], target: str | Path, *, exclude: list[str | Path] = (), include_stale: bool = False,
          force: bool = False, table: str = "panel", cache: bool = True) -> Panel:
    """Write the panel and its conflicts of the output documents at ``paths`` (folders or files) to
    ``target`` (.duckdb, .parquet, .csv, .xlsx, or ``-`` for ``table`` as JSON Lines on stdout)."""
    if table not in PANEL_TABLES:
        raise ExportError(f"{table}: no such table; use panel or conflicts")
    if table != "panel" and kind_of(target) != "jsonl":
        raise ExportError("a table other than the panel goes with --to - (a file holds both tables)")
    files = output_files(paths, exclude)
    if not files:
        raise ExportError(", ".join(map(str, paths)) + ": no output documents (*.json); run 'xeploai extract' first")
    tables = PANEL_TABLES if table == "panel" else PANEL_TABLES[::-1]
    staged, rows = run(files, target, tables, include_stale=include_stale, force=force, cache=cache)
    return Panel(rows["panel"], rows["conflicts"], rows["figures"], staged.documents, invalid=staged.invalid,
                 stale=staged.stale)


# --- the command ------------------------------------------------------------------------------------------

def add_parser(sub, common) -> None:
    """``xeploai panel``, for the command line's parser."""
    p = sub.add_parser("panel", parents=[common], help="write the consolidated panel: one row per unit, year, "
                                                       "subject and category, with its sources and conflicts",
                       description="One row per (unit, year or period, subject, category) over every output "
                                   "document given: the value stated (count, total, percent), how many documents "
                                   "and figures state it and their ids (doc:figure); a repeat in one document or "
                                   "across documents counts once. Values that conflict are a second table, with "
                                   "both values and both evidence spans. A .duckdb file holds both tables (panel, "
                                   "conflicts), an .xlsx workbook both sheets; for .parquet and .csv the conflicts "
                                   "go to <name>.conflicts.<ext>; - writes the panel as JSON Lines on stdout.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="folders written by 'xeploai extract' (every output document below them: a sub-folder such "
                        "as OUT/pages gives only its own), or output documents")
    p.add_argument("--to", default="panel.duckdb", metavar="FILE",
                   help="panel.duckdb (default), panel.parquet, panel.csv, panel.xlsx, or - for JSON Lines on stdout")
    p.add_argument("--exclude", action="append", default=[], metavar="DIR",
                   help="leave out the output documents below DIR (e.g. OUT/shapes, a test suite); repeatable")
    p.add_argument("--table", choices=PANEL_TABLES, default="panel",
                   help="with --to -: the table written to stdout (default panel)")
    for flag, text in (("--include-stale", "include the outputs the last extract listed as stale (their input is "
                                           "gone or changed)"),
                       ("--force", "replace FILE even when it is not an export of xeploai (a file of your own)"),
                       ("--no-cache", f"read every output document afresh: neither read nor update the rows kept "
                                      f"in OUTDIR/{tablecache.FILE} by extract and earlier exports")):
        p.add_argument(flag, action="store_true", help=text)
    p.set_defaults(func=command)


def command(args) -> int:
    """Run ``xeploai panel``; its messages on stderr (-q: errors only, -v: each stale output)."""
    result = panel(args.paths, args.to, exclude=args.exclude, include_stale=args.include_stale, force=args.force,
                   table=args.table, cache=not args.no_cache)
    level = getattr(args, "verbose", 0) - getattr(args, "quiet", 0)
    for problem in result.invalid:
        print(f"xeploai panel: skipped {problem}", file=sys.stderr)
    if result.stale and level >= 0:
        print(f"xeploai panel: left out {len(result.stale)} stale output(s) listed in {batch.STALE_FILE}; "
              "--include-stale includes them", file=sys.stderr)
        for path in result.stale if level > 0 else ():
            print(f"xeploai panel: left out {batch.shown(path)}", file=sys.stderr)
    if level >= 0:
        print(f"xeploai: {result.rows} rows from {result.figures} figures of {result.documents} documents, "
              f"{result.conflicts} conflicts → {batch.shown(args.to)}", file=sys.stderr)
    return 0
