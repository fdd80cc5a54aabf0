"""Score the blind table documents of tests/cases/tables/ in .html, .docx and .pdf with the extractor that
Python imports (needs the test extra, which writes the .docx and .pdf): python tools/score_tables.py [-v]

The same command, run with PYTHONPATH pointing at a checkout of an earlier commit, gives that commit's
score (the first score of a batch is taken so, before anything changes for it)."""

import json
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))

from table_documents import cases, docx_bytes, odt_bytes, pdf_bytes, score  # noqa: E402

from extractor import InputError, extract_file  # noqa: E402

FORMATS = {"html": lambda page: page, "docx": docx_bytes, "odt": odt_bytes, "pdf": pdf_bytes}


def _document(name: str, fmt: str, page: bytes) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name.rsplit('.', 1)[0]}.{fmt}"
        path.write_bytes(FORMATS[fmt](page))
        try:
            return json.loads(extract_file(path).model_dump_json())
        except InputError as exc:
            print(f"  {fmt} {name}: {exc}")
            return {"figures": []}


def main(verbose: bool) -> None:
    print("| format | figures | predicted | matched | precision | recall | F1 |\n|---|---|---|---|---|---|---|")
    for fmt in FORMATS:
        matched = wanted = predicted = 0
        for name, page, expected in cases():
            m, e, p, missed, wrong = score(expected, _document(name, fmt, page))
            matched, wanted, predicted = matched + m, wanted + e, predicted + p
            if verbose and (missed or wrong):
                print(f"  {fmt} {name}: missed {missed}, wrong {wrong}", file=sys.stderr)
        precision, recall = matched / max(predicted, 1), matched / max(wanted, 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"| {fmt} | {wanted} | {predicted} | {matched} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")


if __name__ == "__main__":
    main("-v" in sys.argv)
