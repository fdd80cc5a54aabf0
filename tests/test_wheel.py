"""A non-editable wheel ships the pattern files and extracts the same figures as the checkout."""

import json
import os
import subprocess
import sys

import pytest

from extractor import extract_file

from .conftest import ROOT, SEEDS

SCRIPT = """
import json, sys, extractor
from extractor import extract_file
out = {"module": extractor.__file__,
       "docs": {p: extract_file(p).model_dump(mode="json")["figures"] for p in sys.argv[1:]}}
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    wheel_dir = tmp_path_factory.mktemp("wheel")
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheel_dir), str(ROOT)], check=True)
    wheels = list(wheel_dir.glob("xeploai-*.whl"))
    assert len(wheels) == 1
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheels[0])], check=True)
    return target


def test_wheel_contains_the_patterns(installed):
    shipped = sorted(p.name for p in (installed / "extractor" / "patterns").glob("*.yaml"))
    assert shipped == sorted(p.name for p in (ROOT / "patterns").glob("*.yaml"))


def test_wheel_extracts_the_same_figures(installed, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(installed))
    result = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, SEEDS)], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=True)
    data = json.loads(result.stdout)
    assert data["module"].startswith(str(installed)), "the installed copy, not the checkout, was imported"
    for path in SEEDS:
        expected = extract_file(path).model_dump(mode="json")["figures"]
        assert data["docs"][str(path)] == expected
