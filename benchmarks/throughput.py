"""Throughput of the extractor against its baselines, measured in one process and one run.

- floor: reading the files, NFC normalisation and one pass of a number regex: the least any approach
  that must find the numbers can do;
- underthesea word_tokenize: what a word-segmenting pipeline pays before it matches anything;
- spacy.blank("vi") tokenization with the rule tokenizer;
- the extractor: extractor.extract per document, and the batch CLI with 1 and 2 workers.

Also: peak RSS of the extractor, start-up time (import and pattern compilation) and time per
character as one document grows from 1 KB to 1 MB. Each figure is the median of --runs runs, with
min and max. Run: python benchmarks/throughput.py [--size 5000000] [--runs 5] [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (ROOT, build_corpus, machine, of_length, paragraphs, timed,  # noqa: E402
                                publish)

FLOOR_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
WORD_TOKENIZE_SAMPLE = 300_000  # characters: word_tokenize is slow, so it runs on a sample
LENGTHS = [1_000, 10_000, 100_000, 1_000_000]
# Peak RSS from VmHWM: unlike ru_maxrss, it starts afresh at exec, so the parent's peak is not counted.
PEAK_SCRIPT = """
import json, sys
from pathlib import Path
from extractor import extract
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    extract(path.read_text(encoding="utf-8"))
hwm = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
print(json.dumps(int(hwm.split()[1]) / 1024))
"""
STARTUP_SCRIPT = """
import json, time
start = time.perf_counter()
import extractor
from extractor.patterns import load
load()
print(json.dumps(time.perf_counter() - start))
"""


def rate(chars: int, stats: dict) -> dict:
    """chars/s for the median, fastest and slowest run."""
    return {"median": chars / stats["median"], "max": chars / stats["min"], "min": chars / stats["max"]}


def floor(folder: Path) -> None:
    for path in folder.glob("*.txt"):
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))
        for _ in FLOOR_NUMBER.finditer(text):
            pass


def python(script: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                           cwd=ROOT).stdout


def cli(folder: Path, workers: int) -> None:
    out = Path(tempfile.mkdtemp(prefix="xeploai-bench-out-"))
    try:
        subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(folder), "-o", str(out),
                        "--workers", str(workers), "--no-progress"], check=True, capture_output=True, cwd=ROOT)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5_000_000, help="corpus size in characters (default 5 MB)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-readme", action="store_true", help="write the results into README.md")
    args = parser.parse_args()

    from underthesea import word_tokenize
    import spacy

    from extractor import extract
    from extractor.patterns import load

    load()
    docs = build_corpus(args.size)
    chars = sum(len(d) for d in docs)
    folder = Path(tempfile.mkdtemp(prefix="xeploai-bench-"))
    for i, doc in enumerate(docs):
        (folder / f"doc{i:05d}.txt").write_text(doc, encoding="utf-8")
    sample, sample_chars = [], 0
    for doc in docs:
        if sample_chars >= WORD_TOKENIZE_SAMPLE:
            break
        sample.append(doc)
        sample_chars += len(doc)
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    word_tokenize(sample[0])  # load its model outside the timing

    print(f"corpus: {len(docs)} documents, {chars:,} characters; {args.runs} runs each", flush=True)
    results = {}
    steps = [
        ("floor: read + NFC + number regex", chars, lambda: floor(folder)),
        ("underthesea word_tokenize (sample)", sample_chars, lambda: [word_tokenize(d) for d in sample]),
        ("spacy.blank('vi') tokenizer", chars, lambda: [nlp.tokenizer(d) for d in docs]),
        ("extractor.extract per document", chars, lambda: [extract(d) for d in docs]),
        ("xeploai extract, 1 worker", chars, lambda: cli(folder, 1)),
        ("xeploai extract, 2 workers", chars, lambda: cli(folder, 2)),
    ]
    for name, n, fn in steps:
        results[name] = rate(n, timed(fn, args.runs))
        print(f"  {name}: {results[name]['median'] / 1e6:.3f} M chars/s", flush=True)

    peak = json.loads(python(PEAK_SCRIPT, str(folder)))
    startup = sorted(json.loads(python(STARTUP_SCRIPT)) for _ in range(args.runs))
    scaling = {}
    pool = paragraphs()
    for length in LENGTHS:  # about 1 MB at every length: many short documents or one long one
        texts = [of_length(length, seed, pool) for seed in range(max(1, LENGTHS[-1] // length))]
        stats = timed(lambda: [extract(t) for t in texts], args.runs)
        scaling[length] = stats["median"] / sum(len(t) for t in texts) * 1e6
    shutil.rmtree(folder, ignore_errors=True)

    extractor_rate = results["extractor.extract per document"]["median"]
    floor_rate = results["floor: read + NFC + number regex"]["median"]
    tokenize_rate = results["underthesea word_tokenize (sample)"]["median"]
    one, two = results["xeploai extract, 1 worker"]["median"], results["xeploai extract, 2 workers"]["median"]
    lines = [
        f"Corpus: {len(docs)} documents, {chars / 1e6:.1f} M characters (corpus/ repeated with its numbers varied); "
        f"median of {args.runs} runs (min–max). Machine: {machine()}.", "",
        "| step | M chars/s per process | min–max |", "|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['median'] / 1e6:.3f} | {r['min'] / 1e6:.3f}–{r['max'] / 1e6:.3f} |")
    lines += [
        "", "| ratio | value | target |", "|---|---|---|",
        f"| extractor / floor | 1/{floor_rate / extractor_rate:.0f} | ≥ 1/20 |",
        f"| extractor / word_tokenize | {extractor_rate / tokenize_rate:.1f}× | ≥ 25× |",
        f"| 2 workers / 1 worker | {two / one:.2f}× | ≥ 1.7× |",
        f"| peak RSS, extracting the whole corpus in one process | {peak:.0f} MB | < 300 MB |",
        f"| start-up (import + pattern compilation), median | {startup[len(startup) // 2]:.2f} s | < 1 s |",
        "", "| document length | " + " | ".join(f"{n // 1000} KB" for n in LENGTHS) + " | largest / smallest |",
        "|---|" + "---|" * (len(LENGTHS) + 1),
        "| µs per character (random paragraph mix, ~1 MB per length) | "
        + " | ".join(f"{scaling[n]:.2f}" for n in LENGTHS)
        + f" | {scaling[LENGTHS[-1]] / scaling[LENGTHS[0]]:.2f} (target ≤ 1.5) |",
        "", "Command: `python benchmarks/throughput.py`.",
    ]
    publish("throughput", lines, args.write_readme)


if __name__ == "__main__":
    main()
