"""Snapshot and compare the extractor's output on every document of corpus/.

    python tools/snapshot.py save DIR      # write DIR/<relative path>.json for each corpus document
    python tools/snapshot.py diff DIR      # compare today's output with DIR, figure by figure

Use it around a change that must not alter behaviour by accident: save before, diff after, and
explain each difference in the commit that makes it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from extractor import extract_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SUFFIXES = {".txt", ".html", ".docx", ".pdf"}
# Fields that say how a value was decided, compared apart from the values themselves.
_VALUES = ("subject", "category", "year", "period", "unit", "count", "total", "percent", "percent_of", "change",
           "qualifier", "covers", "evidence")


def documents() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def current(path: Path) -> dict:
    return json.loads(extract_file(path).model_dump_json())


def save(target: Path) -> None:
    for path in documents():
        out = target / path.relative_to(CORPUS).with_suffix(".json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(current(path), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(documents())} documents → {target}")


def _key(figure: dict) -> tuple:
    return tuple(json.dumps(figure.get(k), sort_keys=True, ensure_ascii=False) for k in _VALUES)


def diff(target: Path) -> int:
    changed = 0
    for path in documents():
        saved_path = target / path.relative_to(CORPUS).with_suffix(".json")
        if not saved_path.is_file():
            print(f"new document: {path.relative_to(ROOT)}")
            continue
        before, after = json.loads(saved_path.read_text(encoding="utf-8")), current(path)
        old = {_key(f): f for f in before["figures"]}
        new = {_key(f): f for f in after["figures"]}
        lines = [f"  - {_describe(old[k])}" for k in old if k not in new]
        lines += [f"  + {_describe(new[k])}" for k in new if k not in old]
        for field in ("year", "published", "reporting_unit", "title"):
            if before.get(field) != after.get(field):
                lines.append(f"  {field}: {before.get(field)!r} → {after.get(field)!r}")
        if lines:
            changed += 1
            print(path.relative_to(ROOT))
            print("\n".join(lines))
    print(f"{changed} of {len(documents())} documents differ")
    return 1 if changed else 0


def _describe(f: dict) -> str:
    values = " ".join(f"{k}={f[k]}" for k in ("subject", "category", "year", "period", "unit", "count", "total",
                                                "percent", "percent_of") if f.get(k) is not None)
    return f"{values} «{f['evidence']['text'][:70]}»"


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "diff"):
        sys.exit(__doc__)
    if sys.argv[1] == "save":
        save(Path(sys.argv[2]))
    else:
        sys.exit(diff(Path(sys.argv[2])))
