"""The consolidated panel and the spreadsheet exports, through their contract: the tables they write."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from extractor import batch, extract
from extractor import export as export_module
from extractor.cli import main
from extractor.export import export
from extractor.panel import CONFLICT_COLUMNS, PANEL_COLUMNS, panel

from .conftest import CORPUS, ROOT

REPORT = ("Năm 2019, Đảng bộ huyện Tân Lạc có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.\n\n"
          "Kết quả cụ thể: có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ, 7 tổ chức cơ sở đảng hoàn thành "
          "nhiệm vụ. Có 3.200 đảng viên hoàn thành tốt nhiệm vụ (chiếm 80,36%).")
BOM = b"\xef\xbb\xbf"


def document(doc_id: str, text: str = REPORT) -> dict:
    return json.loads(batch.document_json(extract(text, doc_id)))


def write(folder: Path, *docs: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc['doc_id']}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


def figure(doc: dict, figure_id: str) -> dict:
    return next(f for f in doc["figures"] if f["id"] == figure_id)


def rows(target: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(target), read_only=True) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "out"
    assert main(["extract", str(CORPUS), "-o", str(out), "--no-progress"]) == 0
    return out


# --- the panel ---------------------------------------------------------------------------------------------

def test_corpus_panel_has_one_row_per_key(corpus_out, tmp_path):
    target = tmp_path / "panel.duckdb"
    assert main(["panel", str(corpus_out), "--to", str(target)]) == 0
    key = "unit_key, year, period_from, period_to, subject, category, covers, label"
    (n, keys), = rows(target, f"SELECT count(*), count(DISTINCT ({key})) FROM panel")
    assert n == keys > 1000
    figures = [f for p in corpus_out.rglob("*.json") for f in json.loads(p.read_text(encoding="utf-8"))["figures"]]
    stated = [f for f in figures if f["repeat_of"] is None]
    assert rows(target, "SELECT sum(figures), sum(len(ids)) FROM panel") == [(len(stated), len(stated))]
    assert sorted(t for (t,) in rows(target, "SELECT table_name FROM information_schema.tables")) == [
        "conflicts", "panel"]


def test_tables_have_the_documented_columns(corpus_out, tmp_path):
    target = tmp_path / "panel.duckdb"
    panel([corpus_out], target)
    with duckdb.connect(str(target), read_only=True) as db:
        assert [c for (c, *_) in db.execute("DESCRIBE panel").fetchall()] == PANEL_COLUMNS
        assert [c for (c, *_) in db.execute("DESCRIBE conflicts").fetchall()] == CONFLICT_COLUMNS


def test_a_headline_and_body_repeat_counts_once(tmp_path):
    doc = document("a")
    assert figure(doc, "f2")["repeat_of"] == "f1"
    out = write(tmp_path / "out", doc)
    target = tmp_path / "panel.duckdb"
    result = panel([out], target)
    assert (result.rows, result.conflicts, result.figures, result.documents) == (3, 0, 4, 1)
    row = rows(target, "SELECT count, documents, figures, ids FROM panel WHERE subject = 'TCCSD' "
                       "AND category = 'HTTNV'")
    assert row == [(45, 1, 1, ["a:f1"])]


def test_the_same_statement_in_two_documents_is_one_row(tmp_path):
    out = write(tmp_path / "out", document("a"), document("b"))
    target = tmp_path / "panel.duckdb"
    assert panel([out], target).rows == 3
    assert rows(target, "SELECT unit_key, year, count, percent, documents, figures, ids FROM panel "
                        "WHERE subject = 'DANG_VIEN'") == [("tinh hoa binh/huyen tan lac", 2019, 3200, 80.36, 2, 2, ["a:f4", "b:f4"])]


def test_a_cross_document_conflict_lists_both_sources(tmp_path):
    a, b, c = document("a"), document("b"), document("c")
    figure(c, "f3")["count"] = 9  # c states 9 organisations HTNV, a and b state 7
    out = write(tmp_path / "out", a, b, c)
    target = tmp_path / "panel.duckdb"
    assert panel([out], target).conflicts == 1
    span = figure(a, "f3")["evidence"]
    conflict = rows(target, "SELECT unit_key, year, subject, category, field, value_a, documents_a, doc_a, figure_a, "
                            "start_a, end_a, text_a, value_b, documents_b, doc_b, figure_b, start_b, end_b, text_b "
                            "FROM conflicts")
    assert conflict == [("tinh hoa binh/huyen tan lac", 2019, "TCCSD", "HTNV", "count", 7.0, 2, "a", "f3", span["start"], span["end"],
                         span["text"], 9.0, 1, "c", "f3", span["start"], span["end"], span["text"])]
    assert rows(target, "SELECT count, documents, conflicts FROM panel WHERE category = 'HTNV'") == [(7, 3, 1)]


@pytest.mark.parametrize("percent, conflicts", [(80.4, 0), (80.0, 0), (80.3, 1), (81.36, 1)])
def test_percents_agree_once_rounded_to_the_less_precise(tmp_path, percent, conflicts):
    b = document("b")
    figure(b, "f4")["percent"] = percent
    target = tmp_path / "panel.duckdb"
    assert panel([write(tmp_path / "out", document("a"), b)], target).conflicts == conflicts
    assert rows(target, "SELECT percent FROM panel WHERE subject = 'DANG_VIEN'") == [(80.36,)]  # the more precise


def test_percents_of_other_bases_and_derived_values_do_not_conflict(tmp_path):
    b, c = document("b"), document("c")
    figure(b, "f4").update(percent=70.0, percent_of="TONG_SO")
    figure(c, "f3").update(count=99, derived=["count"])
    target = tmp_path / "panel.duckdb"
    assert panel([write(tmp_path / "out", document("a"), b, c)], target).conflicts == 0
    assert rows(target, "SELECT count FROM panel WHERE category = 'HTNV'") == [(7,)]


def test_a_hedged_value_gives_way_to_an_exact_one(tmp_path):
    b, c = document("b"), document("c")
    figure(b, "f3").update(count=8, qualifier="gần")
    figure(c, "f3").update(count=8, qualifier="gần")
    target = tmp_path / "panel.duckdb"
    assert panel([write(tmp_path / "out", document("a"), b, c)], target).conflicts == 0
    assert rows(target, "SELECT count, qualifier, documents FROM panel WHERE category = 'HTNV'") == [(7, None, 3)]


def test_a_period_is_its_own_row(tmp_path):
    b = document("b")
    figure(b, "f3").update(year=None, period=[2016, 2020], count=30)
    target = tmp_path / "panel.duckdb"
    assert panel([write(tmp_path / "out", document("a"), b)], target).conflicts == 0
    assert rows(target, "SELECT year, period_from, period_to, count FROM panel WHERE category = 'HTNV' "
                        "ORDER BY year NULLS LAST") == [(2019, None, None, 7), (None, 2016, 2020, 30)]


def test_the_unit_key_of_an_output_without_one_is_made_from_the_unit(tmp_path):
    b = document("b")
    for f in b["figures"]:
        f["unit_key"] = None
        f["unit"] = "Huyện ủy Tân Lạc"
    target = tmp_path / "panel.duckdb"
    panel([write(tmp_path / "out", document("a"), b)], target)
    assert rows(target, "SELECT DISTINCT unit_key, documents FROM panel") == [("tinh hoa binh/huyen tan lac", 2)]


def test_a_unit_written_two_ways_as_often_takes_the_first_documents_spelling(tmp_path):
    """A tie between spellings is broken by the order of the figures, never by DuckDB's threads."""
    b = document("b")
    for f in b["figures"]:
        f["unit"] = f["unit"].upper()
    out = write(tmp_path / "out", document("a"), b)
    spellings = set()
    for run in range(5):
        target = tmp_path / f"panel-{run}.duckdb"
        panel([out], target)
        spellings |= set(rows(target, "SELECT DISTINCT unit FROM panel WHERE subject = 'DANG_VIEN'"))
    assert spellings == {(figure(document("a"), "f4")["unit"],)}


def test_a_sub_folder_or_an_excluded_one(tmp_path):
    out = write(tmp_path / "out", document("a"))
    write(out / "shapes", document("s", REPORT.replace("Tân Lạc", "Lạc Sơn")))
    whole, only, without = tmp_path / "whole.csv", tmp_path / "only.csv", tmp_path / "without.csv"
    assert panel([out], whole).documents == 2
    assert panel([out / "shapes"], only).documents == 1
    assert panel([out], without, exclude=[out / "shapes"]).documents == 1
    assert {r["unit_key"] for r in read_csv(without)} == {"tinh hoa binh/huyen tan lac"}


# --- formats -----------------------------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_starts_with_a_byte_order_mark(tmp_path):
    out = write(tmp_path / "out", document("a"))
    export(out, tmp_path / "figures.csv")
    panel([out], tmp_path / "panel.csv")
    names = ["figures.csv", "figures.documents.csv", "figures.checks.csv", "figures.conflicts.csv", "panel.csv",
             "panel.conflicts.csv"]
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == sorted(names)
    assert all((tmp_path / name).read_bytes().startswith(BOM) for name in names)
    by_category = {(r["subject"], r["category"]): r for r in read_csv(tmp_path / "panel.csv")}
    assert by_category["TCCSD", "HTTNV"]["unit"] == "Đảng bộ huyện Tân Lạc"
    assert by_category["DANG_VIEN", "HTTNV"]["ids"] == "a:f4" and by_category["DANG_VIEN", "HTTNV"]["percent"] == "80.36"


def test_xlsx_opens_with_its_four_sheets(tmp_path):
    doc = document("a")
    figure(doc, "f3")["unit"] = '=HYPERLINK("http://evil.example/","x")'
    out = write(tmp_path / "out", doc)
    target = tmp_path / "figures.xlsx"
    result = export(out, target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["figures", "documents", "checks", "conflicts"]
    sheet = book["figures"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["doc", "figure", "unit", "unit_key"] and sheet.max_row == result.figures + 1
    cell = sheet.cell(row=4, column=3)
    assert cell.value == '=HYPERLINK("http://evil.example/","x")' and cell.data_type == "s"  # text, not a formula
    assert sheet.cell(row=2, column=header.index("count") + 1).value == 45
    documents = book["documents"]
    assert [c.value for c in documents[1]] == ["doc", "title", "published", "year", "reporting_unit", "format",
                                               "source", "url", "figures", "checks"]
    assert [c.value for c in documents[2]][8:] == [4, 0]


def test_panel_xlsx_holds_the_panel_and_its_conflicts(tmp_path):
    c = document("c")
    figure(c, "f3")["count"] = 9
    target = tmp_path / "panel.xlsx"
    panel([write(tmp_path / "out", document("a"), c)], target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["panel", "conflicts"]
    assert [c.value for c in book["conflicts"][2]][9:12] == ["count", None, 7]


def test_a_workbook_of_the_users_is_not_replaced(tmp_path):
    out = write(tmp_path / "out", document("a"))
    mine = tmp_path / "mine.xlsx"
    openpyxl.Workbook().save(mine)
    before = mine.read_bytes()
    assert main(["export", str(out), "--to", str(mine)]) == 2
    assert mine.read_bytes() == before
    assert main(["export", str(out), "--to", str(mine), "--force"]) == 0
    assert main(["export", str(out), "--to", str(mine)]) == 0  # now it is an export of ours
    assert zipfile.is_zipfile(mine)


def test_a_table_larger_than_a_sheet_is_refused_and_nothing_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(export_module, "XLSX_ROWS", 2)
    out = write(tmp_path / "out", document("a"))
    assert main(["export", str(out), "--to", str(tmp_path / "figures.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "the figures table has 4 rows, more than a sheet holds (2)" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [out]


def test_json_lines_on_stdout(tmp_path):
    out = write(tmp_path / "out", document("a"), document("b"))
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "export", str(out), "--to", "-"], cwd=ROOT,
                         capture_output=True, check=True)
    lines = [json.loads(line) for line in run.stdout.decode("utf-8").splitlines()]
    assert [(r["doc"], r["figure"]) for r in lines] == [(d, f"f{i}") for d in "ab" for i in range(1, 5)]
    assert lines[0]["unit"] == "Đảng bộ huyện Tân Lạc" and lines[3]["percent"] == 80.36
    assert b"Traceback" not in run.stderr and list(tmp_path.iterdir()) == [out]
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (apt-get install jq)")
    piped = subprocess.run(f"{sys.executable} -m extractor.cli panel {out} --to - | jq -c '[.unit_key, .ids]'",
                           shell=True, cwd=ROOT, capture_output=True, check=True, text=True)
    assert piped.stdout.splitlines()[0] == '["tinh hoa binh/huyen tan lac",["a:f4","b:f4"]]'


def test_conflicts_as_json_lines(tmp_path, capsys):
    c = document("c")
    figure(c, "f3")["count"] = 9
    out = write(tmp_path / "out", document("a"), c)
    capsys.readouterr()
    assert main(["panel", str(out), "--to", "-", "--table", "conflicts", "-q"]) == 0
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()
    assert json.loads(line)["value_b"] == 9 and captured.err == ""
    assert main(["panel", str(out), "--to", str(tmp_path / "p.csv"), "--table", "conflicts"]) == 2
    assert "goes with --to -" in capsys.readouterr().err


# --- what export promises, at scale too --------------------------------------------------------------------

def test_a_number_beyond_the_tables_skips_its_document_and_names_it(tmp_path, capsys):
    b = document("b")
    figure(b, "f1")["count"] = 10**30
    out = write(tmp_path / "out", document("a"), b)
    assert main(["export", str(out), "--to", str(tmp_path / "figures.duckdb")]) == 0
    err = capsys.readouterr().err
    assert f"skipped {out / 'b.json'}: holds a number beyond what the export's tables hold" in err
    assert rows(tmp_path / "figures.duckdb", "SELECT DISTINCT doc FROM figures") == [("a",)]


def test_validation_in_worker_processes_gives_the_same_tables(tmp_path):
    docs = [document(f"d{i}", REPORT.replace("45", str(40 + i))) for i in range(6)]
    out = write(tmp_path / "out", *docs)
    (out / "junk.json").write_text("[]", encoding="utf-8")
    files = export_module.output_files([out])
    (tmp_path / "1").mkdir(), (tmp_path / "3").mkdir()
    one, two = (export_module.stage(files, list(range(len(files))), tmp_path / str(n), workers=n) for n in (1, 3))
    assert (one.documents, [e.path for e in one.invalid]) == (two.documents, [e.path for e in two.invalid]) == (
        6, [str(out / "junk.json")])
    read = []
    for staged in (one, two):
        with duckdb.connect() as db:
            export_module.load_tables(db, staged, keep=("figures",))
            read.append(db.execute("SELECT * FROM figures").fetchall())
    assert read[0] == read[1] and len(read[0]) == 24


def test_export_interrupted_between_its_files_leaves_none_mixed(tmp_path, monkeypatch):
    out = write(tmp_path / "out", document("a"))
    target = tmp_path / "figures.parquet"
    export(out, target)
    names = ["figures.parquet", "figures.documents.parquet", "figures.checks.parquet", "figures.conflicts.parquet"]
    before = {name: (tmp_path / name).read_bytes() for name in names}
    write(out, document("b"))
    real, calls = export_module.os.replace, []

    def interrupted(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(export_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(out, target)
    monkeypatch.undo()
    assert {name: (tmp_path / name).read_bytes() for name in names} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names + ["out"])
