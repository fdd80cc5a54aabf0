"""How many units the official lists resolve, and what linking them costs.

Over corpus/ (the seeds), corpus/shapes/ and corpus/pages/: every distinct unit a document's figures name,
and its reporting unit, with the kind it was read as; the share of territorial units (province, district,
commune) linked to an official unit, why the others were not, and the share that are no territory. Then the
time per document of extracting corpus/pages/ with and without the linking stage (best of three passes), and
the one-off cost of indexing the official lists.

Run: python benchmarks/admin_units.py [--list] [--write-readme]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import CORPUS, machine, publish  # noqa: E402
from extractor import admin, admin_names, atlas, extract  # noqa: E402
from extractor.patterns import load  # noqa: E402

SUITES = {"seeds (corpus/)": CORPUS.glob("*.txt"), "shapes (corpus/shapes/)": (CORPUS / "shapes").glob("*.txt"),
          "pages (corpus/pages/)": (CORPUS / "pages").glob("*.txt")}
TERRITORIAL = {"province", "district", "commune"}


def _units(path: Path) -> list[tuple[str, str, object]]:
    """(doc, unit, link) for the reporting unit and each distinct unit of the figures."""
    doc = extract(path.read_text(encoding="utf-8"), path.stem)
    found = {}
    if doc.reporting_unit and doc.reporting_unit_admin:
        found[doc.reporting_unit] = doc.reporting_unit_admin
    for f in doc.figures:
        if f.unit and f.unit not in found:
            found[f.unit] = f
    return [(path.stem, unit, link) for unit, link in found.items()]


def _reason(text: str | None) -> str:
    """A reason without the names in it: "not found in Tỉnh X (found in …)" → "not found in the province"."""
    text = text or ""
    for prefix, family in (("not found in", "not found in the document's province"),
                           ("not found:", "the document's province is not in the official lists"),
                           ("not found", "not found"), ("name in several provinces", "name in several provinces"),
                           ("name in several districts", "name in several districts of the province"),
                           ("named by its level only", "a level alone, and the document names no such unit"),
                           ("no level named", "no level named, and not found in the province")):
        if text.startswith(prefix):
            return family
    return text


def _suite_lines(name: str, paths: list[Path], listing: bool) -> list[str]:
    rows = [row for p in paths for row in _units(p)]
    kinds = Counter(link.unit_kind for _, _, link in rows)
    territorial = [link for _, _, link in rows if link.unit_kind in TERRITORIAL]
    resolved = [link for link in territorial if link.admin is not None]
    other = [link for _, _, link in rows if link.unit_kind not in TERRITORIAL]
    within = [link for link in other if link.admin_within is not None]
    how = Counter(link.admin.matched for link in resolved)
    failures = Counter(_reason(link.admin_reason) for link in territorial if link.admin is None)
    if listing:
        for doc, unit, link in rows:
            place = link.admin or link.admin_within
            print(f"{doc:40} {unit[:48]:48} {link.unit_kind:10} {(place.name if place else '-')[:30]:30} "
                  f"{link.admin_reason or ''}")
    share = len(resolved) / len(territorial) if territorial else 0.0
    return [f"| {name} | {len(paths)} | {len(rows)} | {len(territorial)} | {len(resolved)} ({share:.0%}; "
            f"{how['folded']} by letters without the same diacritics, {how['alias']} by a former name) | "
            f"{len(other)} ({len(other) / len(rows):.0%}) | {len(within)} | "
            + "; ".join(f"{k} {n}" for k, n in failures.most_common()) + " | "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + " |"]


class _Unlinked:
    """The pipeline as before this stage: no official units."""

    province = reporting = data = None
    warnings: list = []

    def __init__(self, *args, **kwargs):
        pass

    def link(self, unit):
        return None


class _Timed(admin.Linker):
    """The linking stage, its own time added up (building it, and each unit it links)."""

    spent = 0.0

    def __init__(self, *args, **kwargs):
        start = time.perf_counter()
        super().__init__(*args, **kwargs)
        _Timed.spent += time.perf_counter() - start

    def link(self, unit):
        start = time.perf_counter()
        try:
            return super().link(unit)
        finally:
            _Timed.spent += time.perf_counter() - start


def _timings(paths: list[Path], passes: int = 5) -> tuple[float, float, float]:
    """ms per document without the stage, with it, and of the stage alone: the best of ``passes`` passes
    each, the two kinds of pass taking turns (this machine's speed moves between runs)."""
    texts = [p.read_text(encoding="utf-8") for p in paths]
    best = {_Unlinked: float("inf"), _Timed: float("inf")}
    stage = float("inf")
    for _ in range(passes):
        for kind in best:
            _Timed.spent = 0.0
            for cached in (admin_names._words_of, admin_names.spelled, admin._admin, admin._scope, atlas.name_key):
                cached.cache_clear()  # each pass as in a new process, but for the index of the lists
            with mock.patch.object(admin, "Linker", kind):
                start = time.perf_counter()
                for text in texts:
                    extract(text)
                best[kind] = min(best[kind], time.perf_counter() - start)
            if kind is _Timed:
                stage = min(stage, _Timed.spent)
    return tuple(x / len(texts) * 1000 for x in (best[_Unlinked], best[_Timed], stage))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--list", action="store_true", help="print every unit with what it was linked to")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    load()
    start = time.perf_counter()
    atlas.Atlas(atlas.data_dir())
    index = time.perf_counter() - start
    atlas.load()
    lines = ["| suite | documents | units | territorial | linked to an official unit | no territory | of these "
             "placed in one | why the other territorial units were not linked | kinds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, paths in SUITES.items():
        lines += _suite_lines(name, sorted(paths), args.list)
    before, after, stage = _timings(sorted((CORPUS / "pages").glob("*.txt")))
    lines += ["", f"Extracting corpus/pages/ takes {before:.1f} ms per document without the linking stage and "
                  f"{after:.1f} ms with it; the stage itself takes {stage:.2f} ms per document "
                  f"({stage / before:.0%} of an extraction; best of five passes each, taking turns). Indexing the "
                  f"official lists ({atlas.version()}) takes {index:.2f} s, once per process, on first use. "
                  f"Machine: {machine()}. Command: `python benchmarks/admin_units.py`."]
    publish("admin", lines, args.write_readme)


if __name__ == "__main__":
    main()
