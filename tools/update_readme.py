"""Rewrite the README's evaluation table from the current scores: python tools/update_readme.py"""

from pathlib import Path

from extractor.cli import format_report, run_evaluation

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- evaluation:start -->\n", "<!-- evaluation:end -->"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    table = "\n\n".join(format_report(name, run_evaluation(ROOT / name)) for name in ("gold", "gold/pages", "gold/shapes"))
    readme.write_text(head + START + table + "\n" + END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
