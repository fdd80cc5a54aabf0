"""The rows of the output documents of a batch folder, kept for the next export or panel of it.

Reading each output document (validated against the contract) into the rows of its tables is most of
what an export costs. The rows of the documents below a batch's output folder are kept in
``OUTDIR/.xeploai/tables.duckdb``, each under the identity of the file they came from, taken as git
takes it to know a file unchanged: device, inode, size, and modification and change times in
nanoseconds (the change time moves with any write or rename, and no program sets it back). A later
export or panel takes the rows of an unchanged file from there and reads only the new and changed
files; ``extract`` keeps the rows of the outputs it wrote at its end (``export.keep_rows``).

The cache holds only valid documents, as this build of xeploai read them (another build starts it
afresh), the files of its folder that still exist, and no file changed in the last ``SETTLE_NS``. It is
a help, never a need: a cache that cannot be opened (another export holds it, a read-only folder) is
left alone, one that cannot be written is left as it was, and a damaged one is started afresh, the
export then reading the files themselves, as with ``--no-cache``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from . import batch
from .pipeline import BUILD

FILE = f"{batch.STATE_DIR}/tables.duckdb"
# A file changed this recently is not kept: a file system's clock ticks coarsely (up to 2 s), so it could
# change again within the same tick and keep its identity (what git calls a racy entry).
SETTLE_NS = 2_000_000_000
VERSION = 1  # the layout of the cache's tables; with another, the cache starts afresh
TABLES = ("figures", "documents", "checks")  # the cached tables (each with the file's identity first)


@dataclass
class Cache:
    """One output folder's cache, attached to a connection as ``alias``; ``root``: the folder."""

    alias: str
    root: Path


class Identity(NamedTuple):
    """What tells that a file has not changed since it was read (``key``; None when it cannot be read),
    and when it last changed (``changed_ns``, nanoseconds)."""

    key: str | None
    changed_ns: int


def identity(path: Path) -> Identity:
    try:
        st = os.stat(path)
    except OSError:
        return Identity(None, 0)
    return Identity(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}",
                    max(st.st_mtime_ns, st.st_ctime_ns))


def attach(connection, duckdb, root: Path, alias: str, columns: dict[str, list[tuple[str, str]]]) -> Cache | None:
    """The cache of ``root`` attached as ``alias`` (made, or started afresh, as needed); None when it
    cannot be used. ``columns``: the cached tables' columns and types."""
    path = root / FILE
    for attempt in range(2):
        try:
            connection.execute(f"ATTACH '{_sql(path)}' AS {alias}")
        except duckdb.Error as exc:
            if attempt or "lock" in str(exc).lower() or not path.is_file():
                return None  # held by another export, or a folder that cannot be written
            _remove(path)  # damaged: started afresh
            continue
        try:
            layout = _layout(connection, alias)
            if layout == _expected(columns) and _made_here(connection, alias):
                return Cache(alias, root)
            if not layout:
                _create(connection, alias, columns)
                return Cache(alias, root)
        except duckdb.Error:
            pass
        connection.execute(f"DETACH {alias}")  # another build's, or damaged: started afresh
        _remove(path)
    return None


def open_caches(connection, duckdb, documents: list[tuple[int, Path]],
                place: Callable[[Path], tuple[Path, str] | None] | None,
                columns: dict[str, list[tuple[str, str]]]) -> tuple[list[Cache | None], set[int]]:
    """Attach the cache of each output folder among ``documents`` (each with its order among all the
    paths; ``place`` gives a file's OUTDIR and its name there, ``outputs.Records.place``; None for no
    cache at all) and make the temporary table ``wanted``: each document's order, file identity, cache
    and name in its folder. Returns the caches (by index; None for one that cannot be used) and the
    orders of the documents whose rows a cache holds."""
    found = [place(path) if place is not None else None for _, path in documents]
    roots = list(dict.fromkeys(where[0] for where in found if where is not None))
    caches = [attach(connection, duckdb, root, f"xeploai_cache_{k}", columns) for k, root in enumerate(roots)]
    index = {root: k for k, root in enumerate(roots) if caches[k] is not None}
    cache = [index.get(where[0]) if where is not None else None for where in found]
    _want(connection, documents, [where and where[1] for where in found], cache)
    hit: set[int] = set()
    for k, one in enumerate(caches):
        if one is not None:
            hit |= hits(connection, one, k)
    return caches, hit


def _want(connection, documents: list[tuple[int, Path]], names: list[str | None], cache: list[int | None]) -> None:
    """The temporary table ``wanted``: for each document (its order and file, and its name in its folder)
    that a cache may hold, its file's identity, whether it changed long enough ago to be kept, and its cache."""
    settled = time.time_ns() - SETTLE_NS  # a file changed since may change again unseen: not kept this time
    stats = [identity(file) if k is not None else Identity(None, 0) for (_, file), k in zip(documents, cache)]
    connection.execute("CREATE TEMP TABLE wanted AS SELECT unnest(?::BIGINT[]) AS xeploai_order, "
                       "unnest(?::VARCHAR[]) AS identity, unnest(?::BOOLEAN[]) AS settled, unnest(?::INTEGER[]) AS cache, "
                       "unnest(?::VARCHAR[]) AS path",
                       [[order for order, _ in documents], [stat.key for stat in stats],
                        [stat.changed_ns < settled for stat in stats], cache,
                        [name if k is not None else None for name, k in zip(names, cache)]])


def _layout(connection, alias: str) -> dict[str, list[tuple[str, str]]]:
    """The tables of the attached database ``alias``, each with its columns and types."""
    layout: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in connection.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
            "ORDER BY table_name, column_index", [alias]).fetchall():
        layout.setdefault(table, []).append((column, kind))
    return layout


def _expected(columns: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """The layout a cache of this build has."""
    return {"meta": [("build", "VARCHAR"), ("version", "INTEGER")], "files": [("identity", "VARCHAR"), ("path", "VARCHAR")],
            **{table: [("identity", "VARCHAR"), *columns[table]] for table in TABLES}}


def _made_here(connection, alias: str) -> bool:
    return connection.execute(f"SELECT list(build = ? AND version = ?) = [true] FROM {alias}.meta",
                              [BUILD, VERSION]).fetchone()[0] is True


def _create(connection, alias: str, columns: dict[str, list[tuple[str, str]]]) -> None:
    for table, cells in _expected(columns).items():
        body = ", ".join(f'"{name}" {kind}' for name, kind in cells)
        connection.execute(f"CREATE TABLE {alias}.{table} ({body})")
    connection.execute(f"INSERT INTO {alias}.meta VALUES (?, ?)", [BUILD, VERSION])


def hits(connection, cache: Cache, index: int) -> set[int]:
    """The documents wanted (the temporary table ``wanted``) whose rows this cache holds, by order."""
    return {order for (order,) in connection.execute(
        f"SELECT w.xeploai_order FROM wanted AS w JOIN (SELECT DISTINCT identity FROM {cache.alias}.files) "
        f"USING (identity) WHERE w.cache = {index}").fetchall()}


def cached_rows(cache: Cache, index: int, table: str, names: list[str]) -> str:
    """A SELECT of the rows of ``table`` of the documents wanted from this cache, with their order."""
    cells = ", ".join(f'c."{name}"' for name in names)
    return (f"SELECT w.xeploai_order, {cells} FROM wanted AS w JOIN {cache.alias}.{table} AS c USING (identity) "
            f"WHERE w.cache = {index}")


def store(connection, duckdb, cache: Cache, index: int) -> None:
    """Keep in the cache the rows of the documents read now (the temporary tables new_<table>) that lie
    in its folder, and forget the files of its folder that are gone or have changed since they were read:
    in one transaction, so that a cache that cannot be written (a full disk) is left as it was."""
    mine = (f"SELECT w.* FROM wanted AS w JOIN new_documents USING (xeploai_order) WHERE w.cache = {index} "
            "AND w.identity IS NOT NULL AND w.settled")
    try:
        connection.execute("BEGIN TRANSACTION")
        for table in TABLES:
            connection.execute(f"INSERT INTO {cache.alias}.{table} SELECT w.identity, n.* EXCLUDE (xeploai_order) "
                               f"FROM new_{table} AS n JOIN ({mine}) AS w USING (xeploai_order)")
        connection.execute(f"INSERT INTO {cache.alias}.files SELECT identity, path FROM ({mine})")
        _forget_superseded(connection, cache, index)
        connection.execute("COMMIT")
    except duckdb.Error:
        connection.execute("ROLLBACK")


def _forget_superseded(connection, cache: Cache, index: int) -> None:
    """The files of the cache that no longer exist as they were read: their rows are removed. A file
    read now is known by its identity (``wanted``); any other is looked at again."""
    listed = f"SELECT path, identity FROM wanted WHERE cache = {index}"
    changed = connection.execute(f"SELECT f.identity FROM {cache.alias}.files AS f JOIN ({listed}) AS w USING (path) "
                                 "WHERE w.identity IS DISTINCT FROM f.identity").fetchall()
    others = connection.execute(f"SELECT identity, path FROM {cache.alias}.files WHERE path NOT IN "
                                f"(SELECT path FROM ({listed}))").fetchall()
    gone = [ident for (ident,) in changed] + [ident for ident, path in others
                                              if identity(cache.root / path).key != ident]
    if not gone:
        return
    connection.execute("CREATE OR REPLACE TEMP TABLE gone AS SELECT unnest(?::VARCHAR[]) AS identity", [gone])
    for table in ("files", *TABLES):
        connection.execute(f"DELETE FROM {cache.alias}.{table} WHERE identity IN (SELECT identity FROM gone)")


def _remove(path: Path) -> None:
    for file in (path, Path(f"{path}.wal")):
        try:
            file.unlink(missing_ok=True)
        except OSError:
            pass


def _sql(path: Path) -> str:
    return str(path).replace("'", "''")
