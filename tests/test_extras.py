"""Optional extras: the base install reads .txt and .html; what needs an extra says which, without a traceback."""

import sys
import tomllib
from pathlib import Path

import pytest

from extractor import InputError, extract_file
from extractor.cli import main
from extractor.errors import EXTRAS

from .fixtures import PDF_LINES, REPORT, docx_report, pdf_report

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
HEAVY = {"spacy", "duckdb", "python-docx", "pdfplumber", "dask"}


def _name(requirement: str) -> str:
    return requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()


def test_the_base_install_leaves_the_heavy_packages_to_extras():
    base = {_name(r) for r in PROJECT["dependencies"]}
    assert not base & HEAVY, base & HEAVY
    extras = PROJECT["optional-dependencies"]
    for extra in EXTRAS:
        assert extra in extras, extra
    every = {_name(r) for group in extras.values() for r in group}
    assert HEAVY <= every


def test_the_test_extra_installs_every_extra():
    assert "xeploai[all]" in PROJECT["optional-dependencies"]["test"]
    everything = PROJECT["optional-dependencies"]["all"][0]
    for extra in PROJECT["optional-dependencies"]:
        if extra not in ("all", "test"):
            assert extra in everything, extra


@pytest.mark.parametrize("name, module, make", [("report.docx", "docx", docx_report),
                                                ("report.pdf", "pdfplumber", lambda: pdf_report(PDF_LINES))])
def test_an_office_input_without_its_extra_is_a_clear_error(tmp_path, monkeypatch, name, module, make):
    path = tmp_path / name
    path.write_bytes(make())
    monkeypatch.setitem(sys.modules, module, None)  # import of it now fails, as when it is not installed
    with pytest.raises(InputError) as caught:
        extract_file(path)
    assert str(path) in str(caught.value) and "pip install 'xeploai[office]'" in str(caught.value)


def test_a_batch_without_the_office_extra_records_the_file_and_goes_on(tmp_path, monkeypatch, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.docx").write_bytes(docx_report())
    (tmp_path / "in" / "plain.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "docx", None)
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in"), "-o", str(out), "--no-progress"]) == 1
    assert (out / "plain.json").is_file()
    assert "xeploai[office]" in (out / "errors.jsonl").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_export_without_its_extra_says_which(tmp_path, monkeypatch, capsys):
    (tmp_path / "in.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in.txt"), "-o", str(out), "--no-progress"]) == 0
    monkeypatch.setitem(sys.modules, "duckdb", None)
    capsys.readouterr()
    assert main(["export", str(out), "--to", str(tmp_path / "panel.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'xeploai[export]'" in err and "Traceback" not in err
    assert not (tmp_path / "panel.duckdb").exists()
