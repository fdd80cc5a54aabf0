"""The rows kept for the next export (extractor/tablecache.py): what is read again, and that a cache
that cannot be used never changes or stops an export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extractor import export as export_module
from extractor import tablecache
from extractor.cli import main
from extractor.export import export
from extractor.panel import panel

REPORT = ("Năm 2019, Đảng bộ huyện Tân Lạc có {n} tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.\n\n"
          "Có 3.200 đảng viên hoàn thành tốt nhiệm vụ (chiếm 80,36%).")
TABLES = ("figures", "documents", "checks", "conflicts")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> Path:
    """A batch's output folder: four reports, one in a sub-folder."""
    inputs = tmp_path_factory.mktemp("inputs")
    for k in range(4):
        folder = inputs / "sub" if k == 3 else inputs
        folder.mkdir(exist_ok=True)
        (folder / f"r{k}.txt").write_text(REPORT.format(n=40 + k), encoding="utf-8")
    out = tmp_path_factory.mktemp("batch") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tablecache, "SETTLE_NS", 0)  # the outputs were just written: kept all the same
        assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 0
    return out


@pytest.fixture
def out(batch_out, tmp_path, monkeypatch) -> Path:
    """A copy of the batch's folder, its files kept however recently they changed (the test writes them)."""
    monkeypatch.setattr(tablecache, "SETTLE_NS", 0)
    copy = tmp_path / "out"
    shutil.copytree(batch_out, copy)
    return copy


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The output documents an export reads (validates), by name."""
    read, real = [], export_module.read_output_bytes

    def spy(path):
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(export_module, "read_output_bytes", spy)
    return read


def tables(target: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(target), read_only=True) as db:
        return {table: db.execute(f"SELECT * FROM {table}").fetchall() for table in TABLES}


def outputs(out: Path) -> list[str]:
    return sorted(path.name for path in export_module.output_files([out]))


def cached_files(out: Path) -> list[str]:
    with duckdb.connect(str(out / tablecache.FILE), read_only=True) as db:
        return sorted(Path(path).name for (path,) in db.execute("SELECT path FROM files").fetchall())


def test_an_unchanged_file_is_not_read_again_and_the_tables_are_the_same(out, tmp_path, reads):
    export(out, tmp_path / "first.duckdb")
    assert sorted(reads) == outputs(out) and len(reads) == 4
    assert cached_files(out) == outputs(out)
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert reads == []
    export(out, tmp_path / "afresh.duckdb", cache=False)
    assert tables(tmp_path / "second.duckdb") == tables(tmp_path / "first.duckdb") == tables(tmp_path / "afresh.duckdb")
    assert len(tables(tmp_path / "first.duckdb")["figures"]) > 4


def test_a_changed_file_is_read_again_and_a_removed_one_forgotten(out, tmp_path, reads):
    export(out, tmp_path / "first.duckdb")
    changed, removed = sorted(out.glob("r1*.json"))[0], sorted(out.glob("r2*.json"))[0]
    doc = json.loads(changed.read_text(encoding="utf-8"))
    first = next(f for f in doc["figures"] if f["count"] is not None)
    first["count"] += 1000
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # in place: same inode
    removed.unlink()
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert reads == [changed.name]
    with duckdb.connect(str(tmp_path / "second.duckdb"), read_only=True) as db:
        assert db.execute("SELECT count FROM figures WHERE doc = ? AND figure = ?",
                          [doc["doc_id"], first["id"]]).fetchall() == [(first["count"],)]
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (3,)
    assert cached_files(out) == outputs(out)
    export(out, tmp_path / "afresh.duckdb", cache=False)
    assert tables(tmp_path / "second.duckdb") == tables(tmp_path / "afresh.duckdb")


def test_a_file_changed_within_the_clock_tick_is_not_kept(out, tmp_path, reads, monkeypatch):
    (out / tablecache.FILE).unlink()
    monkeypatch.setattr(tablecache, "SETTLE_NS", 3600 * 10**9)  # every file "just" changed
    export(out, tmp_path / "first.duckdb")
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert len(reads) == 4 and cached_files(out) == []


def test_a_panel_of_a_sub_folder_keeps_the_rows_of_the_others(out, tmp_path, reads):
    export(out, tmp_path / "first.duckdb")
    panel([out / "sub"], tmp_path / "panel.duckdb")
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert reads == [] and tables(tmp_path / "second.duckdb") == tables(tmp_path / "first.duckdb")


def test_no_cache_reads_every_file_and_leaves_no_cache(out, tmp_path, reads):
    (out / tablecache.FILE).unlink()  # the one extract made
    assert main(["export", str(out), "--to", str(tmp_path / "t.duckdb"), "--no-cache", "-q"]) == 0
    assert main(["panel", str(out), "--to", str(tmp_path / "p.duckdb"), "--no-cache", "-q"]) == 0
    assert len(reads) == 8 and not (out / tablecache.FILE).exists()


def test_the_cache_of_another_build_is_started_afresh(out, tmp_path, reads, monkeypatch):
    export(out, tmp_path / "first.duckdb")
    monkeypatch.setattr(tablecache, "BUILD", "another")
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert len(reads) == 4 and tables(tmp_path / "second.duckdb") == tables(tmp_path / "first.duckdb")
    with duckdb.connect(str(out / tablecache.FILE), read_only=True) as db:
        assert db.execute("SELECT build FROM meta").fetchall() == [("another",)]


@pytest.mark.parametrize("damage", ["garbage", "foreign tables"])
def test_a_damaged_cache_is_started_afresh(out, tmp_path, reads, damage):
    export(out, tmp_path / "first.duckdb")
    cache = out / tablecache.FILE
    if damage == "garbage":
        cache.write_bytes(b"not a database" * 1000)
    else:
        with duckdb.connect(str(cache)) as db:
            db.execute("DROP TABLE figures")
            db.execute("CREATE TABLE figures (identity VARCHAR, x INTEGER)")
    reads.clear()
    export(out, tmp_path / "second.duckdb")
    assert len(reads) == 4 and tables(tmp_path / "second.duckdb") == tables(tmp_path / "first.duckdb")
    assert cached_files(out) == outputs(out)


def test_a_cache_another_process_holds_is_left_alone(out, tmp_path, reads):
    export(out, tmp_path / "first.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; db = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(out / tablecache.FILE)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        reads.clear()
        export(out, tmp_path / "second.duckdb")
    finally:
        holder.communicate("")
    assert len(reads) == 4 and tables(tmp_path / "second.duckdb") == tables(tmp_path / "first.duckdb")


def test_an_invalid_document_is_never_kept_and_named_each_time(out, tmp_path, capsys):
    (out / "broken.json").write_text('{"doc_id": 3}', encoding="utf-8")
    for name in ("first", "second"):
        assert main(["export", str(out), "--to", str(tmp_path / f"{name}.duckdb")]) == 0
        assert f"skipped {out / 'broken.json'}" in capsys.readouterr().err
    assert "broken.json" not in cached_files(out)


def test_outside_a_batch_folder_nothing_is_kept(out, tmp_path, reads):
    plain = tmp_path / "plain"
    plain.mkdir()
    for path in out.glob("*.json"):
        shutil.copy(path, plain / path.name)
    export(plain, tmp_path / "first.duckdb")
    export(plain, tmp_path / "second.duckdb")
    assert len(reads) == 6 and not (plain / ".xeploai").exists()


def test_extract_keeps_the_rows_of_its_outputs_for_the_first_export(batch_out, tmp_path, reads):
    assert cached_files(batch_out) == outputs(batch_out)  # kept at the end of the batch (SETTLE_NS not changed)
    export(batch_out, tmp_path / "first.duckdb")
    assert reads == []
    export(batch_out, tmp_path / "afresh.duckdb", cache=False)
    assert tables(tmp_path / "first.duckdb") == tables(tmp_path / "afresh.duckdb")
