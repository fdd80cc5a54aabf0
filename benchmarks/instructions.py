"""CPU work of the extractor in instructions, counted by valgrind's callgrind: repeatable to the
instruction whatever else the machine is doing, where wall time on a shared VM moves by a third between
runs. Use it to compare two commits; use throughput.py for speeds and ratios.

It runs ``extract`` over every document of corpus/ once and three times under callgrind, and divides
the difference by two, so start-up (imports, pattern compilation) cancels out. Needs valgrind (Debian
package valgrind); takes a few minutes. Run: python benchmarks/instructions.py [--write-readme]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import ROOT, corpus_texts, machine, publish  # noqa: E402

WORKLOAD = """
import sys
from benchmarks._common import corpus_texts
from extractor import extract
from extractor.patterns import load
load()
texts = corpus_texts()
for _ in range(int(sys.argv[1])):
    for text in texts:
        extract(text)
"""
_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(passes: int) -> int:
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          "-c", WORKLOAD, str(passes)], capture_output=True, text=True, cwd=ROOT)
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-readme", action="store_true", help="write the result into README.md")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("benchmarks/instructions.py needs valgrind: apt-get install valgrind")
    chars = sum(len(t) for t in corpus_texts())
    per_pass = (instructions(3) - instructions(1)) / 2
    lines = [
        f"`extract` over corpus/ ({chars:,} characters): {per_pass / 1e6:,.0f} M instructions per pass, "
        f"{per_pass / chars:,.0f} per character (callgrind; start-up excluded). Machine: {machine()}.",
        "Command: `python benchmarks/instructions.py`.",
    ]
    publish("instructions", lines, args.write_readme)


if __name__ == "__main__":
    main()
