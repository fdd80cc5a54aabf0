"""The review page of a large corpus: how long it takes to write, to open in Chromium, and to switch documents.

The output documents are the outputs of corpus/ (extracted once), replicated with new doc ids until
there are --documents of them; each carries its text, as the output of an HTML page does. Timed:

- write: 'xeploai review OUT' (reading and validating every document, and writing the page);
- open: from navigation to the load event in headless Chromium (Debian's chromium, by Playwright):
  the page parsed, the data read, the list arranged and the first document rendered; and its first
  contentful paint;
- switch: a click on a document of the list until the next frame has been painted, over --switches
  documents drawn at random;
- filter and sort: the list of all documents filtered to those with errors, then sorted by them.

Run: python benchmarks/review_scale.py [--documents 2000] [--runs 3] [--switches 50]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import CORPUS, machine, timed  # noqa: E402
from extractor import batch  # noqa: E402
from extractor.cli import main as xeploai  # noqa: E402

SWITCH = """async (picks) => {
  const times = [];
  for (const doc of picks) {
    const start = performance.now();
    document.querySelector('#documents li[data-doc="' + doc + '"] a').click();
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    times.push(performance.now() - start);
  }
  return times;
}"""
ARRANGE = """async () => {
  const start = performance.now();
  const filter = document.getElementById('filter'), sort = document.getElementById('sort');
  filter.value = 'errors'; filter.dispatchEvent(new Event('input'));
  sort.value = 'errors'; sort.dispatchEvent(new Event('input'));
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}"""


def corpus_outputs(work: Path) -> list[dict]:
    out = work / "corpus-out"
    batch.run([CORPUS], out, progress=False)
    sources = batch.recorded_sources(out)
    docs = []
    for name, entry in sorted(sources.items()):
        doc = json.loads((out / name).read_text(encoding="utf-8"))
        doc["text"] = doc["text"] or Path(entry["input"]).read_text(encoding="utf-8")
        docs.append(doc)
    return docs


def generate(base: list[dict], folder: Path, documents: int) -> int:
    """``documents`` replicas of ``base`` in ``folder``; their figures."""
    figures = 0
    for i in range(documents):
        doc = {**base[i % len(base)], "doc_id": f"{base[i % len(base)]['doc_id']}-r{i}"}
        (folder / f"{doc['doc_id']}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                                                      encoding="utf-8")
        figures += len(doc["figures"])
    return figures


def in_chromium(page: Path, docs: list[str], runs: int, switches: int) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    opened, painted, switched, arranged = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for run in range(runs):
            tab = browser.new_page(viewport={"width": 1280, "height": 800})
            tab.goto(page.as_uri(), wait_until="load")
            timing = tab.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                                  " const p = performance.getEntriesByType('paint')"
                                  ".find(e => e.name === 'first-contentful-paint');"
                                  " return [n.loadEventEnd, p ? p.startTime : null]; })()")
            opened.append(timing[0])
            painted.append(timing[1])
            picks = random.Random(run).sample(docs, min(switches, len(docs)))
            switched += tab.evaluate(SWITCH, picks)
            arranged.append(tab.evaluate(ARRANGE))
            tab.close()
        browser.close()
    return {"open": opened, "paint": [p for p in painted if p is not None], "switch": switched, "arrange": arranged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--switches", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xeploai-bench-") as tmp:
        work = Path(tmp)
        out = work / "out"
        out.mkdir()
        figures = generate(corpus_outputs(work), out, args.documents)
        page = work / "review.html"
        write = timed(lambda: xeploai(["review", str(out), "-o", str(page), "-q"]), runs=args.runs)
        docs = [p.stem for p in sorted(out.glob("*.json"))]
        browser = in_chromium(page, docs, args.runs, args.switches)
        size = page.stat().st_size
    ms = statistics.median
    print(f"{args.documents:,} documents, {figures:,} figures (corpus/ replicated, each with its text); "
          f"page {size / 1e6:.1f} MB. Machine: {machine()}.\n\n"
          "| step | median | min–max |\n|---|---|---|\n"
          f"| write: xeploai review | {write['median']:.2f} s | {write['min']:.2f}–{write['max']:.2f} s |\n"
          f"| open: navigation to load event | {ms(browser['open']):.0f} ms | "
          f"{min(browser['open']):.0f}–{max(browser['open']):.0f} ms |\n"
          f"| open: first contentful paint | {ms(browser['paint']):.0f} ms | "
          f"{min(browser['paint']):.0f}–{max(browser['paint']):.0f} ms |\n"
          f"| switch document (click to painted, {len(browser['switch'])} switches) | {ms(browser['switch']):.0f} ms | "
          f"{min(browser['switch']):.0f}–{max(browser['switch']):.0f} ms |\n"
          f"| filter and sort the list | {ms(browser['arrange']):.0f} ms | "
          f"{min(browser['arrange']):.0f}–{max(browser['arrange']):.0f} ms |\n\n"
          f"Runs: {args.runs}. Command: `python benchmarks/review_scale.py`.")


if __name__ == "__main__":
    main()
