"""The public contract: the Python API, the CLI and the JSON document they produce."""

import json
import subprocess
import sys

import jsonschema
import pytest

from extractor import Document, InputError, extract, extract_file
from extractor.cli import main
from extractor.models import json_schema

from .conftest import SEEDS

SCHEMA = json_schema()


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_evidence_is_exact_on_the_original(path, seed_docs):
    text, doc = seed_docs[path.stem]
    assert doc.figures, "every seed states figures"
    for f in doc.figures:
        assert text[f.evidence.start:f.evidence.end] == f.evidence.text


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_output_validates_against_the_json_schema(path, seed_docs):
    _, doc = seed_docs[path.stem]
    jsonschema.validate(doc.model_dump(mode="json"), SCHEMA)


def test_ids_are_stable_and_in_text_order(seed_docs):
    _, doc = seed_docs["000_f1ca205c30058cf6"]
    assert [f.id for f in doc.figures] == [f"f{i}" for i in range(1, len(doc.figures) + 1)]
    starts = [f.evidence.start for f in doc.figures]
    assert starts == sorted(starts)


def test_same_input_same_output():
    text = SEEDS[0].read_text(encoding="utf-8")
    assert extract(text, "a").model_dump_json() == extract(text, "a").model_dump_json()


def test_document_fields(seed_docs):
    _, doc = seed_docs["001_96cca2ead1252abc"]
    assert doc.doc_id == "001_96cca2ead1252abc"
    assert doc.published == "2018-02-28"
    assert doc.year == 2017
    assert doc.reporting_unit == "Huyện ủy Điện Biên"


def test_text_without_figures_gives_an_empty_list():
    doc = extract("Hội nghị quán triệt Nghị quyết Trung ương 4 khóa XII được tổ chức ngày 4/3/2018.", "x")
    assert isinstance(doc, Document) and doc.figures == []


def test_empty_text():
    assert extract("", "empty").figures == []


def test_extract_file_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.txt: not found"):
        extract_file(tmp_path / "missing.txt")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="image.txt: not text"):
        extract_file(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Đảng viên".encode("utf-8")[:-1] + b"\xff\xfe\xfa")
    with pytest.raises(InputError, match="latin.txt: not decodable as UTF-8"):
        extract_file(latin)
    with pytest.raises(InputError, match="not a regular file"):
        extract_file(tmp_path)


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("đảng viên " * 200, encoding="utf-8")
    with pytest.raises(InputError, match="too large"):
        extract_file(big, max_bytes=100)


def test_utf8_bom_and_utf16_inputs(tmp_path):
    text = SEEDS[3].read_text(encoding="utf-8")
    expected = [(f.category, f.count) for f in extract(text).figures]
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes(text.encode("utf-16"))
    for path in (bom, utf16):
        assert [(f.category, f.count) for f in extract_file(path).figures] == expected


def test_cli_extract_writes_one_json_per_input_and_reports_failures(tmp_path, capsys):
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text(SEEDS[3].read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "in" / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    status = main(["extract", str(tmp_path / "in"), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 1
    assert "bad.txt: not text" in err
    assert sorted(p.name for p in out.iterdir()) == [".xeploai", "errors.jsonl", "good.json"], "no partial output file"
    # the batch's records, and the rows kept for export (the tests have DuckDB, the export extra)
    assert sorted(p.name for p in (out / ".xeploai").iterdir()) == ["lock", "manifest.jsonl", "tables.duckdb"]
    data = json.loads((out / "good.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert data["doc_id"] == "good"


def test_cli_extract_no_inputs(tmp_path, capsys):
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "o")]) == 2
    assert "no input files" in capsys.readouterr().err


def test_cli_schema_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "figures" in schema["properties"] and "Figure" in schema["$defs"]


def test_console_script_help():
    result = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", "--help"],
                            capture_output=True, text=True, check=True)
    assert "OUTDIR" in result.stdout and "--max-bytes" in result.stdout
