"""OCR accuracy: how much of a scanned report's text, digits and figures Tesseract gives back.

Known texts (the test's district report and the first two pages of each seed article of corpus/) are
drawn on A4 pages (tests/scans.py), scanned clean, fairly and poorly, saved as PDFs without a text layer and
extracted as any input is (``extract_file``: pages rendered at 300 dpi, Tesseract's Vietnamese model).
Character accuracy is 1 − Levenshtein distance / length of the text drawn, over all documents of a
scan (white space folded); the digit accuracy is the same over the digits alone. A figure is read when
the scan gives it as the text drawn does (subject, category, year, count, total and percent), and again
with the year aside: one misread date can move the year of every figure of a document.
Needs the ocr extra and Debian's tesseract-ocr and tesseract-ocr-vie.
Run: python benchmarks/ocr_accuracy.py [--write-readme]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import CORPUS, machine, publish  # noqa: E402
from extractor import extract, extract_file  # noqa: E402
from tests.scans import CONDITIONS, REPORT, digits, errors, image_pdf, numbers_read, render  # noqa: E402


def sources() -> dict[str, list[str]]:
    seeds = {p.stem: [line for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
             for p in sorted(CORPUS.glob("*.txt"))}
    return {"report": REPORT, **seeds}


def _figures(doc, with_year: bool = True) -> Counter:
    return Counter((f.subject, f.category, f.year if with_year else None, f.count, f.total, f.percent)
                   for f in doc.figures)


def measure(condition, texts: dict[str, list[str]], folder: Path) -> tuple[Counter, str]:
    """Totals over the documents scanned in ``condition`` (errors and lengths, numbers, figures, time), and
    the OCR engine that read them."""
    total, engine = Counter(), ""
    for name, paragraphs in texts.items():
        pages, shown = render(paragraphs, condition, max_pages=2)
        path = folder / f"{name}.pdf"
        path.write_bytes(image_pdf(pages, condition.dpi))
        start = time.perf_counter()
        doc = extract_file(path)
        total["seconds"] += time.perf_counter() - start
        for key, (got, of) in {"chars": errors(shown, doc.text), "digits": errors(digits(shown), digits(doc.text)),
                               "numbers": numbers_read(shown, doc.text)}.items():
            total[f"{key}_got"] += got
            total[f"{key}_of"] += of
        from_text = extract(shown)
        for key, with_year in (("figures", True), ("values", False)):
            expected = _figures(from_text, with_year)
            total[f"{key}_got"] += sum((expected & _figures(doc, with_year)).values())
            total[f"{key}_of"] += sum(expected.values())
        total["pages"] += len(pages)
        total["confidence"] += doc.ocr.mean_confidence * doc.ocr.words
        total["words"] += doc.ocr.words
        engine = doc.ocr.engine
        print(f"{condition.name} {name}: {len(pages)} page(s), confidence {doc.ocr.mean_confidence}", flush=True)
    return total, engine


def row(condition, t: Counter) -> str:
    return (f"| {condition.name} | {t['pages']} | {t['chars_of']:,} | {1 - t['chars_got'] / t['chars_of']:.4f} | "
            f"{1 - t['digits_got'] / t['digits_of']:.4f} | {t['numbers_got']} / {t['numbers_of']} | "
            f"{t['figures_got']} / {t['figures_of']} | {t['values_got']} | {t['confidence'] / t['words']:.1f} | "
            f"{t['seconds'] / t['pages']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    texts = sources()
    with tempfile.TemporaryDirectory() as folder:
        measured = [(condition, *measure(condition, texts, Path(folder))) for condition in CONDITIONS]
    rows = [row(condition, total) for condition, total, _ in measured]
    engine = measured[-1][2]
    lines = [f"{len(texts)} documents (the test's report and the first two pages of each seed of corpus/), "
             f"each scanned three ways and read by {engine} (`vie`) through `extract_file`:", "",
             "| scan | pages | characters | character accuracy | digit accuracy | numbers read exactly | "
             "figures as from the text | the same, year aside | mean word confidence | s per page |",
             "|---|---|---|---|---|---|---|---|---|---|", *rows, "",
             f"Machine: {machine()}.", "Command: `python benchmarks/ocr_accuracy.py`."]
    publish("ocr", lines, args.write_readme)


if __name__ == "__main__":
    main()
