"""Scans: a report page drawn in the test, saved without a text layer, gives its figures through OCR.

The tests that run Tesseract skip where it (or its Vietnamese data, or the ocr extra) is missing, and fail
instead when XEPLOAI_REQUIRE_OCR=1, as .ci/run sets after installing it: CI never passes by skipping them.
"""

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from extractor import InputError, extract, extract_file
from extractor import ocr
from extractor.cli import main
from extractor.models import json_schema

from .conftest import SEEDS
from .scans import CLEAN, REPORT, character_accuracy, digits, image_pdf, png, render

ACCURACY_FLOOR = 0.95  # characters of a clean 300 dpi scan read right; Tesseract 5 reads about 0.998
DIGIT_FLOOR = 0.98


def _missing() -> str | None:
    """What reading a scan lacks here, if anything."""
    for module in ("pypdfium2", "PIL.Image", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[test]')"
    try:
        languages = subprocess.run([ocr.TESSERACT, "--list-langs"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)"
    if ocr.LANGUAGE not in languages.split()[1:]:
        return "Tesseract's Vietnamese data is not installed (apt-get install tesseract-ocr-vie)"
    return None


@pytest.fixture(scope="module")
def tesseract():
    missing = _missing()
    if missing and os.environ.get("XEPLOAI_REQUIRE_OCR") == "1":
        pytest.fail(f"XEPLOAI_REQUIRE_OCR=1, but {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope="module")
def report_page():
    """The report drawn on a clean 300 dpi page, and the text drawn."""
    pages, shown = render(REPORT, CLEAN)
    return pages[0], shown


def _blank(page):
    from PIL import Image

    blank = Image.new("L", page.size, 255)
    blank.info["dpi"] = page.info["dpi"]
    return blank


def _values(figures) -> list[tuple]:
    return [(f.subject, f.category, f.year, f.count, f.total, f.percent) for f in figures]


def test_a_scanned_report_gives_its_figures_through_ocr(tesseract, report_page, tmp_path):
    page, shown = report_page
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "scan.pdf").write_bytes(image_pdf([page], CLEAN.dpi))
    assert main(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress"]) == 0
    data = json.loads((tmp_path / "out" / "scan.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json_schema())
    figures = {(f["subject"], f["category"]): (f["count"], f["percent"]) for f in data["figures"]}
    assert figures[("TCCSD", "TONG_SO")] == (52, None)
    assert figures[("TCCSD", "HTXSNV")] == (12, 23.08)
    assert figures[("TCCSD", "HTTNV")] == (35, None)
    assert figures[("DANG_VIEN", "DA_DANH_GIA")] == (2145, None)
    assert figures[("DANG_VIEN", "HTXSNV")] == (318, 14.83)
    assert figures[("DANG_VIEN", "HTTNV")] == (1702, 79.35)
    assert [f["year"] for f in data["figures"]] == [2023] * len(data["figures"])
    assert _values(extract_file(tmp_path / "in" / "scan.pdf").figures) == _values(extract(shown).figures)
    for f in data["figures"]:
        assert data["text"][f["evidence"]["start"]:f["evidence"]["end"]] == f["evidence"]["text"]
    record = data["ocr"]
    assert record["engine"].startswith("tesseract ") and record["language"] == "vie"
    assert record["mean_confidence"] > 80 and record["words"] > 100 and record["page_count"] == 1
    assert [(p["page"], p["dpi"]) for p in record["pages"]] == [(1, 300)]


def test_each_frame_of_a_scanned_tiff_is_a_page(tesseract, report_page, tmp_path):
    page, shown = report_page
    path = tmp_path / "scan.tif"
    page.save(path, save_all=True, append_images=[_blank(page)], dpi=(300, 300))
    doc = extract_file(path)
    assert doc.format == "tiff"
    assert _values(doc.figures) == _values(extract(shown).figures)
    assert [(p.page, p.dpi, p.words > 100, p.mean_confidence) for p in doc.ocr.pages][1] == (2, 300, False, None)
    assert doc.ocr.page_count == 2 and doc.ocr.pages[0].mean_confidence > 80
    assert extract_file(path).model_dump_json() == doc.model_dump_json(), "the same scan gives the same bytes"


def test_ocr_reads_clean_scans_above_the_accuracy_floor(tesseract, report_page, tmp_path):
    seed = [line for line in SEEDS[1].read_text(encoding="utf-8").splitlines() if line.strip()]
    pages, seed_shown = render(seed, CLEAN)
    documents = [(report_page[0], report_page[1]), (pages[0], seed_shown)]
    for number, (page, shown) in enumerate(documents):
        path = tmp_path / f"page{number}.png"
        path.write_bytes(png(page))
        text = extract_file(path).text
        assert character_accuracy(shown, text) >= ACCURACY_FLOOR, (shown, text)
        assert character_accuracy(digits(shown), digits(text)) >= DIGIT_FLOOR, (shown, text)


def test_the_accuracy_measure_can_fail():
    assert character_accuracy("52 tổ chức", "52 tổ chức") == 1.0
    assert character_accuracy("52 tổ chức", "") == 0.0
    assert character_accuracy("52 tổ chức (chiếm 23,08%)", "S2 tô chúc (chiêm 23.O8%)") < ACCURACY_FLOOR


def test_the_page_limit_is_recorded(tesseract, report_page, tmp_path, monkeypatch):
    page, _ = report_page
    path = tmp_path / "long.pdf"
    path.write_bytes(image_pdf([page, page], CLEAN.dpi))
    monkeypatch.setattr(ocr, "MAX_PAGES", 1)
    doc = extract_file(path)
    assert doc.ocr.page_count == 2 and [p.page for p in doc.ocr.pages] == [1]


def test_a_scan_without_text_is_an_error(tesseract, report_page, tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(image_pdf([_blank(report_page[0])], CLEAN.dpi))
    with pytest.raises(InputError, match="OCR found no text"):
        extract_file(path)


@pytest.mark.parametrize("name, module", [("scan.pdf", "pypdfium2"), ("scan.png", "PIL.Image")])
def test_a_scan_without_the_ocr_extra_says_what_to_install(report_page, tmp_path, monkeypatch, name, module):
    import pdfplumber  # noqa: F401  (the office extra, loaded before its renderer is hidden)

    path = tmp_path / name
    path.write_bytes(image_pdf([report_page[0]], CLEAN.dpi) if name.endswith(".pdf") else png(report_page[0]))
    monkeypatch.setitem(sys.modules, module, None)  # import of it now fails, as when it is not installed
    with pytest.raises(InputError) as caught:
        extract_file(path)
    assert str(path) in str(caught.value) and "pip install 'xeploai[ocr]'" in str(caught.value)


def _fake_tesseract(folder, languages: str, ocr_command: str):
    """A program that answers as Tesseract does for its version and languages, and runs ``ocr_command``
    when asked to read a page."""
    program = folder / "tesseract"
    program.write_text("#!/bin/sh\n"
                       'case "$1" in\n'
                       '  --version) echo "tesseract 5.3.0";;\n'
                       f'  --list-langs) printf \'List of available languages in "/x/" (2):\\n{languages}\\n\';;\n'
                       f"  *) {ocr_command};;\n"
                       "esac\n", encoding="utf-8")
    program.chmod(0o755)
    return str(program)


@pytest.mark.parametrize("case", ["no program", "no Vietnamese data"])
def test_a_scan_without_tesseract_says_what_to_install(report_page, tmp_path, monkeypatch, capsys, case):
    program = str(tmp_path / "none") if case == "no program" else _fake_tesseract(tmp_path, "eng\\nosd", "exit 1")
    monkeypatch.setattr(ocr, "TESSERACT", program)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "scan.pdf").write_bytes(image_pdf([report_page[0]], CLEAN.dpi))
    with pytest.raises(InputError) as caught:
        extract_file(tmp_path / "in" / "scan.pdf")
    message = str(caught.value)
    assert "scan.pdf: the PDF has no text layer (a scan?)" in message
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in message
    assert main(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress"]) == 1
    assert "apt-get install tesseract-ocr" in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_a_page_that_takes_too_long_is_an_error_not_a_shorter_text(report_page, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "TESSERACT", _fake_tesseract(tmp_path, "vie", f"exec '{sys.executable}' -c 'import time; time.sleep(5)'"))
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT", 0.5)
    path = tmp_path / "scan.png"
    path.write_bytes(png(report_page[0]))
    with pytest.raises(InputError, match=r"scan.png: OCR of page 1 took more than 0.5 s"):
        extract_file(path)


def _huge_png() -> bytes:
    from PIL import Image

    return png(Image.new("L", (8000, 8000), 255))  # 64 M pixels: more than any page at 300 dpi


@pytest.mark.parametrize("name, make, words", [
    ("scan.jpg", lambda: b"\xff\xd8\xff\xe0 not really a JPEG", "scan.jpg: not a readable image"),
    ("huge.png", _huge_png, "huge.png: an image of 8000×8000 pixels, too large for OCR"),
])
def test_an_image_that_cannot_be_read_says_why(tesseract, tmp_path, name, make, words):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(InputError, match=words):
        extract_file(path)
