"""Attack suite: hostile inputs, unlucky machines and interrupted runs (see FAULTS_SPEC.md).

Each test is one attack; it passes only when xeploai behaves as the spec says. Subprocesses run the
CLI where a traceback, an exit status or a signal matters; the rest call ``main`` in-process.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import _io
import duckdb
import pytest

from extractor.cli import main

from .conftest import ROOT, SEEDS
from .fixtures import PDF_LINES, REPORT, docx_report, html_page, pdf_report

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
TMP_NAME = re.compile(r"^\..+\.xeploai-[^/]+\.tmp$")
MEMORY_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------

def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPLOAI")}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def cli(*args, timeout: float = 300, env: dict | None = None, cwd=None, preexec_fn=None,
        script: list | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess; the result's stderr is text (undecodable bytes backslash-escaped)."""
    command = [sys.executable, *(script or ["-m", "extractor.cli"])]
    command += [a if isinstance(a, bytes) else str(a) for a in args]
    return subprocess.run(command, capture_output=True, timeout=timeout, env=_env(env), cwd=cwd or ROOT,
                          encoding="utf-8", errors="backslashreplace", preexec_fn=preexec_fn)


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def run_main(*args) -> int:
    return main([str(a) for a in args])


def extract_main(*args) -> int:
    return run_main("extract", *args, "--no-progress")


def read_errors(out: Path) -> list[dict]:
    path = out / "errors.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def error_for(out: Path, name: str) -> dict:
    matches = [e for e in read_errors(out) if str(e.get("path", "")).endswith(name)]
    assert matches, f"no errors.jsonl line for {name}: {read_errors(out)}"
    return matches[0]


def outputs(out: Path) -> dict[str, dict]:
    """Every output document in OUT (relative path → parsed document)."""
    docs = {}
    for p in sorted(out.rglob("*.json")):
        if p.is_file() and ".xeploai" not in p.relative_to(out).parts:
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if isinstance(data, dict) and "doc_id" in data and "figures" in data:
                docs[str(p.relative_to(out))] = data
    return docs


def temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.tmp")] if out.exists() else []


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def figures_key(doc: dict) -> list:
    return [(f["category"], f["count"], f["percent"]) for f in doc["figures"]]


def report_variant(i: int) -> str:
    """REPORT with its numbers varied, so that inputs differ."""
    return REPORT.replace("52", str(52 + i)).replace("38", str(38 + i))


def long_text(i: int, size: int = 200_000) -> str:
    base = "\n\n".join(SEED_TEXTS).replace("2017", str(2000 + i % 20)).replace("79", str(10 + i))
    return (base + "\n\n") * (size // len(base.encode("utf-8")) + 1)


def variants(folder: Path, *stems: str) -> Path:
    """A folder of one report variant per stem (``<stem>.txt``), each with other figures."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, stem in enumerate(stems):
        (folder / f"{stem}.txt").write_text(report_variant(i), encoding="utf-8")
    return folder


def make_long_batch(folder: Path, n: int, size: int = 200_000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i:03d}.txt").write_text(long_text(i, size), encoding="utf-8")
    return folder


def sub_and_top(folder: Path) -> Path:
    """Inputs in two places: ``sub/r.txt`` and ``top.txt``."""
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "r.txt").write_text(REPORT, encoding="utf-8")
    (folder / "top.txt").write_text(REPORT, encoding="utf-8")
    return folder


def only_sub_failed(result, out: Path) -> None:
    """The run could not write OUT/sub/r.json, said so in errors.jsonl, and wrote the other output."""
    no_traceback(result)
    assert result.returncode == 1
    assert "cannot write the output" in error_for(out, "r.txt")["reason"]
    assert (out / "top.json").is_file()


@contextlib.contextmanager
def chmod_or_skip(path: Path, mode: int, denied: int, why: str):
    """``path`` with ``mode`` for the block, given back 0o755 after it; the test is skipped when this
    user keeps the ``denied`` access anyway (root)."""
    os.chmod(path, mode)
    try:
        if os.access(path, denied):
            pytest.skip(f"running as root: {why}")
        yield
    finally:
        os.chmod(path, 0o755)


def killed_mid_batch(tmp_path: Path, procs) -> Path:
    """OUT of a batch SIGKILLed once its first output is written."""
    inputs = make_long_batch(tmp_path / "in", 80)
    out = tmp_path / "out"
    p = procs(["extract", inputs, "-o", out, "--no-progress"], stderr_path=tmp_path / "killed.err")
    assert wait_for(lambda: count_outputs(out) >= 1 or p.poll() is not None)
    p.kill()
    p.wait()
    return out


def wait_for(condition, timeout: float = 120, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def count_outputs(out: Path) -> int:
    return len(list(out.glob("doc*.json"))) if out.exists() else 0


def _ppid(pid: int) -> int | None:
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(data[data.rindex(")") + 2:].split()[1])


def _state(pid: int) -> str | None:
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()[0]


def alive(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")


def descendants(pid: int) -> list[int]:
    """The live descendants of ``pid`` (via /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _ppid(int(entry))
            if ppid is not None:
                parents[int(entry)] = ppid
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found.append(child)
                frontier.append(child)
    return [p for p in found if alive(p)]


def _is_ours(pid: int) -> bool:
    try:
        return b"extractor" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture
def procs():
    """Processes started by a test; whatever is left of them is killed (by pid) at teardown."""
    started: list[subprocess.Popen] = []
    extra: list[int] = []

    def start(args, *, stderr_path: Path, new_session: bool = False, env: dict | None = None):
        handle = open(stderr_path, "w", encoding="utf-8")
        p = subprocess.Popen([sys.executable, "-m", "extractor.cli", *map(str, args)], stdout=subprocess.DEVNULL,
                             stderr=handle, env=_env(env), cwd=ROOT, start_new_session=new_session)
        handle.close()
        started.append(p)
        return p

    start.track = extra.append
    yield start
    for p in started:
        extra.extend(descendants(p.pid))
        if p.poll() is None:
            p.kill()
            p.wait()
    for pid in extra:
        if alive(pid) and _is_ours(pid):
            os.kill(pid, signal.SIGKILL)


class _FailingWrites:
    """A file object whose writes fail as on a full disk."""

    def __init__(self, inner):
        self._inner = inner

    def write(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    writelines = write

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._inner.close()
        return False

    def __iter__(self):
        return iter(self._inner)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def patch_file_opening(monkeypatch, on_open):
    """Route every open() (builtins, io, _io, os.open, os.write) through ``on_open(path, mode, opener)``."""
    real_open, real_os_open, real_write = io.open, os.open, os.write

    def fake_open(file, mode="r", *args, **kwargs):
        name = _fd_path(file) if isinstance(file, int) else os.fsdecode(os.fspath(file))
        return on_open(name, mode, lambda: real_open(file, mode, *args, **kwargs))

    def fake_os_open(path, flags, *args, **kwargs):
        name = os.fsdecode(os.fspath(path))
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        return on_open(name, "w" if writing else "r", lambda: real_os_open(path, flags, *args, **kwargs), raw=True)

    def fake_write(fd, data):
        name = _fd_path(fd)
        result = on_open(name, "w", None, raw_write=True)
        if result is _FAIL:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    for module in (builtins, io, _io):
        monkeypatch.setattr(module, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "write", fake_write)


_FAIL = object()


def full_disk_for(marker: str):
    """An on_open hook: writes to any file whose name contains ``marker`` fail with ENOSPC."""

    def on_open(name, mode, opener, raw=False, raw_write=False):
        hit = marker in os.path.basename(name) and any(c in mode for c in "wax+")
        if raw_write:
            return _FAIL if hit else None
        handle = opener()
        if hit and not raw:
            return _FailingWrites(handle)
        return handle

    return on_open


def real_document(tmp_path: Path, text: str = REPORT, name: str = "report.txt") -> dict:
    """A real output document (extracted now) as JSON."""
    src = tmp_path / "real-in"
    src.mkdir(exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "real-out"
    assert extract_main(src / name, "-o", out) == 0
    return json.loads((out / (Path(name).stem + ".json")).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------------
# extract: output names and collisions
# ----------------------------------------------------------------------------------------------------

class TestOutputNames:
    def test_suffix_collision_in_one_folder_keeps_both(self, tmp_path, capsys):
        """Attack: a.txt and a.html in one folder would both become OUT/a.json."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "a.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "a.html").write_bytes(html_page())
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        assert not (out / "a.json").exists()
        txt = json.loads((out / "a.txt.json").read_text(encoding="utf-8"))
        page = json.loads((out / "a.html.json").read_text(encoding="utf-8"))
        assert (txt["doc_id"], page["doc_id"]) == ("a.txt", "a.html")
        assert txt["format"] == "text" and page["format"] == "html"
        assert "2 written" in capsys.readouterr().err

    def test_same_relative_path_in_two_folder_arguments(self, tmp_path, capsys):
        """Attack: d1/r.txt and d2/r.txt given as `d1 d2` would both become OUT/r.json."""
        for i, d in enumerate(("d1", "d2")):
            (tmp_path / d).mkdir()
            (tmp_path / d / "r.txt").write_text(report_variant(i), encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(tmp_path / "d1", tmp_path / "d2", "-o", out) == 0
        one = json.loads((out / "d1" / "r.json").read_text(encoding="utf-8"))
        two = json.loads((out / "d2" / "r.json").read_text(encoding="utf-8"))
        assert (one["doc_id"], two["doc_id"]) == ("d1/r", "d2/r")
        assert one["input_sha256"] == sha256(tmp_path / "d1" / "r.txt")
        assert two["input_sha256"] == sha256(tmp_path / "d2" / "r.txt")
        assert "2 written" in capsys.readouterr().err

    def test_two_direct_files_with_one_stem_never_overwrite(self, tmp_path, capsys):
        """Attack: x/r.txt and y/r.txt given as files would both become OUT/r.json."""
        paths = []
        for i, d in enumerate(("x", "y")):
            (tmp_path / d).mkdir()
            p = tmp_path / d / "r.txt"
            p.write_text(report_variant(i), encoding="utf-8")
            paths.append(p)
        out = tmp_path / "out"
        assert extract_main(*paths, "-o", out) == 0
        shas = sorted(d["input_sha256"] for d in outputs(out).values())
        assert shas == sorted(sha256(p) for p in paths)
        assert "2 written" in capsys.readouterr().err

    def test_names_that_differ_only_by_suffix_case(self, tmp_path):
        """Attack: a.txt and a.TXT in one folder (distinct files on Linux) collide on a.json."""
        inputs = variants(tmp_path / "in", "a")
        (inputs / "a.TXT").write_text(report_variant(1), encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        shas = sorted(d["input_sha256"] for d in outputs(out).values())
        assert shas == sorted([sha256(inputs / "a.txt"), sha256(inputs / "a.TXT")])

    def test_duplicate_path_on_the_command_line(self, tmp_path, capsys):
        """Attack: the same file given twice on the command line."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f, f, "-o", out) == 0
        docs = outputs(out)
        assert docs and all(d["input_sha256"] == sha256(f) for d in docs.values())
        assert f"{len(docs)} written" in capsys.readouterr().err
        assert not read_errors(out)

    def test_same_file_through_two_folders(self, tmp_path, capsys):
        """Attack: one folder given twice, once through a symlink to it (the same files, two folder arguments)."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "r.txt").write_text(REPORT, encoding="utf-8")
        link = tmp_path / "alias"
        link.symlink_to(inputs, target_is_directory=True)
        out = tmp_path / "out"
        assert extract_main(inputs, link, "-o", out) == 0
        docs = outputs(out)
        assert docs and all(d["input_sha256"] == sha256(inputs / "r.txt") for d in docs.values())
        assert f"{len(docs)} written" in capsys.readouterr().err

    def test_a_direct_file_gets_its_stem(self, tmp_path):
        """Attack (baseline): a file given directly is OUT/<stem>.json with doc_id the stem."""
        f = tmp_path / "Báo cáo 2021.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 0
        assert json.loads((out / "Báo cáo 2021.json").read_text(encoding="utf-8"))["doc_id"] == "Báo cáo 2021"


# ----------------------------------------------------------------------------------------------------
# extract: lock and temporaries
# ----------------------------------------------------------------------------------------------------

class TestLockAndTemporaries:
    def test_second_run_into_a_locked_out_exits_2(self, tmp_path, procs):
        """Attack: a second extract into an OUT that a running extract holds."""
        inputs = make_long_batch(tmp_path / "in", 80)
        out = tmp_path / "out"
        first = procs(["extract", inputs, "-o", out, "--no-progress"], stderr_path=tmp_path / "first.err")
        assert wait_for(lambda: count_outputs(out) >= 1 or first.poll() is not None)
        assert first.poll() is None, "the first run ended too early"
        small = tmp_path / "small.txt"
        small.write_text(REPORT, encoding="utf-8")
        second = cli("extract", small, "-o", out, "--no-progress")
        assert first.poll() is None
        no_traceback(second)
        assert second.returncode == 2
        assert "in use by another xeploai run" in second.stderr
        assert not (out / "small.json").exists()

    def test_concurrent_runs_into_one_out(self, tmp_path, procs):
        """Attack: two extract runs started together into one OUT."""
        inputs = make_long_batch(tmp_path / "in", 8)
        out = tmp_path / "out"
        runs = [procs(["extract", inputs, "-o", out, "--no-progress"], stderr_path=tmp_path / f"{i}.err")
                for i in range(2)]
        codes = sorted(p.wait(timeout=300) for p in runs)
        errs = [(tmp_path / f"{i}.err").read_text(encoding="utf-8") for i in range(2)]
        assert all("Traceback" not in e for e in errs), errs
        assert codes == [0, 2], errs
        assert any("in use by another xeploai run" in e for e in errs)
        assert sorted(outputs(out)) == [f"doc{i:03d}.json" for i in range(8)]

    def test_lock_of_a_killed_run_is_not_in_use(self, tmp_path, procs):
        """Attack: the lock left by a SIGKILLed run must not block the next run."""
        out = killed_mid_batch(tmp_path, procs)
        small = tmp_path / "small.txt"
        small.write_text(REPORT, encoding="utf-8")
        again = cli("extract", small, "-o", out, "--no-progress")
        no_traceback(again)
        assert again.returncode == 0, again.stderr
        assert (out / "small.json").is_file()
        assert not [p for p in temporaries(out) if TMP_NAME.match(p.name)]

    def test_stale_xeploai_temporaries_are_removed(self, tmp_path):
        """Attack: temporaries of a killed run (`.<name>.xeploai-<random>.tmp`) left in OUT."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        (out / "sub").mkdir(parents=True)
        stale = [out / ".r.json.xeploai-k3j4h5.tmp", out / "sub" / ".x.json.xeploai-0a1b2c.tmp"]
        for p in stale:
            p.write_text('{"half": ', encoding="utf-8")
        assert extract_main(f, "-o", out) == 0
        assert not any(p.exists() for p in stale)

    def test_user_files_in_out_are_never_touched(self, tmp_path):
        """Attack: a user's OUT/.notes.tmp, OUT/sub/.x.tmp and other files beside the outputs."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        (out / "sub").mkdir(parents=True)
        mine = {out / ".notes.tmp": "my notes", out / "sub" / ".x.tmp": "keep", out / "notes.txt": "n",
                out / ".hidden": "h", out / "sub" / "draft.tmp": "d"}
        for p, content in mine.items():
            p.write_text(content, encoding="utf-8")
        assert extract_main(f, "-o", out) == 0
        for p, content in mine.items():
            assert p.is_file() and p.read_text(encoding="utf-8") == content, p

    def test_temporaries_are_named_as_the_spec_says(self, tmp_path, monkeypatch):
        """Attack: watch every rename into OUT; each temporary is `.<name>.xeploai-<random>.tmp`."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        for i in range(3):
            (inputs / f"r{i}.txt").write_text(report_variant(i), encoding="utf-8")
        out = tmp_path / "out"
        seen = []
        for name in ("replace", "rename"):
            real = getattr(os, name)

            def spy(src, dst, *a, _real=real, **k):
                seen.append((os.fsdecode(src), os.fsdecode(dst)))
                return _real(src, dst, *a, **k)

            monkeypatch.setattr(os, name, spy)
        assert extract_main(inputs, "-o", out) == 0
        into_out = [(s, d) for s, d in seen if d.startswith(str(out)) and d.endswith(".json")]
        assert {Path(d).name for _, d in into_out} >= {"r0.json", "r1.json", "r2.json"}
        for src, dst in into_out:
            assert TMP_NAME.match(Path(src).name) and Path(src).name.startswith("." + Path(dst).name), src

    def test_no_temporary_left_after_a_run(self, tmp_path):
        """Attack (baseline): a normal run with failures leaves no temporary in OUT."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "empty.txt").write_bytes(b"")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 1
        assert temporaries(out) == []


# ----------------------------------------------------------------------------------------------------
# extract: resume, extractor_build and the patterns folder
# ----------------------------------------------------------------------------------------------------

@pytest.fixture
def one_input(tmp_path):
    f = tmp_path / "in" / "r.txt"
    f.parent.mkdir()
    f.write_text(REPORT, encoding="utf-8")
    return f, tmp_path / "out"


class TestResume:
    def test_output_records_input_sha256_and_extractor_build(self, one_input):
        """Attack: an output that cannot prove which input and which extractor made it."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        doc = json.loads((out / "r.json").read_text(encoding="utf-8"))
        assert doc["input_sha256"] == sha256(f)
        assert isinstance(doc.get("extractor_build"), str) and len(doc["extractor_build"]) >= 8

    def test_rerun_skips_unchanged_inputs(self, one_input, capsys):
        """Attack: a re-run must not rewrite current outputs."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        before = (out / "r.json").stat().st_mtime_ns
        capsys.readouterr()
        assert extract_main(f, "-o", out) == 0
        assert "0 written, 1 unchanged" in capsys.readouterr().err
        assert (out / "r.json").stat().st_mtime_ns == before

    def test_changed_input_is_reextracted(self, one_input, capsys):
        """Attack: an input edited between runs."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        f.write_text(report_variant(3), encoding="utf-8")
        capsys.readouterr()
        assert extract_main(f, "-o", out) == 0
        assert "1 written" in capsys.readouterr().err
        assert json.loads((out / "r.json").read_text(encoding="utf-8"))["input_sha256"] == sha256(f)

    def test_force_reextracts(self, one_input, capsys):
        """Attack: --force must redo current outputs."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        capsys.readouterr()
        assert run_main("extract", f, "-o", out, "--force", "--no-progress") == 0
        assert "1 written, 0 unchanged" in capsys.readouterr().err

    def test_output_from_another_build_is_reextracted(self, one_input, capsys):
        """Attack: an output whose extractor_build is not this one's (an older extractor)."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        target = out / "r.json"
        doc = json.loads(target.read_text(encoding="utf-8"))
        good_build = doc.get("extractor_build")
        doc["extractor_build"] = "0" * 16
        target.write_text(json.dumps(doc), encoding="utf-8")
        capsys.readouterr()
        assert extract_main(f, "-o", out) == 0
        assert "1 written" in capsys.readouterr().err
        assert json.loads(target.read_text(encoding="utf-8"))["extractor_build"] == good_build

    def test_output_with_another_input_hash_is_reextracted(self, one_input, capsys):
        """Attack: an output whose input_sha256 does not match the input."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        target = out / "r.json"
        doc = json.loads(target.read_text(encoding="utf-8"))
        doc["input_sha256"] = "f" * 64
        target.write_text(json.dumps(doc), encoding="utf-8")
        capsys.readouterr()
        assert extract_main(f, "-o", out) == 0
        assert "1 written" in capsys.readouterr().err
        assert json.loads(target.read_text(encoding="utf-8"))["input_sha256"] == sha256(f)

    def test_editing_a_pattern_file_reextracts(self, one_input, tmp_path):
        """Attack: patterns edited (XEPLOAI_PATTERNS copy) must refresh outputs that look current."""
        f, out = one_input
        patterns = tmp_path / "patterns"
        shutil.copytree(ROOT / "patterns", patterns)
        env = {"XEPLOAI_PATTERNS": str(patterns)}
        first = cli("extract", f, "-o", out, "--no-progress", env=env)
        assert first.returncode == 0, first.stderr
        build = json.loads((out / "r.json").read_text(encoding="utf-8")).get("extractor_build")
        words = patterns / "words.yaml"
        words.write_text(words.read_text(encoding="utf-8").replace('unit_after: ["nam",', 'unit_after: ["zqxw", "nam",'),
                         encoding="utf-8")
        second = cli("extract", f, "-o", out, "--no-progress", env=env)
        no_traceback(second)
        assert second.returncode == 0
        assert "1 written, 0 unchanged" in second.stderr
        assert json.loads((out / "r.json").read_text(encoding="utf-8")).get("extractor_build") != build

    def test_patterns_folder_from_the_environment_is_read(self, one_input, tmp_path):
        """Attack: XEPLOAI_PATTERNS pointing at a broken copy must be read (and refused clearly)."""
        f, out = one_input
        patterns = tmp_path / "patterns"
        shutil.copytree(ROOT / "patterns", patterns)
        (patterns / "shapes.yaml").write_text("kind: shapes\nentries: [ {id: broken, pattern: '(((' } ]\n",
                                              encoding="utf-8")
        result = cli("extract", f, "-o", out, "--no-progress", env={"XEPLOAI_PATTERNS": str(patterns)})
        no_traceback(result)
        assert result.returncode == 2
        assert "shapes.yaml" in result.stderr


# ----------------------------------------------------------------------------------------------------
# extract: manifest and stale outputs
# ----------------------------------------------------------------------------------------------------

def manifest(out: Path) -> list[dict]:
    path = out / ".xeploai" / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stale_lines(out: Path) -> list[dict]:
    path = out / "stale.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class TestManifestAndStale:
    def test_manifest_has_one_line_per_output(self, tmp_path):
        """Attack: outputs whose provenance the batch did not record."""
        inputs = tmp_path / "in"
        (inputs / "sub").mkdir(parents=True)
        (inputs / "a.txt").write_text(report_variant(0), encoding="utf-8")
        (inputs / "sub" / "b.txt").write_text(report_variant(1), encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        lines = {line["output"]: line for line in manifest(out)}
        assert set(lines) == {"a.json", "sub/b.json"}
        for rel, src in (("a.json", inputs / "a.txt"), ("sub/b.json", inputs / "sub" / "b.txt")):
            assert lines[rel]["input"] == str(src.resolve())
            assert lines[rel]["input_sha256"] == sha256(src)

    def test_manifest_input_is_absolute_for_a_relative_argument(self, tmp_path):
        """Attack: a relative input path must be recorded as an absolute one."""
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "a.txt").write_text(REPORT, encoding="utf-8")
        result = cli("extract", "in", "-o", "out", "--no-progress", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (line,) = manifest(tmp_path / "out")
        assert os.path.isabs(line["input"]) and Path(line["input"]) == (tmp_path / "in" / "a.txt").resolve()

    def test_deleted_input_is_listed_stale_and_kept(self, tmp_path, capsys):
        """Attack: an input deleted after its output was written."""
        inputs = variants(tmp_path / "in", "a", "b")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        (inputs / "b.txt").unlink()
        capsys.readouterr()
        assert extract_main(inputs, "-o", out) == 0
        err = capsys.readouterr().err
        assert (out / "b.json").is_file()
        (line,) = stale_lines(out)
        assert line["output"] == "b.json" and line["input"].endswith("b.txt") and line["reason"]
        assert re.search(r"\b1 stale\b", err), err

    def test_changed_input_not_in_this_run_is_listed_stale(self, tmp_path):
        """Attack: an input changed since its output, but not given to this run."""
        a, b = tmp_path / "a.txt", tmp_path / "b.txt"
        a.write_text(report_variant(0), encoding="utf-8")
        b.write_text(report_variant(1), encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(a, b, "-o", out) == 0
        a.write_text(report_variant(5), encoding="utf-8")
        assert extract_main(b, "-o", out) == 0
        (line,) = stale_lines(out)
        assert line["output"] == "a.json" and line["reason"]
        assert (out / "a.json").is_file()

    def test_no_stale_listed_when_all_current(self, tmp_path):
        """Attack (baseline): nothing is reported stale after a clean run."""
        f = tmp_path / "a.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 0
        assert extract_main(f, "-o", out) == 0
        assert stale_lines(out) == []


# ----------------------------------------------------------------------------------------------------
# extract: failures go to errors.jsonl, the rest goes on
# ----------------------------------------------------------------------------------------------------

class TestFailures:
    @pytest.mark.parametrize("where", ["file-in-folder", "sub-folder", "direct-argument"])
    def test_file_name_not_utf8(self, tmp_path, where):
        """Attack: a path with bytes that are not UTF-8 (file name, folder name, or given directly)."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        base = os.fsencode(inputs)
        bad = base + (b"/sub\xfe/r.txt" if where == "sub-folder" else b"/bad\xff.txt")
        if where == "sub-folder":
            os.mkdir(base + b"/sub\xfe")
        with open(bad, "wb") as handle:
            handle.write(REPORT.encode("utf-8"))
        out = tmp_path / "out"
        args = [bad, inputs / "good.txt"] if where == "direct-argument" else [inputs]
        result = cli("extract", *args, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 1
        escaped = r"\xfe" if where == "sub-folder" else r"\xff"
        lines = [e for e in read_errors(out) if escaped in e["path"]]
        assert len(lines) == 1 and lines[0]["reason"], read_errors(out)
        assert escaped in result.stderr
        assert (out / "good.json").is_file()

    def test_unreadable_subfolder_chmod(self, tmp_path):
        """Attack: a sub-folder with mode 000 (needs a non-root user)."""
        inputs = tmp_path / "in"
        (inputs / "locked").mkdir(parents=True)
        (inputs / "locked" / "r.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        with chmod_or_skip(inputs / "locked", 0, os.R_OK | os.X_OK,
                           "chmod 000 does not stop this user from listing a folder"):
            out = tmp_path / "out"
            result = cli("extract", inputs, "-o", out, "--no-progress")
            no_traceback(result)
            assert result.returncode == 1
            assert "cannot list the folder" in error_for(out, "locked")["reason"]
            assert (out / "good.json").is_file()

    def test_unreadable_subfolder_simulated(self, tmp_path, monkeypatch, capsys):
        """Attack: listing a sub-folder fails with EACCES (simulated in-process, works as root)."""
        inputs = tmp_path / "in"
        (inputs / "locked").mkdir(parents=True)
        (inputs / "locked" / "r.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        locked = str(inputs / "locked")
        real_scandir, real_listdir = os.scandir, os.listdir

        def is_locked(path) -> bool:
            name = _fd_path(path) if isinstance(path, int) else os.fsdecode(os.fspath(path)) if path is not None else "."
            return os.path.abspath(name) == locked

        def scandir(path="."):
            if is_locked(path):
                raise PermissionError(errno.EACCES, "Permission denied", locked)
            return real_scandir(path)

        def listdir(path="."):
            if is_locked(path):
                raise PermissionError(errno.EACCES, "Permission denied", locked)
            return real_listdir(path)

        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "listdir", listdir)
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 1
        assert "cannot list the folder" in error_for(out, "locked")["reason"]
        assert (out / "good.json").is_file()

    def test_full_disk_for_one_output(self, tmp_path, monkeypatch):
        """Attack: writing one output fails with ENOSPC (a full disk, simulated in-process)."""
        inputs = variants(tmp_path / "in", "victim", "fine")
        out = tmp_path / "out"
        patch_file_opening(monkeypatch, full_disk_for("victim"))
        status = extract_main(inputs, "-o", out, "--workers", "1")
        monkeypatch.undo()
        assert status == 1
        assert "cannot write the output" in error_for(out, "victim.txt")["reason"]
        assert (out / "fine.json").is_file()
        assert not (out / "victim.json").exists()

    def test_full_disk_leaves_no_temporary(self, tmp_path, monkeypatch):
        """Attack: after an ENOSPC on an output, no temporary or partial file stays in OUT."""
        f = tmp_path / "victim.txt"
        f.write_text(REPORT, encoding="utf-8")
        g = tmp_path / "other.txt"
        g.write_text(report_variant(1), encoding="utf-8")
        out = tmp_path / "out"
        patch_file_opening(monkeypatch, full_disk_for("victim"))
        try:
            extract_main(f, g, "-o", out, "--workers", "1")
        finally:
            monkeypatch.undo()
        assert temporaries(out) == []
        assert not (out / "victim.json").exists()

    def test_full_disk_for_everything(self, tmp_path, monkeypatch, capsys):
        """Attack: every write into OUT fails with ENOSPC, errors.jsonl included: no crash, a failing status."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        out.mkdir()

        def on_open(name, mode, opener, raw=False, raw_write=False):
            hit = name.startswith(str(out)) and any(c in mode for c in "wax+")
            if raw_write:
                return _FAIL if hit else None
            handle = opener()
            return _FailingWrites(handle) if hit and not raw else handle

        patch_file_opening(monkeypatch, on_open)
        try:
            status = extract_main(f, "-o", out, "--workers", "1")
        finally:
            monkeypatch.undo()
        assert status in (1, 2)
        assert "No space left on device" in capsys.readouterr().err

    def test_unwritable_out_subfolder_is_a_file(self, tmp_path):
        """Attack: OUT/sub is a regular file, so OUT/sub/r.json cannot be written (works as root)."""
        inputs = sub_and_top(tmp_path / "in")
        out = tmp_path / "out"
        out.mkdir()
        (out / "sub").write_text("not a folder", encoding="utf-8")
        only_sub_failed(cli("extract", inputs, "-o", out, "--no-progress"), out)
        assert (out / "sub").read_text(encoding="utf-8") == "not a folder"

    def test_unwritable_out_subfolder_chmod(self, tmp_path):
        """Attack: OUT/sub made read-only with chmod (needs a non-root user)."""
        inputs = sub_and_top(tmp_path / "in")
        out = tmp_path / "out"
        (out / "sub").mkdir(parents=True)
        with chmod_or_skip(out / "sub", 0o555, os.W_OK, "chmod 555 does not stop this user from writing"):
            only_sub_failed(cli("extract", inputs, "-o", out, "--no-progress"), out)

    @pytest.mark.parametrize("name, data, words", [
        ("empty.txt", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 16, "binary"),
        ("zero.docx", b"", "empty"),
    ])
    def test_bad_input_is_one_error_line(self, tmp_path, name, data, words):
        """Attack: an empty file, a binary file or a 0-byte .docx among good inputs."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / name).write_bytes(data)
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 1
        (line,) = read_errors(out)
        assert line["path"].endswith(name) and words in line["reason"]
        assert (out / "good.json").is_file()

    def test_file_over_max_bytes(self, tmp_path):
        """Attack: an input larger than --max-bytes."""
        f = tmp_path / "big.txt"
        f.write_text(REPORT * 20, encoding="utf-8")
        g = tmp_path / "good.txt"
        g.write_text("Năm 2021.", encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f, g, "-o", out, "--max-bytes", "1000") == 1
        assert "too large" in error_for(out, "big.txt")["reason"]
        assert (out / "good.json").is_file()

    def test_max_bytes_of_one(self, tmp_path):
        """Attack: --max-bytes 1 (a one-byte input passes, every other fails)."""
        one = tmp_path / "one.txt"
        one.write_bytes(b"7")
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", one, f, "-o", out, "--max-bytes", "1", "--no-progress")
        no_traceback(result)
        assert result.returncode == 1
        assert "too large" in error_for(out, "r.txt")["reason"]
        assert (out / "one.json").is_file()

    @pytest.mark.parametrize("value", ["0", "-1"])
    def test_max_bytes_not_positive_is_usage_error(self, tmp_path, value):
        """Attack: --max-bytes 0 or negative is bad usage."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        result = cli("extract", f, "-o", tmp_path / "out", "--max-bytes", value, "--no-progress")
        no_traceback(result)
        assert result.returncode == 2
        assert "max-bytes" in result.stderr

    def test_no_errors_file_when_nothing_fails(self, tmp_path):
        """Attack: an empty errors.jsonl left after a clean run."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 0
        assert not (out / "errors.jsonl").exists()

    def test_previous_errors_file_removed_when_nothing_fails(self, tmp_path):
        """Attack: errors.jsonl of an earlier run kept after the failures were fixed."""
        f = tmp_path / "r.txt"
        f.write_bytes(b"")
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 1
        assert (out / "errors.jsonl").is_file()
        f.write_text(REPORT, encoding="utf-8")
        assert extract_main(f, "-o", out) == 0
        assert not (out / "errors.jsonl").exists()

    def test_file_deleted_between_listing_and_reading(self, tmp_path, monkeypatch):
        """Attack: a file listed in the folder is gone when it is opened."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "vanish.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")

        def on_open(name, mode, opener, raw=False, raw_write=False):
            if raw_write:
                return None
            if name.endswith("vanish.txt") and os.path.exists(name):
                os.unlink(name)
            return opener()

        patch_file_opening(monkeypatch, on_open)
        out = tmp_path / "out"
        status = extract_main(inputs, "-o", out, "--workers", "1")
        monkeypatch.undo()
        assert status == 1
        assert error_for(out, "vanish.txt")["reason"]
        assert (out / "good.json").is_file()

    def test_damaged_docx_reason_is_recorded(self, tmp_path):
        """Attack: a .docx whose document.xml is not XML ("whatever raised it" is one error line)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(docx_report())) as src, zipfile.ZipFile(buffer, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                dst.writestr(item, b"<w:document><<<" if item.filename == "word/document.xml" else data)
        f = tmp_path / "broken.docx"
        f.write_bytes(buffer.getvalue())
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 1
        reason = error_for(out, "broken.docx")["reason"]
        assert reason and not MEMORY_ADDRESS.search(reason)


# ----------------------------------------------------------------------------------------------------
# extract: odd files, paths and text
# ----------------------------------------------------------------------------------------------------

class TestOddInputs:
    def test_symlink_to_dev_zero_in_a_folder(self, tmp_path):
        """Attack: a .txt symlink to /dev/zero inside an input folder (endless bytes)."""
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero on this machine")
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "zero.txt").symlink_to("/dev/zero")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", inputs, "-o", out, "--no-progress", timeout=300)
        no_traceback(result)
        assert result.returncode in (0, 1)
        assert (out / "good.json").is_file() and not (out / "zero.json").exists()

    def test_symlink_to_dev_zero_given_directly(self, tmp_path):
        """Attack: /dev/zero (through a .txt symlink) given as an input file."""
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero on this machine")
        link = tmp_path / "zero.txt"
        link.symlink_to("/dev/zero")
        out = tmp_path / "out"
        result = cli("extract", link, "-o", out, "--no-progress", timeout=300)
        no_traceback(result)
        assert result.returncode == 1
        assert error_for(out, "zero.txt")["reason"]

    def test_fifo_in_a_folder_does_not_hang(self, tmp_path):
        """Attack: a named pipe called r.txt inside an input folder (opening it would block)."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        os.mkfifo(inputs / "pipe.txt")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", inputs, "-o", out, "--no-progress", timeout=120)
        no_traceback(result)
        assert result.returncode in (0, 1)
        assert (out / "good.json").is_file()

    def test_fifo_given_directly(self, tmp_path):
        """Attack: a named pipe given as an input file."""
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)
        out = tmp_path / "out"
        result = cli("extract", fifo, "-o", out, "--no-progress", timeout=120)
        no_traceback(result)
        assert result.returncode == 1
        assert error_for(out, "pipe.txt")["reason"]
        assert "pipe.txt" in result.stderr

    def test_symlink_loop_to_its_own_folder(self, tmp_path):
        """Attack: a folder holding a symlink to itself (endless recursion)."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "r.txt").write_text(REPORT, encoding="utf-8")
        (inputs / "loop").symlink_to(inputs, target_is_directory=True)
        out = tmp_path / "out"
        result = cli("extract", inputs, "-o", out, "--no-progress", timeout=300)
        no_traceback(result)
        assert result.returncode == 0
        assert (out / "r.json").is_file()
        assert all(len(Path(p).parts) <= 2 for p in outputs(out))

    def test_symlink_to_a_folder_outside(self, tmp_path, capsys):
        """Attack: a folder holding a symlink to another folder."""
        inputs, other = tmp_path / "in", tmp_path / "other"
        inputs.mkdir()
        other.mkdir()
        (inputs / "a.txt").write_text(report_variant(0), encoding="utf-8")
        (other / "b.txt").write_text(report_variant(1), encoding="utf-8")
        (inputs / "link").symlink_to(other, target_is_directory=True)
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        docs = outputs(out)
        assert "a.json" in docs
        assert f"{len(docs)} written" in capsys.readouterr().err

    def test_dangling_symlink_given_directly(self, tmp_path):
        """Attack: an input that is a symlink to nothing."""
        link = tmp_path / "gone.txt"
        link.symlink_to(tmp_path / "nowhere.txt")
        out = tmp_path / "out"
        result = cli("extract", link, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 1
        assert error_for(out, "gone.txt")["reason"]

    @pytest.mark.parametrize("name", ["with spaces/báo cáo năm 2021.txt", "new\nline/a\nb.txt",
                                      "Đảng bộ Tân Lạc/Kết quả xếp loại.txt", "Đa\u0300ng NFD/Ke\u0302\u0301t qua\u0309.txt"])
    def test_odd_path_names(self, tmp_path, name):
        """Attack: input paths with spaces, newlines, Vietnamese letters (NFC and NFD)."""
        f = tmp_path / "in" / name
        f.parent.mkdir(parents=True)
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", tmp_path / "in", "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 0, result.stderr
        doc = json.loads((out / Path(name).with_suffix(".json")).read_text(encoding="utf-8"))
        assert doc["doc_id"] == Path(name).stem and doc["figures"]
        assert "1 written" in result.stderr and not read_errors(out)

    @pytest.mark.parametrize("length", [240, 255])
    def test_extremely_long_file_name(self, tmp_path, length):
        """Attack: a file name near the 255-byte limit (output or temporary name too long)."""
        name = "a" * (length - 4) + ".txt"
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / name).write_text(REPORT, encoding="utf-8")
        (inputs / "good.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", inputs, "-o", out, "--no-progress")
        no_traceback(result)
        assert (out / "good.json").is_file()
        if result.returncode == 1:
            assert error_for(out, name)["reason"]
        else:
            assert result.returncode == 0
            assert len(outputs(out)) == 2
        assert temporaries(out) == []

    def test_text_of_only_combining_marks(self, tmp_path):
        """Attack: a .txt that holds only combining marks."""
        f = tmp_path / "marks.txt"
        f.write_text("\u0301\u0300\u0323\u0309\u0303" * 4000, encoding="utf-8")
        outs = [tmp_path / "o1", tmp_path / "o2"]
        results = [cli("extract", f, "-o", o, "--no-progress") for o in outs]
        for r in results:
            no_traceback(r)
            assert r.returncode in (0, 1)
        if results[0].returncode == 0:
            assert (outs[0] / "marks.json").read_bytes() == (outs[1] / "marks.json").read_bytes()
        else:
            assert error_for(outs[0], "marks.txt")["reason"]

    def test_nul_bytes_in_the_middle(self, tmp_path):
        """Attack: a text file with NUL bytes past the first 4 KB."""
        f = tmp_path / "nul.txt"
        data = REPORT.encode("utf-8") + b"x" * 5000 + b"\x00\x00" + REPORT.encode("utf-8")
        f.write_bytes(data)
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--no-progress")
        no_traceback(result)
        if result.returncode == 1:
            assert error_for(out, "nul.txt")["reason"]
        else:
            assert result.returncode == 0
            doc = json.loads((out / "nul.json").read_text(encoding="utf-8"))
            text = doc.get("text") or data.decode("utf-8")
            for fig in doc["figures"]:
                assert text[fig["evidence"]["start"]:fig["evidence"]["end"]] == fig["evidence"]["text"]

    @pytest.mark.parametrize("newline", ["\r\n", "\r"])
    def test_crlf_and_cr_only_files(self, tmp_path, newline):
        """Attack: Windows (CRLF) and old-Mac (CR only) line ends."""
        f = tmp_path / "r.txt"
        text = REPORT.replace("\n", newline)
        f.write_bytes(text.encode("utf-8"))
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 0
        doc = json.loads((out / "r.json").read_text(encoding="utf-8"))
        plain = real_document(tmp_path)
        assert figures_key(doc) == figures_key(plain)
        for fig in doc["figures"]:
            assert text[fig["evidence"]["start"]:fig["evidence"]["end"]] == fig["evidence"]["text"]

    def test_html_that_is_a_pdf(self, tmp_path):
        """Attack: a .html file holding PDF bytes."""
        f = tmp_path / "page.html"
        f.write_bytes(pdf_report(PDF_LINES))
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode in (0, 1)
        if result.returncode == 1:
            assert not MEMORY_ADDRESS.search(error_for(out, "page.html")["reason"])

    @pytest.mark.parametrize("name, data", [("text.docx", REPORT.encode("utf-8")), ("page.pdf", html_page())])
    def test_file_whose_suffix_lies(self, tmp_path, name, data):
        """Attack: a .docx that is plain text, a .pdf that is a web page."""
        f = tmp_path / name
        f.write_bytes(data)
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 1
        reason = error_for(out, name)["reason"]
        assert reason and not MEMORY_ADDRESS.search(reason)

    @pytest.mark.parametrize("kind", ["zeros-as-document", "zeros-extra-member", "huge-valid-xml"])
    def test_docx_zip_bomb(self, tmp_path, kind):
        """Attack: a .docx with a ~200 MB uncompressed member (zip bomb), under a 1 GiB memory limit."""
        src = zipfile.ZipFile(io.BytesIO(docx_report()))
        document = src.read("word/document.xml")
        cut = document.index(b"<w:body>") + len(b"<w:body>")
        f = tmp_path / "bomb.docx"
        size = 200_000_000
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for item in src.infolist():
                if item.filename == "word/document.xml" and kind != "zeros-extra-member":
                    with z.open(item.filename, "w", force_zip64=True) as w:
                        if kind == "huge-valid-xml":
                            w.write(document[:cut])
                            chunk = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 30000
                        else:
                            chunk = b"\0" * 1_000_000
                        written = 0
                        while written < size:
                            w.write(chunk)
                            written += len(chunk)
                        if kind == "huge-valid-xml":
                            w.write(document[cut:])
                else:
                    z.writestr(item, src.read(item.filename))
            if kind == "zeros-extra-member":
                with z.open("word/media/zeros.bin", "w", force_zip64=True) as w:
                    for _ in range(size // 1_000_000):
                        w.write(b"\0" * 1_000_000)
        assert f.stat().st_size < 2_000_000
        out = tmp_path / "out"

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

        result = cli("extract", f, "-o", out, "--no-progress", preexec_fn=limit, timeout=300)
        no_traceback(result)
        assert result.returncode == 1
        assert "uncompressed content too large" in error_for(out, "bomb.docx")["reason"]

    @pytest.mark.parametrize("damage", ["truncated", "garbage-after-header", "bad-xref", "startxref-wrong"])
    def test_damaged_pdf(self, tmp_path, damage):
        """Attack: a damaged PDF (truncated, garbage after %PDF-, bad xref table, wrong startxref): a clear
        error, or the damage repaired with the whole text, and no noise from the reader either way."""
        import random

        good = pdf_report(PDF_LINES)
        rnd = random.Random(7)
        x = good.index(b"xref")
        data = {
            "truncated": good[:len(good) // 2],
            "garbage-after-header": b"%PDF-1.4\n" + bytes(rnd.randrange(256) for _ in range(4000)),
            "bad-xref": good[:x] + b"xref\n0 6\n" + b"".join(b"%010d 00000 n \n" % rnd.randrange(10**9)
                                                            for _ in range(6))
            + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n999999\n%%EOF\n",
            "startxref-wrong": re.sub(rb"startxref\n\d+", b"startxref\n17", good),
        }[damage]
        f = tmp_path / "damaged.pdf"
        f.write_bytes(data)
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.stderr.count("\n") == (1 if result.returncode == 0 else 2), result.stderr  # no reader noise
        if result.returncode == 0:  # the reader repaired the damage: the text must be the good file's, whole
            (tmp_path / "good.pdf").write_bytes(good)
            assert extract_main(tmp_path / "good.pdf", "-o", tmp_path / "good-out") == 0
            repaired = json.loads((out / "damaged.json").read_text(encoding="utf-8"))
            whole = json.loads((tmp_path / "good-out" / "good.json").read_text(encoding="utf-8"))
            assert repaired["text"] == whole["text"] and repaired["figures"] == whole["figures"]
            return
        assert result.returncode == 1
        reason = error_for(out, "damaged.pdf")["reason"]
        assert len(reason) > 5 and not MEMORY_ADDRESS.search((out / "errors.jsonl").read_text(encoding="utf-8"))

    def test_htm_pages_have_format_html(self, tmp_path):
        """Attack: a saved page with the .htm suffix."""
        f = tmp_path / "page.htm"
        f.write_bytes(html_page())
        out = tmp_path / "out"
        assert extract_main(f, "-o", out) == 0
        assert json.loads((out / "page.json").read_text(encoding="utf-8"))["format"] == "html"


# ----------------------------------------------------------------------------------------------------
# extract: OUT and usage
# ----------------------------------------------------------------------------------------------------

class TestOutAndUsage:
    def test_out_that_is_a_file(self, tmp_path):
        """Attack: -o names an existing regular file."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        target = tmp_path / "out.json"
        target.write_text("keep", encoding="utf-8")
        result = cli("extract", f, "-o", target, "--no-progress")
        no_traceback(result)
        assert result.returncode == 2
        assert str(target) in result.stderr
        assert target.read_text(encoding="utf-8") == "keep"

    def test_out_below_a_file(self, tmp_path):
        """Attack: -o names a folder whose parent is a regular file."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        (tmp_path / "afile").write_text("x", encoding="utf-8")
        target = tmp_path / "afile" / "out"
        result = cli("extract", f, "-o", target, "--no-progress")
        no_traceback(result)
        assert result.returncode == 2
        assert str(target) in result.stderr

    def test_read_only_out(self, tmp_path):
        """Attack: OUT made read-only with chmod (needs a non-root user)."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        out.mkdir()
        with chmod_or_skip(out, 0o555, os.W_OK, "chmod 555 does not stop this user from writing"):
            result = cli("extract", f, "-o", out, "--no-progress")
            no_traceback(result)
            assert result.returncode == 2
            assert str(out) in result.stderr

    @pytest.mark.parametrize("workers", ["0", "-1", "-8"])
    def test_workers_not_positive(self, tmp_path, workers):
        """Attack: --workers 0 or negative."""
        f = tmp_path / "r.txt"
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        result = cli("extract", f, "-o", out, "--workers", workers, "--no-progress")
        no_traceback(result)
        assert result.returncode == 2
        assert "workers" in result.stderr and not (out / "r.json").exists()

    def test_out_nested_inside_the_input_folder(self, tmp_path, capsys):
        """Attack: OUT inside the input folder, holding a review page (.html) the tool wrote."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "a.txt").write_text(REPORT, encoding="utf-8")
        out = inputs / "out"
        assert extract_main(inputs, "-o", out) == 0
        assert run_main("review", out, "-o", out / "review.html") == 0
        capsys.readouterr()
        assert extract_main(inputs, "-o", out) == 0
        assert "0 written, 1 unchanged" in capsys.readouterr().err
        assert not (out / "out").exists() and not (out / "review.json").exists()

    def test_out_given_as_an_input(self, tmp_path):
        """Attack: OUT itself among the input paths."""
        inputs = tmp_path / "in"
        inputs.mkdir()
        (inputs / "a.txt").write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(inputs, "-o", out) == 0
        assert run_main("review", out, "-o", out / "review.html") == 0
        before = (out / "a.json").read_bytes()
        result = cli("extract", inputs, out, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode in (0, 2)
        assert (out / "a.json").read_bytes() == before
        assert not (out / "review.json").exists() and not (out / "out").exists()


# ----------------------------------------------------------------------------------------------------
# extract: corrupt outputs already in OUT
# ----------------------------------------------------------------------------------------------------

class TestCorruptOutputs:
    @pytest.mark.parametrize("content", [b"[]", b"null", b"{}", b'{"doc_id": "r", "figures": [', b'{"hello": "world"}',
                                         b'"a string"', b"", b"\xff\xfe\x00garbage", b'{"input_sha256": 5}'],
                             ids=["list", "null", "empty-object", "truncated", "not-a-document", "string",
                                  "zero-bytes", "binary", "wrong-types"])
    def test_corrupt_output_is_reextracted(self, one_input, content):
        """Attack: a corrupt OUT/r.json before the run."""
        f, out = one_input
        out.mkdir()
        (out / "r.json").write_bytes(content)
        assert extract_main(f, "-o", out) == 0
        doc = json.loads((out / "r.json").read_text(encoding="utf-8"))
        assert doc["doc_id"] == "r" and doc["input_sha256"] == sha256(f) and doc["figures"]

    def test_corrupt_output_with_the_right_hash_is_reextracted(self, one_input):
        """Attack: an output with the right hashes but figures that are not figures."""
        f, out = one_input
        assert extract_main(f, "-o", out) == 0
        doc = json.loads((out / "r.json").read_text(encoding="utf-8"))
        doc["figures"] = "not a list"
        (out / "r.json").write_text(json.dumps(doc), encoding="utf-8")
        assert extract_main(f, "-o", out) == 0
        assert isinstance(json.loads((out / "r.json").read_text(encoding="utf-8"))["figures"], list)


# ----------------------------------------------------------------------------------------------------
# extract: determinism and pathological text
# ----------------------------------------------------------------------------------------------------

FAKE_CLOCK = r'''
import datetime, sys, time
mode = sys.argv.pop(1)
if mode == "future-date":
    shift = (datetime.date(2039, 12, 31) - datetime.date.today()).days * 86400.0
    class FakeDate(datetime.date):
        @classmethod
        def today(cls):
            return cls(2039, 12, 31)
    class FakeDateTime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2039, 12, 31, 23, 59, 0, tzinfo=tz)
        @classmethod
        def today(cls):
            return cls(2039, 12, 31, 23, 59, 0)
        @classmethod
        def utcnow(cls):
            return cls(2039, 12, 31, 23, 59, 0)
    datetime.date, datetime.datetime = FakeDate, FakeDateTime
    real_time, real_localtime, real_gmtime = time.time, time.localtime, time.gmtime
    time.time = lambda: real_time() + shift
    time.time_ns = lambda: int(time.time() * 1e9)
    time.localtime = lambda s=None: real_localtime(time.time() if s is None else s)
    time.gmtime = lambda s=None: real_gmtime(time.time() if s is None else s)
elif mode == "slow-machine":
    # every clock reading is 1000 s after the previous one: any time budget runs out at once
    state = {"t": 1e6}
    def tick():
        state["t"] += 1000.0
        return state["t"]
    for name in ("monotonic", "perf_counter", "process_time", "thread_time", "time"):
        setattr(time, name, tick)
    for name in ("monotonic_ns", "perf_counter_ns", "process_time_ns", "thread_time_ns", "time_ns"):
        setattr(time, name, lambda: int(tick() * 1e9))
from extractor.cli import main
sys.exit(main(sys.argv[1:]))
'''


@pytest.fixture
def clock_inputs(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in SEEDS:
        shutil.copy(path, inputs / path.name)
    (inputs / "this_year.txt").write_text(
        "Năm nay, Đảng bộ xã Mỹ Hòa có 12 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm 80%). "
        "Kết quả đánh giá năm qua được công bố hôm nay.\n", encoding="utf-8")
    (inputs / "page.html").write_bytes(html_page())
    (inputs / "dots.txt").write_text(REPORT + "." * 3000 + "\n" + REPORT, encoding="utf-8")
    script = tmp_path / "fake_clock.py"
    script.write_text(FAKE_CLOCK, encoding="utf-8")
    return inputs, script


class TestDeterminism:
    @pytest.mark.parametrize("mode", ["future-date", "slow-machine"])
    def test_same_bytes_whatever_the_date_or_load(self, tmp_path, clock_inputs, mode):
        """Attack: today's date in 2039, or a machine so slow every clock reading jumps 1000 s."""
        inputs, script = clock_inputs
        normal = cli("extract", inputs, "-o", tmp_path / "normal", "--no-progress")
        assert normal.returncode == 0, normal.stderr
        faked = cli(mode, "extract", inputs, "-o", tmp_path / "faked", "--no-progress", script=[str(script)])
        no_traceback(faked)
        assert faked.returncode == 0
        names = sorted(outputs(tmp_path / "normal"))
        assert names == sorted(outputs(tmp_path / "faked"))
        for name in names:
            assert (tmp_path / "normal" / name).read_bytes() == (tmp_path / "faked" / name).read_bytes(), name

    def test_same_bytes_with_one_or_two_workers(self, tmp_path, clock_inputs):
        """Attack: the number of workers must not change a byte."""
        inputs, _ = clock_inputs
        one = cli("extract", inputs, "-o", tmp_path / "one", "--workers", "1", "--no-progress")
        two = cli("extract", inputs, "-o", tmp_path / "two", "--workers", "2", "--no-progress")
        assert one.returncode == two.returncode == 0, (one.stderr, two.stderr)
        for name in outputs(tmp_path / "one"):
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def _figure_lines() -> str:
    lines, size, i = [], 0, 0
    while size < 4 * 1024 * 1024:
        line = f"{i % 97 + 1} tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ (chiếm {i % 100},5%);\n"
        lines.append(line)
        size += len(line.encode("utf-8"))
        i += 1
    return "".join(lines)


PATHOLOGICAL = {
    "dots": lambda: "." * 20000,
    "ellipsis": lambda: "…" * 20000,
    "exclaim_question": lambda: "!?" * 10000,
    "digits": lambda: "0123456789" * (1024 * 1024 // 10),
    "figure_lines": _figure_lines,
}


@pytest.fixture(scope="module")
def pathological_runs(tmp_path_factory):
    """Two runs side by side over the pathological inputs (one worker each)."""
    folder = tmp_path_factory.mktemp("pathological")
    inputs = folder / "in"
    inputs.mkdir()
    for name, make in PATHOLOGICAL.items():
        (inputs / f"{name}.txt").write_text(make(), encoding="utf-8")
    runs = []
    for i in range(2):
        err = open(folder / f"{i}.err", "w", encoding="utf-8")
        runs.append(subprocess.Popen([sys.executable, "-m", "extractor.cli", "extract", str(inputs), "-o",
                                      str(folder / f"out{i}"), "--no-progress"], stdout=subprocess.DEVNULL,
                                     stderr=err, env=_env(), cwd=ROOT))
        err.close()
    codes = []
    for p in runs:
        try:
            codes.append(p.wait(timeout=300))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            codes.append("timeout")
    errs = [(folder / f"{i}.err").read_text(encoding="utf-8") for i in range(2)]
    return codes, errs, [folder / "out0", folder / "out1"]


SPINNER = "while True:\n    pass\n"


def test_4mb_of_figure_lines_gives_the_same_bytes_quiet_and_busy(tmp_path):
    """Attack: a time budget shared by a document's patterns gave fewer figures on a busy machine. The
    4 MB of figure lines is extracted on a quiet machine, then with every core spinning in other
    processes; the outputs must be the same bytes, with one figure per line."""
    text = _figure_lines()
    f = tmp_path / "in" / "lines.txt"
    f.parent.mkdir()
    f.write_text(text, encoding="utf-8")
    quiet = cli("extract", f, "-o", tmp_path / "quiet", "--no-progress", timeout=600)
    assert quiet.returncode == 0, quiet.stderr
    spinners = [subprocess.Popen([sys.executable, "-c", SPINNER]) for _ in range(os.cpu_count() or 2)]
    try:
        busy = cli("extract", f, "-o", tmp_path / "busy", "--no-progress", timeout=600)
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    assert busy.returncode == 0, busy.stderr
    quiet_bytes = (tmp_path / "quiet" / "lines.json").read_bytes()
    assert (tmp_path / "busy" / "lines.json").read_bytes() == quiet_bytes
    assert len(json.loads(quiet_bytes)["figures"]) == text.count("\n")


class TestPathological:
    @pytest.mark.parametrize("name", list(PATHOLOGICAL))
    def test_pathological_text_finishes_with_the_same_bytes(self, pathological_runs, name):
        """Attack: 20 000 '.', '…' or '!?' with no space, 1 MB of digits, 4 MB of figure lines."""
        codes, errs, outs = pathological_runs
        assert codes == [0, 0], errs
        assert all("Traceback" not in e for e in errs)
        first, second = (o / f"{name}.json" for o in outs)
        assert first.is_file() and first.read_bytes() == second.read_bytes()


# ----------------------------------------------------------------------------------------------------
# extract: Ctrl-C and killed processes
# ----------------------------------------------------------------------------------------------------

def _assert_whole_outputs(out: Path) -> None:
    for p in out.glob("doc*.json"):
        data = json.loads(p.read_text(encoding="utf-8"))
        assert data["doc_id"] == p.stem and isinstance(data["figures"], list)


class TestSignals:
    @pytest.mark.parametrize("workers, group", [(1, False), (2, False), (2, True)],
                             ids=["serial-parent", "pool-parent", "pool-process-group"])
    def test_ctrl_c_during_a_batch(self, tmp_path, procs, workers, group):
        """Attack: SIGINT (Ctrl-C) to a running batch, to the parent or to its whole process group."""
        inputs = make_long_batch(tmp_path / "in", 80)
        out = tmp_path / "out"
        err = tmp_path / "run.err"
        p = procs(["extract", inputs, "-o", out, "--workers", workers, "--no-progress"], stderr_path=err,
                  new_session=group)
        assert wait_for(lambda: count_outputs(out) >= 2 or p.poll() is not None)
        assert p.poll() is None, "the batch ended before it could be interrupted"
        workers = descendants(p.pid)
        for pid in workers:
            procs.track(pid)
        if group:
            os.killpg(p.pid, signal.SIGINT)
        else:
            os.kill(p.pid, signal.SIGINT)
        code = p.wait(timeout=120)
        stderr = err.read_text(encoding="utf-8")
        assert "Traceback" not in stderr, stderr[-3000:]
        assert code == 130
        assert "interrupted" in stderr
        assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=20), "workers outlive the run"
        assert temporaries(out) == []
        _assert_whole_outputs(out)

    def test_sigkill_of_the_parent_stops_all_writing(self, tmp_path, procs):
        """Attack: SIGKILL of the parent while workers run: nothing is written afterwards, no temporary left."""
        inputs = make_long_batch(tmp_path / "in", 80)
        out = tmp_path / "out"
        p = procs(["extract", inputs, "-o", out, "--workers", "2", "--no-progress"], stderr_path=tmp_path / "run.err")
        assert wait_for(lambda: count_outputs(out) >= 2 or p.poll() is not None)
        assert p.poll() is None
        workers = descendants(p.pid)
        for pid in workers:
            procs.track(pid)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()

        def snapshot():
            return {str(q.relative_to(out)): (q.stat().st_size, q.stat().st_mtime_ns)
                    for q in out.rglob("*") if q.is_file() and not q.name.endswith(".tmp")}

        at_kill = snapshot()
        assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=20), "workers outlive the parent"
        time.sleep(0.5)
        assert snapshot() == at_kill
        assert temporaries(out) == []

    def test_next_run_after_a_sigkill_cleans_up(self, tmp_path, procs):
        """Attack: a run SIGKILLed mid-batch, then a run into the same OUT: stale temporaries go, others stay."""
        out = killed_mid_batch(tmp_path, procs)
        planted = out / ".doc999.json.xeploai-abcdef.tmp"
        planted.write_text("{", encoding="utf-8")
        user = out / ".notes.tmp"
        user.write_text("mine", encoding="utf-8")
        small = tmp_path / "small.txt"
        small.write_text(REPORT, encoding="utf-8")
        result = cli("extract", small, "-o", out, "--no-progress")
        no_traceback(result)
        assert result.returncode == 0
        assert not planted.exists() and user.read_text(encoding="utf-8") == "mine"
        assert [q for q in temporaries(out) if TMP_NAME.match(q.name)] == []
        _assert_whole_outputs(out)

    def test_worker_killed_once_is_retried(self, tmp_path, procs):
        """Attack: SIGKILL to one worker of a running batch: its input is retried and the batch completes."""
        inputs = make_long_batch(tmp_path / "in", 12)
        out = tmp_path / "out"
        err = tmp_path / "run.err"
        p = procs(["extract", inputs, "-o", out, "--workers", "2", "--no-progress"], stderr_path=err)
        assert wait_for(lambda: len(descendants(p.pid)) >= 2 or p.poll() is not None)
        assert wait_for(lambda: count_outputs(out) >= 1 or p.poll() is not None)
        assert p.poll() is None
        victims = descendants(p.pid)
        assert victims
        os.kill(victims[-1], signal.SIGKILL)
        code = p.wait(timeout=300)
        stderr = err.read_text(encoding="utf-8")
        assert "Traceback" not in stderr, stderr[-3000:]
        assert code == 0, stderr
        assert sorted(outputs(out)) == [f"doc{i:03d}.json" for i in range(12)]
        assert not read_errors(out)

    def test_worker_killed_every_time_is_reported(self, tmp_path, procs):
        """Attack: every worker SIGKILLed as soon as it appears: the inputs fail with 'the worker process died'."""
        inputs = make_long_batch(tmp_path / "in", 2, size=2_000_000)
        out = tmp_path / "out"
        err = tmp_path / "run.err"
        p = procs(["extract", inputs, "-o", out, "--workers", "2", "--no-progress"], stderr_path=err)
        deadline = time.monotonic() + 300
        while p.poll() is None and time.monotonic() < deadline:
            for pid in descendants(p.pid):
                procs.track(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)
        code = p.wait(timeout=30)
        stderr = err.read_text(encoding="utf-8")
        assert "Traceback" not in stderr, stderr[-3000:]
        assert code == 1
        errors = read_errors(out)
        assert len(errors) == 2
        assert all("the worker process died" in e["reason"] for e in errors), errors


# ----------------------------------------------------------------------------------------------------
# export
# ----------------------------------------------------------------------------------------------------

@pytest.fixture
def extracted(tmp_path):
    """An OUT of two documents extracted from two inputs."""
    inputs = variants(tmp_path / "in", "a", "b")
    out = tmp_path / "out"
    assert extract_main(inputs, "-o", out) == 0
    return inputs, out


def duck_count(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as db:
        return db.execute(sql).fetchall()


def exported_rows(target: Path) -> int:
    if target.suffix == ".csv":
        return len(csv_rows(target))
    if target.suffix == ".parquet":
        with duckdb.connect() as db:
            return db.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchone()[0]
    return duck_count(target, "SELECT count(*) FROM figures")[0][0]


def csv_rows(path: Path) -> list[dict]:
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf", "an exported CSV starts with a UTF-8 byte order mark"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_doc(out: Path, name: str, doc: dict) -> None:
    (out / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def exported_then_big(tmp_path: Path, target: Path, n: int) -> tuple[dict, Path, bytes]:
    """An export of one document written to ``target``, and a folder of ``n`` documents to export over
    it: (the document, that folder, the first export's bytes)."""
    small = tmp_path / "small"
    small.mkdir()
    doc = real_document(tmp_path)
    write_doc(small, "one.json", doc)
    assert run_main("export", small, "--to", target) == 0
    big = tmp_path / "big"
    big.mkdir()
    for i in range(n):
        write_doc(big, f"d{i:04d}.json", {**doc, "doc_id": f"d{i:04d}"})
    return doc, big, target.read_bytes()


class TestExport:
    @pytest.mark.parametrize("junk", [b"[]", b"null", b'{"settings": true}', b'{"doc_id": "x", "fig', b"",
                                      b'{"doc_id": "x", "figures": "nope"}'],
                             ids=["list", "null", "user-json", "truncated", "zero-bytes", "figures-not-a-list"])
    def test_json_that_is_no_output_is_skipped(self, extracted, tmp_path, junk):
        """Attack: a JSON in OUT that is no output document."""
        _, out = extracted
        (out / "junk.json").write_bytes(junk)
        target = tmp_path / "panel.duckdb"
        result = cli("export", out, "--to", target)
        no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert duck_count(target, "SELECT DISTINCT doc FROM figures ORDER BY doc") == [("a",), ("b",)]

    def test_stale_outputs_are_left_out(self, extracted, tmp_path):
        """Attack: an output whose input was deleted is exported as if current."""
        inputs, out = extracted
        (inputs / "b.txt").unlink()
        assert extract_main(inputs, "-o", out) == 0
        target = tmp_path / "panel.duckdb"
        assert run_main("export", out, "--to", target) == 0
        assert duck_count(target, "SELECT DISTINCT doc FROM figures") == [("a",)]

    def test_include_stale_puts_them_back(self, extracted, tmp_path):
        """Attack: --include-stale must export stale outputs too."""
        inputs, out = extracted
        (inputs / "b.txt").unlink()
        assert extract_main(inputs, "-o", out) == 0
        target = tmp_path / "panel.duckdb"
        result = cli("export", out, "--to", target, "--include-stale")
        assert result.returncode == 0, result.stderr
        assert duck_count(target, "SELECT DISTINCT doc FROM figures ORDER BY doc") == [("a",), ("b",)]

    def test_foreign_duckdb_is_refused(self, extracted, tmp_path):
        """Attack: --to names a DuckDB file of the user's, holding other tables."""
        _, out = extracted
        target = tmp_path / "mine.duckdb"
        with duckdb.connect(str(target)) as db:
            db.execute("CREATE TABLE customers (name VARCHAR)")
            db.execute("INSERT INTO customers VALUES ('Lan')")
        result = cli("export", out, "--to", target)
        no_traceback(result)
        assert result.returncode == 2
        assert "was not written by xeploai; use --force to replace it" in result.stderr
        assert duck_count(target, "SELECT name FROM customers") == [("Lan",)]

    def test_foreign_file_with_duckdb_suffix_is_refused(self, extracted, tmp_path):
        """Attack: --to names a .duckdb that is a text file."""
        _, out = extracted
        target = tmp_path / "notes.duckdb"
        target.write_text("my notes", encoding="utf-8")
        result = cli("export", out, "--to", target)
        no_traceback(result)
        assert result.returncode == 2
        assert "was not written by xeploai" in result.stderr
        assert target.read_text(encoding="utf-8") == "my notes"

    def test_force_replaces_a_foreign_duckdb(self, extracted, tmp_path):
        """Attack: --force must replace a foreign DuckDB file."""
        _, out = extracted
        target = tmp_path / "mine.duckdb"
        with duckdb.connect(str(target)) as db:
            db.execute("CREATE TABLE customers (name VARCHAR)")
        result = cli("export", out, "--to", target, "--force")
        assert result.returncode == 0, result.stderr
        assert duck_count(target, "SELECT count(DISTINCT doc) FROM figures") == [(2,)]

    def test_own_duckdb_is_replaced(self, extracted, tmp_path):
        """Attack (baseline): a second export over xeploai's own .duckdb."""
        inputs, out = extracted
        target = tmp_path / "panel.duckdb"
        assert run_main("export", out, "--to", target) == 0
        (inputs / "c.txt").write_text(report_variant(2), encoding="utf-8")
        assert extract_main(inputs, "-o", out) == 0
        assert run_main("export", out, "--to", target) == 0
        assert duck_count(target, "SELECT count(DISTINCT doc) FROM figures") == [(3,)]

    @pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"], ids=["eq", "plus", "minus", "at", "tab", "cr"])
    def test_csv_formula_injection_through_a_file_name(self, tmp_path, prefix):
        """Attack: an input file name (so doc_id) beginning with a spreadsheet formula character."""
        name = prefix + "SUM(A1)"
        f = tmp_path / "in" / f"{name}.txt"
        f.parent.mkdir()
        f.write_text(REPORT, encoding="utf-8")
        out = tmp_path / "out"
        assert extract_main(f.parent, "-o", out) == 0
        target = tmp_path / "panel.csv"
        assert run_main("export", out, "--to", target) == 0
        rows = csv_rows(target)
        assert rows and all(row["doc"] == "'" + name for row in rows), rows[0]["doc"]

    @pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"], ids=["eq", "plus", "minus", "at", "tab", "cr"])
    def test_csv_formula_injection_through_a_unit_name(self, tmp_path, prefix):
        """Attack: a unit name beginning with a formula character, in a crafted output document."""
        doc = real_document(tmp_path)
        unit = prefix + "HYPERLINK(\"http://evil.example/\",\"x\")"
        for fig in doc["figures"]:
            fig["unit"] = unit
        out = tmp_path / "crafted"
        out.mkdir()
        write_doc(out, "report.json", doc)
        target = tmp_path / "panel.csv"
        assert run_main("export", out, "--to", target) == 0
        rows = csv_rows(target)
        assert rows and all(row["unit"] == "'" + unit for row in rows)

    @pytest.mark.parametrize("field", ["label", "evidence_text", "source", "unit_key", "check_message"])
    def test_csv_formula_injection_through_other_text_columns(self, tmp_path, field):
        """Attack: a label, evidence text, source, unit key or check message beginning with '='."""
        doc = real_document(tmp_path)
        payload = "=cmd|' /C calc'!A0"
        for fig in doc["figures"]:
            if field == "evidence_text":
                fig["evidence"]["text"] = payload
            elif field == "label":
                fig[field] = payload
            elif field == "unit_key":  # the export's key is the one within the province, when there is one
                fig["unit_key"] = fig["scoped_unit_key"] = payload
        if field == "source":
            doc["source"] = payload
        if field == "check_message":
            ids = [f["id"] for f in doc["figures"]][:1]
            doc["checks"] = [{"kind": "percent_mismatch", "severity": "warning", "figures": ids, "message": payload}]
        out = tmp_path / "crafted"
        out.mkdir()
        write_doc(out, "report.json", doc)
        target = tmp_path / "panel.csv"
        assert run_main("export", out, "--to", target) == 0
        if field == "check_message":
            rows, column = csv_rows(tmp_path / "panel.checks.csv"), "message"
        else:
            rows, column = csv_rows(target), field
        assert rows and all(row[column] == "'" + payload for row in rows)

    def test_csv_numbers_and_plain_text_are_not_quoted(self, tmp_path):
        """Attack (guard): a negative number stays a number; ordinary text gets no quote."""
        doc = real_document(tmp_path)
        doc["figures"][0]["change"] = {"value": -1.5, "unit": "pp", "since": 2020}
        out = tmp_path / "crafted"
        out.mkdir()
        write_doc(out, "report.json", doc)
        target = tmp_path / "panel.csv"
        assert run_main("export", out, "--to", target) == 0
        rows = csv_rows(target)
        assert {r["change_value"] for r in rows} >= {"-1.5"}
        assert all(not r["doc"].startswith("'") and not r["category"].startswith("'") for r in rows)

    @pytest.mark.parametrize("suffix", ["duckdb", "csv", "parquet"])
    def test_export_killed_midway_leaves_the_previous_file(self, tmp_path, procs, suffix):
        """Attack: SIGKILL during an export over a previous export: the previous file is as it was."""
        target = tmp_path / "exports" / f"panel.{suffix}"
        doc, big, before = exported_then_big(tmp_path, target, 1000)
        p = procs(["export", big, "--to", target], stderr_path=tmp_path / "export.err")
        existing = set(os.listdir(target.parent))
        # killed as soon as a new file shows beside the target, or after one second of work
        wait_for(lambda: p.poll() is not None or set(os.listdir(target.parent)) - existing, timeout=1.0, interval=0.005)
        p.kill()
        p.wait()
        if target.read_bytes() != before:  # the kill came after the export had finished: it must be whole
            assert exported_rows(target) == 1000 * len(doc["figures"])

    def test_ctrl_c_during_export(self, tmp_path, procs):
        """Attack: SIGINT during an export: exit 130, 'interrupted', the previous file intact, no temporary."""
        target = tmp_path / "exports" / "panel.duckdb"
        _, big, before = exported_then_big(tmp_path, target, 3000)
        err = tmp_path / "export.err"
        p = procs(["export", big, "--to", target], stderr_path=err)
        existing = set(os.listdir(target.parent))
        wait_for(lambda: p.poll() is not None or set(os.listdir(target.parent)) - existing, timeout=120, interval=0.005)
        assert p.poll() is None, "the export ended before it could be interrupted"
        os.kill(p.pid, signal.SIGINT)
        code = p.wait(timeout=120)
        stderr = err.read_text(encoding="utf-8")
        assert "Traceback" not in stderr, stderr[-3000:]
        assert code == 130 and "interrupted" in stderr
        assert target.read_bytes() == before
        assert sorted(os.listdir(target.parent)) == ["panel.duckdb"]

    @pytest.mark.parametrize("suffix", ["csv", "parquet"])
    def test_interrupted_between_the_two_files(self, tmp_path, monkeypatch, suffix):
        """Attack: Ctrl-C between moving the checks file and the figures file into place: never a mixed pair."""
        doc = real_document(tmp_path)
        doc["checks"] = [{"kind": "percent_mismatch", "severity": "warning", "figures": [doc["figures"][0]["id"]],
                          "message": "first"}]
        out = tmp_path / "o"
        out.mkdir()
        write_doc(out, "report.json", doc)
        target = tmp_path / f"panel.{suffix}"
        checks = tmp_path / f"panel.checks.{suffix}"
        assert run_main("export", out, "--to", target) == 0
        old = (target.read_bytes(), checks.read_bytes())
        doc["checks"][0]["message"] = "second"
        doc["figures"] = doc["figures"][:1]
        write_doc(out, "report.json", doc)
        calls = {"n": 0}
        for name in ("replace", "rename"):
            real = getattr(os, name)

            def interrupting(src, dst, *a, _real=real, **k):
                if os.fsdecode(dst) in (str(target), str(checks)):
                    calls["n"] += 1
                    if calls["n"] == 2:
                        raise KeyboardInterrupt
                return _real(src, dst, *a, **k)

            monkeypatch.setattr(os, name, interrupting)
        try:
            run_main("export", out, "--to", target)
        except (KeyboardInterrupt, SystemExit):
            pass
        monkeypatch.undo()
        now = (target.read_bytes(), checks.read_bytes())
        assert now == old or (now[0] != old[0] and now[1] != old[1]), "figures and checks files are from two exports"


# ----------------------------------------------------------------------------------------------------
# review
# ----------------------------------------------------------------------------------------------------

PAYLOAD = "\"'><img src=x onerror=alert(1)><script>alert(2)</script></textarea><svg onload=alert(3)>"


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def assert_inert(page: str) -> None:
    scan = _Scan()
    scan.feed(page)
    assert not [t for t, _ in scan.tags if t in ("img", "svg", "iframe", "object", "embed", "textarea")]
    assert not [(t, k) for t, attrs in scan.tags for k, _ in attrs if k.lower().startswith("on")]
    assert all("alert(" not in s for s in scan.scripts)
    assert "<script>alert" not in page and "</textarea>" not in page


def review_page(tmp_path: Path, docs: dict[str, dict], name: str = "review.html"):
    out = tmp_path / "crafted"
    out.mkdir(exist_ok=True)
    for file, doc in docs.items():
        write_doc(out, file, doc)
    target = tmp_path / name
    result = cli("review", out, "-o", target)
    return result, target


def _csp(page: str) -> str:
    scan = _Scan()
    scan.feed(page)
    for tag, attrs in scan.tags:
        values = {k.lower(): v for k, v in attrs}
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            return values.get("content") or ""
    raise AssertionError("no <meta http-equiv=\"Content-Security-Policy\"> in the page")


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


@pytest.fixture
def plain_page(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(REPORT + "\nCâu kiểm tra XYZQ không có số liệu.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert extract_main(inputs, "-o", out) == 0
    target = tmp_path / "review.html"
    assert run_main("review", out, "-o", target) == 0
    return inputs, out, target.read_text(encoding="utf-8")


class TestReview:
    def test_missing_folder(self, tmp_path):
        """Attack: review of a folder that does not exist."""
        missing = tmp_path / "no-such-folder"
        result = cli("review", missing, "-o", tmp_path / "r.html")
        no_traceback(result)
        assert result.returncode == 2
        assert str(missing) in result.stderr

    @pytest.mark.parametrize("bad", [b'{"doc_id": "x", "figures": [{"bogus": 1}]}', b"[]", b'{"doc_id": "x", "fig',
                                     b"", b'{"doc_id": "x", "figures": [], "checks": [{"severity": "error"}]}'],
                             ids=["bad-figure", "list", "truncated", "zero-bytes", "bad-check"])
    def test_invalid_documents_are_skipped_and_named(self, tmp_path, bad):
        """Attack: an output folder holding a JSON that does not validate as an xeploai document."""
        doc = real_document(tmp_path)
        out = tmp_path / "crafted"
        out.mkdir()
        write_doc(out, "good.json", doc)
        (out / "evil.json").write_bytes(bad)
        target = tmp_path / "review.html"
        result = cli("review", out, "-o", target)
        no_traceback(result)
        assert result.returncode == 0
        assert "evil.json" in result.stderr
        assert target.is_file() and 'data-doc="report"' in target.read_text(encoding="utf-8")

    @pytest.mark.parametrize("field", ["doc_id", "title", "source", "published", "reporting_unit", "figure_id",
                                       "unit", "label", "evidence_text", "check_message", "check_figure",
                                       "warning", "text"])
    def test_crafted_field_is_shown_as_text(self, tmp_path, field):
        """Attack: a crafted output with <script>, "><img onerror=…> and </textarea> in one field."""
        doc = real_document(tmp_path)
        fig = doc["figures"][0]
        if field in ("doc_id", "title", "source", "published", "reporting_unit"):
            doc[field] = PAYLOAD
        elif field == "figure_id":
            fig["id"] = PAYLOAD
        elif field in ("unit", "label"):
            fig[field] = PAYLOAD
        elif field == "evidence_text":
            fig["evidence"]["text"] = PAYLOAD
        elif field in ("check_message", "check_figure"):
            doc["checks"] = [{"kind": "percent_mismatch", "severity": "error",
                              "figures": [PAYLOAD if field == "check_figure" else fig["id"]],
                              "message": PAYLOAD if field == "check_message" else "m"}]
        elif field == "warning":
            doc["warnings"] = [{"code": PAYLOAD, "message": PAYLOAD}]
        elif field == "text":
            doc["text"] = REPORT + PAYLOAD
        result, target = review_page(tmp_path, {"crafted.json": doc})
        no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert_inert(target.read_text(encoding="utf-8"))

    def test_page_has_a_content_security_policy(self, plain_page):
        """Attack: a page without CSP runs whatever an escaping bug lets in."""
        policy = _directives(_csp(plain_page[2]))
        assert policy.get("default-src") == ["'none'"], policy

    def test_csp_allows_only_the_page_script_and_style_by_hash(self, plain_page):
        """Attack: a CSP with 'unsafe-inline' or a host would allow injected code or network."""
        page = plain_page[2]
        policy = _directives(_csp(page))
        for directive, sources in policy.items():
            for s in sources:
                assert s.strip("'") not in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*"), (directive, s)
                assert not re.match(r"^(https?:|wss?:|data:|blob:|//|\*)", s), (directive, s)
        for tag, directive in (("script", "script-src"), ("style", "style-src")):
            bodies = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", page, re.S)
            assert bodies
            for body in bodies:
                digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
                assert f"'sha256-{digest}'" in policy.get(directive, []), directive

    def test_no_inline_event_handlers_or_network(self, plain_page):
        """Attack: on*= handlers or remote resources in the page itself."""
        page = plain_page[2]
        scan = _Scan()
        scan.feed(page)
        assert not [(t, k) for t, attrs in scan.tags for k, _ in attrs if k.lower().startswith("on")]
        for t, attrs in scan.tags:
            for k, v in attrs:
                if k in ("src", "href", "action", "data") and v:
                    assert not re.match(r"^(https?:)?//", v), (t, k, v)

    @pytest.mark.parametrize("where", ["absolute", "relative", "etc-passwd"])
    def test_source_the_batch_did_not_read_is_not_embedded(self, tmp_path, where):
        """Attack: a crafted output whose `source` points at a file the batch never read."""
        secret = tmp_path / "secret.txt"
        secret.write_text("SECRET-CANARY-7f3a " * 40, encoding="utf-8")
        doc = real_document(tmp_path)
        doc.pop("text", None)
        if where == "etc-passwd":
            if not os.access("/etc/passwd", os.R_OK) or "root:" not in Path("/etc/passwd").read_text(errors="replace"):
                pytest.skip("no readable /etc/passwd with a root line")
            doc["source"], canary = "/etc/passwd", "root:"
        else:
            doc["source"] = str(secret) if where == "absolute" else "../secret.txt"
            canary = "SECRET-CANARY"
        result, target = review_page(tmp_path, {"crafted.json": doc})
        no_traceback(result)
        assert canary not in target.read_text(encoding="utf-8")

    def test_source_changed_since_extraction_is_not_embedded(self, plain_page, tmp_path):
        """Attack: a source file edited after the batch read it (hash differs from the manifest)."""
        inputs, out, _ = plain_page
        with open(inputs / "a.txt", "a", encoding="utf-8") as handle:
            handle.write("CANARY-CHANGED-91\n")
        target = tmp_path / "again.html"
        result = cli("review", out, "-o", target)
        no_traceback(result)
        assert "CANARY-CHANGED-91" not in target.read_text(encoding="utf-8")

    def test_source_recorded_by_the_batch_is_embedded(self, plain_page):
        """Attack (guard): the page still shows the text of a source the batch read."""
        assert "XYZQ" in plain_page[2]


# ----------------------------------------------------------------------------------------------------
# evaluate / check / annotate / explain
# ----------------------------------------------------------------------------------------------------

@pytest.fixture
def gold_and_pred(tmp_path):
    doc = real_document(tmp_path)
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    pred.mkdir()
    figures = [{k: v for k, v in f.items() if k not in ("derived", "rules", "percent_of_source")} for f in doc["figures"]]
    (gold / "g1.json").write_text(json.dumps({"doc_id": "g1", "reviewed": True, "source": "x.txt",
                                              "figures": figures}, ensure_ascii=False), encoding="utf-8")
    doc["doc_id"] = "g1"
    write_doc(pred, "g1.json", doc)
    return gold, pred


class TestEvaluate:
    def test_baseline_runs(self, gold_and_pred):
        """Attack (guard): the hand-made gold and predictions evaluate cleanly."""
        gold, pred = gold_and_pred
        result = cli("evaluate", "--gold", gold, "--pred", pred)
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize("content", [None, '{"gold": {"f1": 0.9,}}', '["f1"]'], ids=["missing", "typo", "list"])
    def test_bad_gate_file(self, gold_and_pred, tmp_path, content):
        """Attack: --gate names a file that does not exist, a JSON file with a typo, or no gate."""
        gold, pred = gold_and_pred
        gate = tmp_path / "bad-gate.json"
        if content is not None:
            gate.write_text(content, encoding="utf-8")
        result = cli("evaluate", "--gold", gold, "--pred", pred, "--gate", gate)
        no_traceback(result)
        assert result.returncode == 2 and "bad-gate.json" in result.stderr

    def test_missing_pred_folder(self, gold_and_pred, tmp_path):
        """Attack: --pred names a folder that does not exist."""
        gold, _ = gold_and_pred
        missing = tmp_path / "no-preds"
        result = cli("evaluate", "--gold", gold, "--pred", missing)
        no_traceback(result)
        assert result.returncode == 2 and str(missing) in result.stderr

    def test_gold_folder_with_a_broken_json(self, gold_and_pred):
        """Attack: a gold folder holding a JSON with a typo."""
        gold, pred = gold_and_pred
        (gold / "broken.json").write_text('{"doc_id": "broken", "reviewed": true,, "figures": []}', encoding="utf-8")
        result = cli("evaluate", "--gold", gold, "--pred", pred)
        no_traceback(result)
        assert result.returncode == 2 and "broken.json" in result.stderr

    def test_missing_gold_folder(self, tmp_path):
        """Attack: --gold names a folder that does not exist."""
        missing = tmp_path / "no-gold"
        result = cli("evaluate", "--gold", missing)
        no_traceback(result)
        assert result.returncode == 2 and str(missing) in result.stderr


class TestCheck:
    @pytest.mark.parametrize("content", [b'{"doc_id": "x", "figures": [', b"[]", b"null", b"\xff\xfe\x00\x01", b""],
                             ids=["truncated", "list", "null", "binary", "zero-bytes"])
    def test_check_of_a_corrupt_output(self, tmp_path, content):
        """Attack: `check` of a corrupt output document."""
        f = tmp_path / "corrupt.json"
        f.write_bytes(content)
        result = cli("check", f)
        no_traceback(result)
        assert result.returncode == 1 and "corrupt.json" in result.stderr


class TestAnnotate:
    @pytest.fixture
    def article(self, tmp_path):
        f = tmp_path / "article.txt"
        f.write_text(REPORT, encoding="utf-8")
        return f

    @pytest.mark.parametrize("existing", [
        json.dumps({"doc_id": "g", "reviewed": True, "figures": []}).encode("utf-8"),
        b'{"doc_id": "g", "reviewed": true,, "figures": []}',
        b"\xef\xbb\xbf" + json.dumps({"doc_id": "g", "reviewed": True, "figures": []}).encode("utf-8"),
        b"[]",
        b'{"doc_id": "g", "figures": []}',
        "Ghi chú của tôi, không phải JSON\n".encode("utf-8"),
    ], ids=["reviewed", "json-typo", "bom", "list", "no-reviewed-key", "plain-text"])
    def test_annotate_refuses_to_replace(self, tmp_path, article, existing):
        """Attack: annotate -o over a file that is not a draft it wrote."""
        target = tmp_path / "gold.json"
        target.write_bytes(existing)
        result = cli("annotate", article, "-o", target)
        no_traceback(result)
        assert result.returncode == 2
        assert str(target) in result.stderr
        assert target.read_bytes() == existing

    def test_annotate_force_replaces(self, tmp_path, article):
        """Attack (guard): --force replaces a reviewed gold file."""
        target = tmp_path / "gold.json"
        target.write_text(json.dumps({"doc_id": "g", "reviewed": True, "figures": []}), encoding="utf-8")
        result = cli("annotate", article, "-o", target, "--force")
        assert result.returncode == 0, result.stderr
        assert json.loads(target.read_text(encoding="utf-8"))["reviewed"] is False

    def test_annotate_replaces_its_own_draft(self, tmp_path, article):
        """Attack (guard): a draft annotate wrote is replaced without --force."""
        target = tmp_path / "gold.json"
        assert run_main("annotate", article, "-o", target) == 0
        assert run_main("annotate", article, "-o", target) == 0


class TestExplain:
    def test_explain_of_a_fifo(self, tmp_path):
        """Attack: explain of a named pipe (opening it would block)."""
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)
        result = cli("explain", fifo, timeout=120)
        no_traceback(result)
        assert result.returncode == 2 and "pipe.txt" in result.stderr

    def test_explain_of_a_binary_file(self, tmp_path):
        """Attack: explain of a binary file."""
        f = tmp_path / "blob.txt"
        f.write_bytes(bytes(range(256)) * 8)
        result = cli("explain", f)
        no_traceback(result)
        assert result.returncode == 2 and "blob.txt" in result.stderr
