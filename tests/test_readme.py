"""The README stays true: CI runs its test command, and its evaluation table is the current one."""

import re

from extractor.cli import format_report, run_evaluation

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command():
    test_command = next(c for c in _commands() if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_has_the_extraction_command():
    assert any("xeploai extract corpus" in c for c in _commands())


def test_readme_evaluation_table_is_current():
    block = README.split("<!-- evaluation:start -->\n")[1].split("<!-- evaluation:end -->")[0]
    current = "\n\n".join(format_report(name, run_evaluation(ROOT / name)) for name in ("gold", "gold/pages", "gold/shapes"))
    assert block.strip() == current.strip(), "run `xeploai evaluate --gold gold` and update the README table"


def test_the_commands_for_your_own_files_work(tmp_path):
    """The README's first commands: one folder of reports in, one table out."""
    import csv
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    block = README.split("## Use it on your own files")[1].split("```bash\n")[1].split("\n```")[0]
    commands = [line for line in block.splitlines() if line.startswith(".venv/bin/xeploai ")]
    assert [c.split()[1] for c in commands] == ["extract", "export"]
    reports = tmp_path / "reports"
    reports.mkdir()
    for seed in sorted((ROOT / "corpus").glob("*.txt"))[:2]:
        shutil.copy(seed, reports)
    for command in commands:
        argv = [str(Path(sys.executable).parent / "xeploai")] + command.replace("~/", f"{tmp_path}/").split()[1:]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    with open(tmp_path / "ratings.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 10 and {"subject", "category", "count"} <= set(rows[0])
