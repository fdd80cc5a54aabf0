"""Pathological inputs: time per character must stay flat as the input doubles from 10 KB to 4 MB.

Long runs of digits, dots, commas, slashes, end punctuation and category words are what make regex
engines backtrack, and 4 MB of ordinary figure lines is what a time budget per document used to cut
short. Each input is extracted at each size (best of three below 1 MB, one run above), and the ratio
of the largest size's time per character to the smallest's is the figure to watch (target ≤ 1.5).
Run: python benchmarks/backtracking.py [--write-readme]
"""

from __future__ import annotations

import argparse
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from benchmarks._common import machine, publish  # noqa: E402
from extractor import extract  # noqa: E402
from extractor.patterns import load  # noqa: E402

UNITS = {
    "digits": "1234567890",
    "dots and commas": "1.2,3.4,5.",
    "fractions": "12/34/56/7/",
    "percents": "9,9%(9%)9 %",
    "category words": "hoàn thành tốt nhiệm vụ, trong sạch, vững mạnh ",
    "mixed": "có 1.234/5.678 tổ chức cơ sở đảng (chiếm 12,3%); năm 2017 có 3,4,5/6 ",
    "runs of dots": ".",
    "runs of end punctuation": "…!?.",
    "figure lines": "Năm 2019, Đảng bộ xã Tân An có 45 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 80,36%).\n",
    "one long sentence of years": "năm 2019 có 5 chi bộ, hằng năm 2020 ",
}
SIZES = [10_000, 40_000, 160_000, 640_000, 1_000_000, 2_000_000, 4_000_000]


def measure(unit: str, size: int) -> tuple[float, int]:
    text = (unit * (size // len(unit) + 1))[:size]
    best = float("inf")
    for _ in range(3 if size < 1_000_000 else 1):
        start = time.perf_counter()
        doc = extract(text)
        best = min(best, time.perf_counter() - start)
    return best / size * 1e6, len(doc.warnings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    load()
    sizes = sorted(set(SIZES))
    header = "| input | " + " | ".join(f"{s // 1000} KB" for s in sizes) + " | 4 MB / 10 KB |"
    lines = ["µs per character (best of three below 1 MB, one run above), and the ratio of the largest size to "
             "the smallest:", "",
             header, "|" + "---|" * (len(sizes) + 2)]
    for name, unit in UNITS.items():
        results = [measure(unit, size) for size in sizes]
        per_char = [r[0] for r in results]
        warn = " (warnings)" if any(r[1] for r in results) else ""
        lines.append(f"| {name}{warn} | " + " | ".join(f"{v:.2f}" for v in per_char)
                     + f" | {per_char[-1] / per_char[0]:.2f} |")
        print(lines[-1], flush=True)
    lines += ["", f"Machine: {machine()}.", "Command: `python benchmarks/backtracking.py`."]
    publish("backtracking", lines, args.write_readme)


if __name__ == "__main__":
    main()
