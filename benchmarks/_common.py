"""Shared helpers for the benchmarks: corpora with varied numbers, timing statistics, memory, README."""

from __future__ import annotations

import platform
import random
import re
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
_NUMBER = re.compile(r"\d+")


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.txt"))]


def varied(text: str, rnd: random.Random) -> str:
    """The same article with every number changed a little, so no cache can help."""
    def change(m: re.Match) -> str:
        digits = m.group(0)
        value = max(0, int(digits) + rnd.randint(-3, 3))
        return str(value).zfill(len(digits)) if len(digits) <= 4 else str(value)

    return _NUMBER.sub(change, text)


def build_corpus(min_chars: int, seed: int = 1) -> list[str]:
    """Copies of corpus/ with varied numbers until at least ``min_chars`` characters."""
    rnd = random.Random(seed)
    base = corpus_texts()
    docs, total = [], 0
    while total < min_chars:
        for text in base:
            doc = varied(text, rnd)
            docs.append(doc)
            total += len(doc)
    return docs


def paragraphs() -> list[str]:
    return [p for text in corpus_texts() for p in text.split("\n") if p.strip()]


def of_length(n_chars: int, seed: int = 2, pool: list[str] | None = None) -> str:
    """One document of ``n_chars`` characters made of paragraphs drawn at random from corpus/ (numbers
    varied), so that documents of every length have the same mix of prose and figures."""
    rnd = random.Random(seed)
    pool = pool or paragraphs()
    parts, total = [], 0
    while total < n_chars:
        part = varied(rnd.choice(pool), rnd)
        parts.append(part)
        total += len(part) + 1
    return "\n".join(parts)[:n_chars]


def timed(fn, runs: int = 5, setup=None) -> dict:
    """Median, min and max wall time of ``runs`` calls (each after ``setup()``, not timed, if given)."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    import os

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GB RAM, Python {platform.python_version()}, {platform.system()}"


def write_readme_block(name: str, body: str) -> None:
    """Replace the README block between <!-- NAME:start --> and <!-- NAME:end --> with ``body``."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start.strip()} … {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + start + body.rstrip("\n") + "\n" + end + tail, encoding="utf-8")


def publish(name: str, lines: list[str], write_readme: bool) -> None:
    """Print the report, and write it into the README block ``name`` when asked."""
    report = "\n".join(lines)
    print("\n" + report)
    if write_readme:
        write_readme_block(name, report)
