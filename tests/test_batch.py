"""Batch extraction over real input formats: errors recorded, runs resumable and repeatable."""

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from extractor import extract, extract_many, tablecache
from extractor.cli import main
from extractor.load import load

from .conftest import SEEDS
from .fixtures import REPORT, write_mixed_folder

EXPECTED = [(f.category.value, f.count, f.percent) for f in extract(REPORT).figures]


def figures_of(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, [(f["category"], f["count"], f["percent"]) for f in data["figures"]]


@pytest.fixture
def mixed(tmp_path):
    write_mixed_folder(tmp_path / "in")
    return tmp_path / "in", tmp_path / "out"


def test_mixed_folder_one_run_then_nothing_new(mixed, capsys):
    inputs, out = mixed
    assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 1, "a failure makes the exit non-zero"
    errors = {json.loads(line)["path"].rsplit("/", 1)[-1]: json.loads(line)["reason"]
              for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()}
    assert set(errors) == {"empty.txt", "binary.txt", "truncated.txt"}
    assert errors["empty.txt"] == "empty file"
    assert errors["binary.txt"].startswith("not text")
    assert errors["truncated.txt"].startswith("truncated UTF-8")
    for name, encoding in (("good", "utf-8"), ("bom", "utf-8-sig"), ("legacy", "cp1258"), ("wide", "utf-16")):
        data, figures = figures_of(out / f"{name}.json")
        assert figures == EXPECTED and data["encoding"] == encoding
    page, figures = figures_of(out / "page.json")
    assert figures == EXPECTED and page["format"] == "html" and "Lượt xem" not in page["text"]
    for f in page["figures"]:
        assert page["text"][f["evidence"]["start"]:f["evidence"]["end"]] == f["evidence"]["text"]
    capsys.readouterr()
    assert main(["extract", str(inputs), "-o", str(out), "--no-progress"]) == 1
    assert "0 written, 7 unchanged, 3 failed" in capsys.readouterr().err


def test_a_docx_rating_table_becomes_figures(mixed):
    inputs, out = mixed
    main(["extract", str(inputs / "table.docx"), "-o", str(out), "--no-progress"])
    data = json.loads((out / "table.json").read_text(encoding="utf-8"))
    got = sorted((f["unit"], f["category"], f["count"], f["percent"]) for f in data["figures"])
    assert got == sorted([
        ("Đảng bộ xã Mỹ Hòa", "HTXSNV", 3, 25.0), ("Đảng bộ xã Mỹ Hòa", "HTTNV", 8, None),
        ("Đảng bộ xã Mỹ Hòa", "HTNV", 1, None), ("Đảng bộ xã Phong Phú", "HTXSNV", 2, 20.0),
        ("Đảng bộ xã Phong Phú", "HTTNV", 7, None), ("Đảng bộ xã Phong Phú", "HTNV", 1, None)])
    assert {f["subject"] for f in data["figures"]} == {"CHI_BO"}


def test_a_pdf_text_layer_is_read(mixed):
    inputs, out = mixed
    main(["extract", str(inputs / "scan.pdf"), "-o", str(out), "--no-progress"])
    data, figures = figures_of(out / "scan.json")
    assert data["format"] == "pdf" and figures == [("HTXSNV", 8, 14.29), ("HTTNV", 45, 80.36)]


def test_legacy_and_wide_encodings_are_detected(mixed):
    inputs, _ = mixed
    assert load(inputs / "legacy.txt").encoding == "cp1258"
    assert load(inputs / "legacy.txt").text.replace("\r", "") != ""


def _files(folder):
    """Every file under ``folder`` (relative path → bytes), but the rows kept for export, whose file
    identities (inodes, times) differ from one copy to another by design (extractor/tablecache.py)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() != tablecache.FILE}


def test_same_input_same_bytes(mixed, tmp_path):
    inputs, out = mixed
    other = tmp_path / "again"
    main(["extract", str(inputs), "-o", str(out), "--no-progress"])
    main(["extract", str(inputs), "-o", str(other), "--workers", "2", "--no-progress"])
    for path in out.glob("*.json"):
        assert path.read_bytes() == (other / path.name).read_bytes()


def test_a_killed_run_resumes_to_the_same_outputs(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(120):  # each copy's numbers varied so the documents differ
        text = seeds[i % len(seeds)].replace("2017", str(2000 + i % 20)).replace("79", str(10 + i))
        (inputs / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    command = [sys.executable, "-m", "extractor.cli", "extract", str(inputs), "--no-progress"]
    subprocess.run(command + ["-o", str(whole)], check=True, capture_output=True)
    run = subprocess.Popen(command + ["-o", str(resumed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(resumed.glob("doc*.json"))) < 10:
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    done_before = len(list(resumed.glob("doc*.json")))
    assert 10 <= done_before < 120, "the run was stopped midway"
    subprocess.run(command + ["-o", str(resumed)], check=True, capture_output=True)
    assert ".xeploai/manifest.jsonl" in _files(whole)
    assert _files(whole) == _files(resumed)


def test_extract_many_yields_documents_as_they_finish(mixed):
    inputs, _ = mixed
    good = [inputs / n for n in ("good.txt", "legacy.txt", "page.html", "scan.pdf")]
    docs = list(extract_many(good, workers=2))
    assert sorted(d.doc_id for d in docs) == ["good", "legacy", "page", "scan"]
    assert len(list(extract_many([inputs / "empty.txt", *good], errors="skip"))) == 4
    with pytest.raises(Exception, match="empty.txt: empty file"):
        list(extract_many([inputs / "empty.txt"]))


@pytest.fixture(scope="module")
def seed_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    assert main(["extract", *map(str, SEEDS), "-o", str(out), "--no-progress"]) == 0
    total = sum(len(json.loads(p.read_text(encoding="utf-8"))["figures"]) for p in out.glob("*.json"))
    return out, total


def test_export_duckdb_is_queried_with_sql(seed_output, tmp_path):
    out, total = seed_output
    target = tmp_path / "panel.duckdb"
    assert main(["export", str(out), "--to", str(target)]) == 0
    with duckdb.connect(str(target), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM figures").fetchone()[0] == total
        row = db.execute("SELECT count, total, percent FROM figures WHERE year = 2008 AND category = 'TSVM'").fetchone()
        assert row == (53, 78, 64.94)
        assert db.execute("SELECT count(*) FROM checks WHERE severity = 'error'").fetchone()[0] >= 3


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_export_files_have_one_row_per_figure(seed_output, tmp_path, suffix):
    out, total = seed_output
    target = tmp_path / f"panel.{suffix}"
    assert main(["export", str(out), "--to", str(target)]) == 0
    reader = "read_parquet" if suffix == "parquet" else "read_csv_auto"
    with duckdb.connect() as db:
        assert db.execute(f"SELECT count(*) FROM {reader}('{target}')").fetchone()[0] == total
        assert db.execute(f"SELECT count(*) FROM {reader}('{tmp_path / f'panel.checks.{suffix}'}')").fetchone()[0] > 0


def test_export_errors_are_clear(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--to", str(tmp_path / "x.duckdb")]) == 2
    assert "no output documents" in capsys.readouterr().err
    assert main(["export", str(tmp_path), "--to", str(tmp_path / "x.xls")]) == 2
    assert "unknown format" in capsys.readouterr().err


def test_dask_engine_writes_the_same_bytes(mixed, tmp_path):
    from distributed import LocalCluster

    inputs, out = mixed
    main(["extract", str(inputs), "-o", str(out), "--no-progress"])
    on_dask = tmp_path / "dask"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        status = main(["extract", str(inputs), "-o", str(on_dask), "--engine", "dask",
                       "--scheduler", cluster.scheduler_address, "--no-progress"])
    assert status == 1
    assert _files(out) == _files(on_dask)
