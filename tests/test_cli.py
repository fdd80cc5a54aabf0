"""The command line as a new user meets it: on their own files, from their own folders.

Each command is run from a working folder other than the one the extraction ran in (a subprocess's
cwd, or monkeypatch.chdir), with relative paths, as a user types them.
"""

import json
import os
import re
import subprocess
import sys
import typing

import jsonschema
import pytest

from extractor import check_report
from extractor.cli import COMMANDS, MAX_LINES, build_parser, main
from extractor.models import Check

from .conftest import ROOT, SEEDS
from .fixtures import REPORT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MARKER = "Câu đánh dấu QXZW không có số liệu."  # a sentence of the article, to find its text in the page


def xeploai(*args, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in a subprocess run in ``cwd``, as a user runs it from that folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPLOAI")}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    result = subprocess.run([sys.executable, "-m", "extractor.cli", *map(str, args)], cwd=cwd, env=env, input=stdin,
                            capture_output=True, encoding="utf-8", timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def folders(tmp_path):
    """A user's folders: their articles in work/articles, a folder they run commands from elsewhere."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "articles").mkdir(parents=True)
    elsewhere.mkdir()
    (work / "articles" / "report.txt").write_text(REPORT + MARKER + "\n", encoding="utf-8")
    (work / "articles" / "seed.txt").write_text(SEEDS[4].read_text(encoding="utf-8"), encoding="utf-8")
    return work, elsewhere


# --- paths that later commands need -----------------------------------------------------------------------

def test_review_from_another_folder_shows_the_source_text(folders):
    work, elsewhere = folders
    assert xeploai("extract", "articles", "-o", "out", "--no-progress", cwd=work).returncode == 0
    result = xeploai("review", "../work/out", "-o", "page.html", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "no source text" not in result.stderr
    page = (elsewhere / "page.html").read_text(encoding="utf-8")
    assert MARKER in page and "source text was not found" not in page


def test_review_writes_into_the_output_folder_by_default(folders):
    work, elsewhere = folders
    xeploai("extract", "articles", "-o", "out", "--no-progress", cwd=work)
    result = xeploai("review", "../work/out", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (work / "out" / "review.html").is_file() and not (elsewhere / "review.html").exists()
    assert "review.html" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    checked = xeploai("check", "out", "-v", cwd=work)
    assert checked.returncode == 0 and "review" not in checked.stdout, "an output folder's page is no input"


def _reviewed(draft):
    data = json.loads(draft.read_text(encoding="utf-8"))
    data["reviewed"] = True
    draft.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def test_evaluate_a_users_own_gold_from_any_folder(folders, monkeypatch, capsys):
    work, elsewhere = folders
    monkeypatch.chdir(work)
    assert main(["annotate", "articles/report.txt", "-o", "mygold/report.json"]) == 0
    _reviewed(work / "mygold" / "report.json")
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert main(["evaluate", "--gold", str(work / "mygold"), "--json"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["mygold"]["overall"]["recall"] == 1.0
    result = xeploai("evaluate", "--gold", "../work/mygold", cwd=elsewhere)
    assert result.returncode == 0 and "## mygold" in result.stdout, result.stderr


def test_evaluate_with_sources_reads_the_articles_from_that_folder(folders, monkeypatch, capsys):
    work, elsewhere = folders
    monkeypatch.chdir(work)
    main(["annotate", "articles/report.txt", "-o", "mygold/report.json"])
    data = _reviewed(work / "mygold" / "report.json")
    data["source"] = "somewhere/else/report.txt"  # an article moved since the gold was written
    (work / "mygold" / "report.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert main(["evaluate", "--gold", str(work / "mygold")]) == 2
    err = capsys.readouterr().err
    assert "report.json" in err and "somewhere/else/report.txt" in err and "--sources" in err
    assert main(["evaluate", "--gold", str(work / "mygold"), "--sources", str(work / "articles")]) == 0


def test_dask_workers_started_in_another_folder_read_every_file(folders, monkeypatch):
    from distributed import LocalCluster

    work, elsewhere = folders
    monkeypatch.chdir(elsewhere)  # the workers start here, where no input is
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.chdir(work)
        status = main(["extract", "articles", "-o", "on_dask", "--engine", "dask", "--scheduler",
                       cluster.scheduler_address, "--no-progress"])
    assert status == 0 and not (work / "on_dask" / "errors.jsonl").exists()
    assert main(["extract", "articles", "-o", "here", "--no-progress"]) == 0
    for name in ("report.json", "seed.json"):
        assert (work / "on_dask" / name).read_bytes() == (work / "here" / name).read_bytes(), name
    assert json.loads((work / "here" / "report.json").read_text(encoding="utf-8"))["source"] == "articles/report.txt"


def test_records_of_a_batch_name_absolute_paths(folders, monkeypatch):
    work, _ = folders
    (work / "articles" / "empty.txt").write_bytes(b"")
    (work / "articles" / "notes.md").write_text("x", encoding="utf-8")
    monkeypatch.chdir(work)
    assert main(["extract", "articles", "-o", "out", "--no-progress"]) == 1
    for record, name in (("errors.jsonl", "empty.txt"), ("skipped.jsonl", "notes.md")):
        (line,) = (work / "out" / record).read_text(encoding="utf-8").splitlines()
        assert json.loads(line)["path"] == str(work / "articles" / name)


# --- the gate file ---------------------------------------------------------------------------------------

@pytest.fixture
def user_gold(folders, monkeypatch):
    work, _ = folders
    monkeypatch.chdir(work)
    main(["annotate", "articles/report.txt", "-o", "mygold/report.json"])
    _reviewed(work / "mygold" / "report.json")
    return work / "mygold"


@pytest.mark.parametrize("gate, named", [
    ({"golden": {"f1": 0.5}}, ["'golden'", "mygold"]),
    ({"mygold": {"f_1": 0.5}}, ["'f_1'", "f1", "unit_accuracy"]),
    ({"mygold": {"f1": "high"}}, ["f1", '"high"']),
], ids=["unknown-suite", "unknown-score", "not-a-number"])
def test_a_misspelt_gate_is_an_error_naming_it_and_the_valid_ones(user_gold, tmp_path, capsys, gate, named):
    path = tmp_path / "gate.json"
    path.write_text(json.dumps(gate), encoding="utf-8")
    assert main(["evaluate", "--gold", str(user_gold), "--gate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "gate.json" in err and all(word in err for word in named), err


def test_a_gate_that_holds_passes_and_says_so(user_gold, tmp_path, capsys):
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"mygold": {"f1": 0.5}}), encoding="utf-8")
    assert main(["evaluate", "--gold", str(user_gold), "--gate", str(path)]) == 0
    assert "every score meets the gate" in capsys.readouterr().err


# --- help, version, verbosity ----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [[], ["help"], ["-q"]], ids=["bare", "help", "only-an-option"])
def test_bare_xeploai_and_help_show_the_commands(tmp_path, args):
    result = xeploai(*args, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "help"])
def test_help_command_shows_its_options(tmp_path, command):
    result = xeploai("help", command, cwd=tmp_path)
    assert result.returncode == 0 and f"usage: xeploai {command}" in result.stdout
    assert "-q, --quiet" in result.stdout and "-v, --verbose" in result.stdout


def test_help_of_an_unknown_command_is_a_usage_error(tmp_path):
    result = xeploai("help", "extrakt", cwd=tmp_path)
    assert result.returncode == 2 and "extrakt" in result.stderr and "extract" in result.stderr


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(tmp_path, flag):
    result = xeploai(flag, cwd=tmp_path)
    assert result.returncode == 0 and re.fullmatch(r"xeploai \d+\.\d+\.\d+\n", result.stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_quiet_and_verbose(command):
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert set(commands) == set(COMMANDS)
    sub = commands[command]
    options = {o for action in sub._actions for o in action.option_strings}
    assert {"-q", "--quiet", "-v", "--verbose"} <= options


def _failing_inputs(folder, count):
    folder.mkdir()
    for i in range(count):
        (folder / f"r{i:02d}.txt").write_text(REPORT, encoding="utf-8")


@pytest.mark.parametrize("flag, errors, summary", [("-q", MAX_LINES, False), (None, MAX_LINES, True),
                                                   ("-v", 25, True)], ids=["quiet", "normal", "verbose"])
def test_many_failures_are_capped_with_where_to_find_the_rest(tmp_path, monkeypatch, capsys, flag, errors, summary):
    _failing_inputs(tmp_path / "in", 25)
    monkeypatch.chdir(tmp_path)
    args = ["extract", "in", "-o", "out", "--max-bytes", "100", "--no-progress"] + ([flag] if flag else [])
    assert main(args) == 1
    lines = capsys.readouterr().err.splitlines()
    assert sum(line.startswith("xeploai: error: in/r") for line in lines) == errors
    more = [line for line in lines if "… and" in line]
    assert more == ([] if errors == 25 else [f"xeploai: … and {25 - errors} more, see out/errors.jsonl"])
    assert any("0 written, 0 unchanged, 25 failed" in line for line in lines) is summary
    assert len((tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()) == 25


def test_quiet_prints_nothing_when_all_goes_well(folders, monkeypatch, capsys):
    work, _ = folders
    monkeypatch.chdir(work)
    for args in (["extract", "articles", "-o", "out", "--no-progress"], ["review", "out"],
                 ["check", "articles/report.txt"], ["export", "out", "--to", "panel.csv"],
                 ["annotate", "articles/seed.txt", "-o", "g/seed.json"]):
        assert main(args + ["-q"]) == 0, args
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", ""), args


def test_verbose_explain_shows_every_sentence(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(REPORT + MARKER + "\n", encoding="utf-8")
    assert main(["explain", str(article)]) == 0
    assert "QXZW" not in capsys.readouterr().out
    assert main(["explain", str(article), "-v"]) == 0
    assert "QXZW" in capsys.readouterr().out


def test_verbose_given_before_the_command_counts(folders, monkeypatch, capsys):
    work, _ = folders
    monkeypatch.chdir(work)
    assert main(["check", "articles/report.txt"]) == 0
    assert "note:" not in capsys.readouterr().out
    assert main(["-v", "check", "articles/report.txt"]) == 0
    assert "note: more HTXSNV" in capsys.readouterr().out


# --- arguments -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["extract", "a.txt", "-o", "out", "--workers", "0"], ["--workers", "at least 1"]),
    (["extract", "a.txt", "-o", "out", "--workers", "-3"], ["--workers", "at least 1"]),
    (["extract", "a.txt", "-o", "out", "--max-bytes", "20 parsecs"], ["--max-bytes", "not a size", "20MB"]),
    (["extract", "a.txt", "-o", "out", "--max-bytes", "0KB"], ["--max-bytes", "at least 1 byte"]),
    (["extract", "a.txt", "-o", "out", "--pages", "p"], ["--pages goes with --from-urls"]),
    (["extract", "a.txt", "-o", "out", "--scheduler", "tcp://h:8786"], ["--scheduler goes with --engine dask"]),
    (["extract", "-o", "out"], ["give input files or folders"]),
    (["evaluate", "--pred", "p", "--strip-diacritics"], ["--strip-diacritics", "--pred"]),
    (["evaluate", "--pred", "p", "--sources", "s"], ["--sources", "not allowed with", "--pred"]),
    (["check", "a.txt", "--format", "yaml"], ["--format", "invalid choice", "json"]),
], ids=["workers-0", "workers-negative", "size-unit", "size-zero", "pages-alone", "scheduler-alone", "no-input",
        "strip-with-pred", "pred-and-sources", "format"])
def test_bad_arguments_are_named_with_the_reason(tmp_path, args, words):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    result = xeploai(*args, cwd=tmp_path)
    assert result.returncode == 2 and all(w in result.stderr for w in words), result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("given, limit", [("1000", 1000), ("500KB", 500 * 1024), ("20 MiB", 20 * 1024 ** 2),
                                          ("1.5gb", int(1.5 * 1024 ** 3)), ("2k", 2048)])
def test_sizes_take_units(given, limit):
    args = build_parser().parse_args(["extract", "a.txt", "-o", "out", "--max-bytes", given])
    assert args.max_bytes == limit


def test_sizes_are_shown_with_units(tmp_path):
    result = xeploai("help", "extract", cwd=tmp_path)
    assert "(default 20 MB)" in " ".join(result.stdout.split())
    (tmp_path / "big.txt").write_text(REPORT, encoding="utf-8")
    result = xeploai("explain", "-", "--max-bytes", "1KB", cwd=tmp_path, stdin=REPORT * 10)
    assert result.returncode == 2 and "larger than 1 KB" in result.stderr


# --- check: a summary, plain words, JSON ------------------------------------------------------------------

FLAWED = "Năm 2008 có 53/78 tổ chức cơ sở đảng đạt trong sạch vững mạnh, chiếm tỷ lệ 64,94%."


def test_check_sums_up_across_documents(tmp_path, capsys):
    for path in SEEDS:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    last = out.splitlines()[-1]
    assert re.fullmatch(r"5 documents, \d+ errors?, \d+ warnings?, \d+ notes? \(notes are shown with -v\)", last), last


def test_check_speaks_plain_words(capsys):
    seed = str(SEEDS[2])  # 002: every kind of severity, and the nesting of its groups
    assert main(["check", seed, "-v"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"\b1 checks\b|\(s\)|=True|=False|=None|_in_|\[info\]", out), out
    assert not re.search(r"\b(TONG_SO|DA_DANH_GIA|CHUA_DANH_GIA|MIEN_DANH_GIA|htxsnv_quota|percent_\w+)\b", out), out
    assert "note: more HTXSNV than the rule allows" in out and "HTXSNV are counted apart from HTTNV" in out


def test_every_kind_of_check_has_plain_words():
    kinds = set(typing.get_args(Check.model_fields["kind"].annotation))
    assert kinds == set(check_report.TITLES)
    assert all(" " in title and "_" not in title.replace("HTXSNV", "") for title in check_report.TITLES.values())


def test_notes_are_shown_only_with_verbose(capsys):
    seed = str(SEEDS[2])
    assert main(["check", seed]) == 0
    normal = capsys.readouterr().out
    assert "note:" not in normal and "error:" in normal and "warning:" in normal
    assert main(["check", seed, "-q"]) == 0
    quiet = capsys.readouterr().out
    assert "error:" in quiet and "warning:" not in quiet and "documents," not in quiet and "document," not in quiet
    assert main(["check", seed, "-v"]) == 0
    assert "note:" in capsys.readouterr().out


def _readme_schema() -> dict:
    block = README.split("<!-- check-schema:start -->")[1].split("<!-- check-schema:end -->")[0]
    return json.loads(block.split("```json")[1].split("```")[0])


def test_check_json_validates_against_the_readme_schema(tmp_path, capsys):
    flawed = tmp_path / "flawed.txt"
    flawed.write_text(FLAWED, encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    paths = [str(p) for p in SEEDS] + [str(flawed), str(tmp_path / "broken.json")]
    assert main(["check", *paths, "--format", "json", "-q"]) == 1, "an unreadable document fails the run"
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    jsonschema.Draft202012Validator.check_schema(_readme_schema())
    jsonschema.validate(report, _readme_schema())
    assert "broken.json" in captured.err and report["unreadable"][0]["path"].endswith("broken.json")
    summary = report["summary"]
    assert (summary["documents"], summary["unreadable"]) == (6, 1)
    assert summary["notes"] > 0, "JSON holds every check, notes too, whatever the verbosity"
    (mismatch,) = [c for d in report["documents"] if d["doc_id"] == "flawed" for c in d["checks"]]
    assert mismatch["kind"] == "percent_mismatch" and mismatch["figures"][0]["evidence"]["text"].startswith("53/78")


def test_check_json_schema_refuses_what_is_not_a_report():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"documents": [], "summary": {}}, _readme_schema())
