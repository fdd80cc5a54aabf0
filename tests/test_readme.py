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
