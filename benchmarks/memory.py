"""Memory over a long batch: resident memory must not grow with the number of documents processed.

Run: python benchmarks/memory.py [--documents N] [--write-readme]
"""

from __future__ import annotations

import argparse
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from benchmarks._common import build_corpus, machine, rss_mb, publish  # noqa: E402
from extractor import extract  # noqa: E402
from extractor.patterns import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    load()
    docs = build_corpus(1)  # one varied copy of corpus/, cycled with new numbers below
    samples = []
    step = args.documents // 10
    for i in range(args.documents):
        doc = docs[i % len(docs)]
        extract(doc.replace("20", str(10 + i % 80)), f"d{i}")
        if (i + 1) % step == 0:
            samples.append((i + 1, rss_mb()))
            print(f"{i + 1:>6} documents: {samples[-1][1]:.1f} MB", flush=True)
    first, last = samples[0][1], samples[-1][1]
    lines = ["| documents | " + " | ".join(str(n) for n, _ in samples) + " |",
             "|---|" + "---|" * len(samples),
             "| RSS (MB) | " + " | ".join(f"{m:.0f}" for _, m in samples) + " |", "",
             f"Growth from {samples[0][0]} to {samples[-1][0]} documents: {last - first:+.1f} MB. "
             f"Machine: {machine()}. Command: `python benchmarks/memory.py`."]
    publish("memory", lines, args.write_readme)


if __name__ == "__main__":
    main()
