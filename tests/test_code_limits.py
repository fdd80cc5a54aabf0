"""The code stays readable: no function of extractor/ above cyclomatic complexity 15 (radon) or 60 lines."""

from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent / "extractor"
MAX_COMPLEXITY = 15
MAX_LINES = 60


def _functions(path: Path):
    for block in cc_visit(path.read_text(encoding="utf-8")):
        yield block
        yield from getattr(block, "methods", [])


@pytest.mark.parametrize("path", sorted(ROOT.glob("*.py")), ids=lambda p: p.name)
def test_functions_are_small(path):
    too_complex = [f"{b.name} ({b.complexity})" for b in _functions(path)
                   if not hasattr(b, "methods") and b.complexity > MAX_COMPLEXITY]
    too_long = [f"{b.name} ({b.endline - b.lineno + 1} lines)" for b in _functions(path)
                if not hasattr(b, "methods") and b.endline - b.lineno + 1 > MAX_LINES]
    assert not too_complex and not too_long, f"{path.name}: split {too_complex + too_long}"


def test_the_limits_can_fail():
    source = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(20)) + "    return -1\n"
    (block,) = cc_visit(source)
    assert block.complexity > MAX_COMPLEXITY and block.endline - block.lineno + 1 > MAX_LINES / 2
