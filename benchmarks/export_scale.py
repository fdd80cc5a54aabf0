"""Export and panel at the scale of a national crawl: figures per second, against a floor in this process.

The output documents are synthetic but valid per the schema, and laid out as a batch leaves them: the
outputs of corpus/ (extracted once into OUTDIR), and replicas of them with new doc ids in sub-folders of
OUTDIR until there are at least --figures figures. Replica i keys its units as the province "#i // 2" (so
two documents state each value, as a repeat across documents), and every seventh replica changes one
count (a conflict). Each step reads them all from disk (the page cache):

- floor: reading each file and validating it against the contract (pydantic), in one process: what
  any reader that keeps export's guarantee pays before building a table;
- export to .duckdb the first time: every document validated (one worker process per core) and read
  into the tables, whose rows are kept in OUTDIR's cache (extractor/tablecache.py); the cache is
  removed before each run;
- export to .duckdb, .parquet and .csv again, and the panel to .duckdb and .csv after it: the rows of
  the unchanged documents come from the cache; and export and panel with --no-cache, for comparison;
- export to .xlsx, on the first --xlsx-figures figures copied to a folder no batch wrote (no cache; a
  sheet holds at most 1 048 575 rows).

Run: python benchmarks/export_scale.py [--figures 500000] [--runs 3] [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import CORPUS, machine, publish, timed  # noqa: E402
from extractor import batch, tablecache  # noqa: E402
from extractor.export import export, output_files  # noqa: E402
from extractor.models import Document  # noqa: E402
from extractor.panel import panel  # noqa: E402


def corpus_outputs(out: Path) -> list[dict]:
    batch.run([CORPUS], out, progress=False)
    return [json.loads(p.read_text(encoding="utf-8")) for p in output_files([out])]


def replica(doc: dict, i: int) -> dict:
    figures = []
    for k, f in enumerate(doc["figures"]):
        f = {**f, **{key: f"{f[key] or ''} #{i // 2}".strip() for key in ("unit_key", "scoped_unit_key") if f.get(key)}}
        if i % 7 == 6 and k == 0 and f.get("count") is not None:
            f["count"] += 1
        figures.append(f)
    return {**doc, "doc_id": f"{doc['doc_id']}-r{i}", "figures": figures}


def generate(base: list[dict], folder: Path, at_least: int) -> tuple[int, int]:
    """Replicas of ``base`` in ``folder`` (100 documents a sub-folder) until, with ``base``, at least
    ``at_least`` figures; the figures and documents of both."""
    figures, documents, i = sum(len(doc["figures"]) for doc in base), len(base), 0
    while figures < at_least:
        for doc in base:
            copy = replica(doc, i)
            target = folder / f"{documents // 100:05d}" / f"{copy['doc_id']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(copy, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            figures += len(copy["figures"])
            documents += 1
        i += 1
    time.sleep(tablecache.SETTLE_NS / 1e9)  # files changed less than this ago are not kept in the cache
    return figures, documents


def floor(folder: Path) -> None:
    for path in output_files([folder]):
        Document.model_validate_json(path.read_bytes())


def subset(folder: Path, target: Path, figures: int) -> int:
    """The first documents of ``folder`` up to ``figures`` figures, copied to ``target``; their figures."""
    total = 0
    for path in output_files([folder]):
        if total >= figures:
            break
        total += len(json.loads(path.read_bytes())["figures"])
        shutil.copy(path, target / path.name)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--figures", type=int, default=500_000)
    parser.add_argument("--xlsx-figures", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xeploai-bench-") as tmp:
        work = Path(tmp)
        out = work / "out"
        start = time.perf_counter()
        n, docs = generate(corpus_outputs(out), out / "replicas", args.figures)
        print(f"{n} figures in {docs} documents written in {time.perf_counter() - start:.0f} s", flush=True)
        (work / "small").mkdir()
        n_xlsx = subset(out, work / "small", args.xlsx_figures)

        def no_cache() -> None:
            (out / tablecache.FILE).unlink(missing_ok=True)

        steps = [("floor: read + validate each document, one process", n, lambda: floor(out), None),
                 ("export → .duckdb, the first time (every document read, its rows kept)", n,
                  lambda: export(out, work / "e.duckdb", force=True), no_cache),
                 ("export → .duckdb again (unchanged documents from the cache)", n,
                  lambda: export(out, work / "e.duckdb", force=True), None),
                 ("export → .parquet (4 files) again", n, lambda: export(out, work / "e.parquet", force=True), None),
                 ("export → .csv (4 files) again", n, lambda: export(out, work / "e.csv", force=True), None),
                 ("panel → .duckdb (after an export)", n, lambda: panel([out], work / "p.duckdb", force=True), None),
                 ("panel → .csv (2 files) (after an export)", n, lambda: panel([out], work / "p.csv", force=True), None),
                 ("export → .duckdb --no-cache", n, lambda: export(out, work / "e.duckdb", force=True, cache=False),
                  None),
                 ("panel → .duckdb --no-cache", n, lambda: panel([out], work / "p.duckdb", force=True, cache=False),
                  None),
                 (f"export → .xlsx ({n_xlsx:,} figures, a folder no batch wrote)", n_xlsx,
                  lambda: export(work / "small", work / "e.xlsx", force=True), None)]
        results = []
        for name, figures, step, setup in steps:
            stats = timed(step, runs=args.runs, setup=setup)
            results.append((name, figures, stats))
            print(f"{name}: {figures / stats['median']:,.0f} figures/s", flush=True)
        rows = panel([out], work / "p.duckdb", force=True)
    floor_rate = results[0][1] / results[0][2]["median"]
    lines = [f"{n:,} figures in {docs:,} output documents of one batch folder (corpus/ replicated, {n / docs:.0f} "
             "figures each); "
             f"median of {args.runs} runs (min–max); the panel has {rows.rows:,} rows and {rows.conflicts:,} "
             f"conflicts. Machine: {machine()}.", "",
             "| step | figures per second | min–max | / floor |", "|---|---|---|---|"]
    for name, figures, stats in results:
        rate = figures / stats["median"]
        lines.append(f"| {name} | {rate:,.0f} | {figures / stats['max']:,.0f}–{figures / stats['min']:,.0f} | "
                     f"{rate / floor_rate:.2f} |")
    lines += ["", "Command: `python benchmarks/export_scale.py`."]
    publish("export", lines, args.write_readme)


if __name__ == "__main__":
    main()
