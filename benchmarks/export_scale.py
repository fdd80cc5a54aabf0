"""Export and panel at the scale of a national crawl: figures per second, against a floor in this process.

The output documents are synthetic but valid per the schema: the outputs of corpus/ (extracted once),
replicated with new doc ids until there are at least --figures figures. Replica i keys its units as
the province "#i // 2" (so two documents state each value, as a repeat across documents), and every
seventh replica changes one count (a conflict). Each step reads them all from disk (the page cache):

- floor: reading each file and validating it against the contract (pydantic), in one process: what
  any reader that keeps export's guarantee pays before building a table;
- export to .duckdb, .parquet and .csv, and the panel to .duckdb (each validates the documents in one
  worker process per core and builds the tables in DuckDB);
- export to .xlsx, on the first --xlsx-figures figures (a sheet holds at most 1 048 575 rows).

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
from extractor import batch  # noqa: E402
from extractor.export import export, output_files  # noqa: E402
from extractor.models import Document  # noqa: E402
from extractor.panel import panel  # noqa: E402


def corpus_outputs(work: Path) -> list[dict]:
    out = work / "corpus-out"
    batch.run([CORPUS], out, progress=False)
    return [json.loads(p.read_text(encoding="utf-8")) for p in output_files([out])]


def replica(doc: dict, i: int) -> dict:
    figures = []
    for k, f in enumerate(doc["figures"]):
        f = {**f, "unit_key": f"{f['unit_key'] or ''} #{i // 2}".strip()}
        if i % 7 == 6 and k == 0 and f.get("count") is not None:
            f["count"] += 1
        figures.append(f)
    return {**doc, "doc_id": f"{doc['doc_id']}-r{i}", "figures": figures}


def generate(base: list[dict], folder: Path, at_least: int) -> tuple[int, int]:
    """Replicas of ``base`` in ``folder`` (100 documents a sub-folder) until ``at_least`` figures."""
    figures = documents = i = 0
    while figures < at_least:
        for doc in base:
            copy = replica(doc, i)
            target = folder / f"{documents // 100:05d}" / f"{copy['doc_id']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(copy, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            figures += len(copy["figures"])
            documents += 1
        i += 1
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
        base = corpus_outputs(work)
        start = time.perf_counter()
        n, docs = generate(base, work / "out", args.figures)
        print(f"{n} figures in {docs} documents written in {time.perf_counter() - start:.0f} s", flush=True)
        (work / "small").mkdir()
        n_xlsx = subset(work / "out", work / "small", args.xlsx_figures)
        steps = [("floor: read + validate each document, one process", n, lambda: floor(work / "out")),
                 ("export → .duckdb", n, lambda: export(work / "out", work / "e.duckdb", force=True)),
                 ("export → .parquet (4 files)", n, lambda: export(work / "out", work / "e.parquet", force=True)),
                 ("export → .csv (4 files)", n, lambda: export(work / "out", work / "e.csv", force=True)),
                 ("panel → .duckdb", n, lambda: panel([work / "out"], work / "p.duckdb", force=True)),
                 ("panel → .csv (2 files)", n, lambda: panel([work / "out"], work / "p.csv", force=True)),
                 (f"export → .xlsx ({n_xlsx:,} figures)", n_xlsx,
                  lambda: export(work / "small", work / "e.xlsx", force=True))]
        results = []
        for name, figures, step in steps:
            stats = timed(step, runs=args.runs)
            results.append((name, figures, stats))
            print(f"{name}: {figures / stats['median']:,.0f} figures/s", flush=True)
        rows = panel([work / "out"], work / "p.duckdb", force=True)
    floor_rate = results[0][1] / results[0][2]["median"]
    lines = [f"{n:,} figures in {docs:,} output documents (corpus/ replicated, {n / docs:.0f} figures each); "
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
