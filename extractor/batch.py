"""Batch extraction: many files, several workers, resumable, on this machine or a Dask cluster.

One function, ``process_file``, turns one input into the bytes of its output document (or a reason
it failed); both engines run exactly that function, so they write the same bytes. What the batch
promises (README, "Robustness"):

- nothing lost: each input has an output of its own (names that would collide keep more of their
  path), one run at a time writes into OUTDIR (a lock), and only the batch's own temporary files are
  ever removed;
- nothing partial: outputs are written atomically;
- nothing silent: every input that fails, whatever raised it, is a line of ``errors.jsonl``; outputs
  whose input is gone or has changed are listed in ``stale.jsonl``;
- a re-run skips an input only when its bytes and the extractor's build (code and pattern data) are
  those of its output; a worker killed by the system is retried once; workers end with the parent.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple
from pathlib import Path

from .errors import InputError
from .load import DEFAULT_MAX_BYTES, SUFFIXES
from .models import Document
from .patterns import load as load_patterns
from .pipeline import BUILD, extract_file

ERRORS_FILE = "errors.jsonl"
SKIPPED_FILE = "skipped.jsonl"
STALE_FILE = "stale.jsonl"
STATE_DIR = ".xeploai"  # the batch's own records inside OUTDIR
MANIFEST = f"{STATE_DIR}/manifest.jsonl"
LOCK_FILE = f"{STATE_DIR}/lock"
NOT_UTF8_NAME = "the name is not valid UTF-8 (rename it: outputs and their records are UTF-8)"
TMP_MARK = ".xeploai-"  # in the names of the batch's temporary files: ".<name>.xeploai-<random>.tmp"
WORKER_DIED = "the worker process died (killed by the system, perhaps out of memory)"


class BatchError(ValueError):
    """OUTDIR cannot be used: not a folder, not writable, or in use by another run."""


@dataclass(frozen=True)
class Job:
    path: str  # the input file; absolute in a run, so that a worker in any folder (a Dask worker) finds it
    target: str  # the output file, relative to OUTDIR
    doc_id: str = ""
    source: str = ""  # the input's path as it was given: the document's ``source``, and what messages name

    def anchored(self) -> "Job":
        """The job with an absolute path, keeping the path as given as its ``source``."""
        return Job(str(Path(self.path).absolute()), self.target, self.doc_id, self.source or shown(self.path))

    @property
    def given(self) -> str:
        """The input as messages name it: its path as given."""
        return self.source or shown(self.path)


@dataclass(frozen=True)
class Outcome:
    job: Job
    output: str | None = None  # the JSON document, as written
    error: str | None = None
    written: bool = False  # the worker has written the output itself


@dataclass
class Summary:
    written: int = 0
    unchanged: int = 0
    failed: list[Outcome] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # files of the folders not read, and why


def shown(path: str | Path) -> str:
    """A path as text that can always be printed and written: bytes that are not UTF-8 as \\xNN."""
    return os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")


def document_json(doc: Document) -> str:
    """The output bytes of a document (pydantic's serializer: the same text as json.dumps with indent=2
    and ensure_ascii=False, five times faster)."""
    return doc.model_dump_json(indent=2) + "\n"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes as they are) to ``path`` via a temporary file of the
    batch's own and a rename: never a partial file, and never a temporary left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TMP_MARK}", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") if isinstance(content, bytes) else os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- finding the inputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Found:
    path: Path
    root: str | None  # the name of the folder argument it was found in (None for a file argument)
    relative: Path  # its path below that folder (its name for a file argument)


class Inputs(NamedTuple):
    jobs: list[Job]
    problems: list[tuple[str, str]]  # (path, reason): what could not be listed or named
    skipped: list[tuple[str, str]]  # (path, reason): files of the folders that are not read, and why


def find_inputs(paths: Iterable[str | Path], suffixes: frozenset[str] = SUFFIXES,
                skip: Path | None = None) -> Inputs:
    """The jobs for the given files and folders (searched recursively), (path, reason) for each
    folder that could not be listed, and for each file of a folder that is not read. Each job's output
    is its path below its folder argument with the suffix replaced by .json; outputs that would collide
    keep more of their name (see ``_targets``). The same file reached twice is one job; nothing under
    ``skip`` (OUTDIR) is an input."""
    found: list[_Found] = []
    problems: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[Path] = set()
    skip_real = skip.resolve() if skip is not None and skip.exists() else None
    for raw in paths:
        p = Path(os.fsdecode(raw) if isinstance(raw, bytes) else raw)
        if p.is_dir():
            for f in _walk(p, problems):
                if not _under(f, skip_real) and _readable(f, suffixes, problems, skipped) and _first(f, seen):
                    found.append(_Found(f, p.name or str(p), f.relative_to(p)))
        elif not _utf8(str(p)):
            problems.append((shown(p), NOT_UTF8_NAME))
        elif _first(p, seen):
            found.append(_Found(p, None, Path(p.name)))
    return Inputs(_targets(found), problems, skipped)


def _readable(f: Path, suffixes: frozenset[str], problems: list[tuple[str, str]],
              skipped: list[tuple[str, str]]) -> bool:
    """Whether a file found in a folder is an input; if not, it is listed as skipped (a format not read,
    a saved page's asset) or as a problem (a name that is not UTF-8)."""
    reason = _not_read(f, suffixes)
    if reason is not None:
        skipped.append((shown(f), reason))
        return False
    if not _utf8(f.name):
        problems.append((shown(f), NOT_UTF8_NAME))
        return False
    return True


def _not_read(f: Path, suffixes: frozenset[str]) -> str | None:
    """Why a file found in a folder is not an input: the assets a browser saved beside a page
    ("trang_files/…"), or a format xeploai does not read."""
    for folder in f.parents:
        if folder.name.endswith("_files") and any(
                folder.with_name(folder.name[:-len("_files")] + suffix).is_file() for suffix in (".html", ".htm")):
            return f"an asset of the saved page {folder.name[:-len('_files')]}.html (its {folder.name}/ folder)"
    if f.suffix.lower() not in suffixes:
        return f"not a format xeploai reads ({f.suffix or 'no suffix'})"
    return None


def jobs_for(paths: Iterable[str | Path], suffixes: frozenset[str] = SUFFIXES) -> list[Job]:
    """The jobs for the given files and folders (see ``find_inputs``)."""
    return find_inputs(paths, suffixes).jobs


def _walk(folder: Path, problems: list[tuple[str, str]]) -> list[Path]:
    files = []

    def unlisted(exc: OSError) -> None:
        problems.append((shown(exc.filename or folder), f"cannot list the folder: {exc.strerror or exc}"))

    for here, dirs, names in os.walk(folder, onerror=unlisted):
        for d in dirs:
            if not _utf8(d):
                problems.append((shown(Path(here) / d), NOT_UTF8_NAME))
        dirs[:] = sorted(d for d in dirs if d != STATE_DIR and _utf8(d))
        files.extend(Path(here) / n for n in sorted(names))
    return [f for f in files if f.is_file()]


def _utf8(name: str) -> bool:
    """The name is valid UTF-8 (os gives bytes that are not as lone surrogates)."""
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _under(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder)
        return True
    except (ValueError, OSError):
        return False


def _first(path: Path, seen: set[Path]) -> bool:
    try:
        real = path.resolve()
    except OSError:
        real = path.absolute()
    if real in seen:
        return False
    seen.add(real)
    return True


def _targets(found: list[_Found]) -> list[Job]:
    """Outputs named by their path below their folder argument, with .json for the suffix; where two
    would share a name, both keep their suffix ("a.txt.json", "a.html.json") and, if that is not enough,
    the name of their folder argument ("d1/r.json", "d2/r.json")."""
    def plain(f: _Found) -> Path:
        return f.relative.with_suffix("")

    def with_suffix(f: _Found) -> Path:
        return f.relative

    def with_root(f: _Found) -> Path:
        return Path(f.root or "") / f.relative.with_suffix("")

    def with_both(f: _Found) -> Path:
        return Path(f.root or "") / f.relative

    names = {id(f): plain(f) for f in found}
    for rename in (with_suffix, with_root, with_both):
        clashes = _clashing(found, names)
        if not clashes:
            break
        for f in clashes:
            names[id(f)] = rename(f)
    for k, f in enumerate(_clashing(found, names)):  # only the same name twice in one argument is left
        names[id(f)] = Path(f"{names[id(f)]}~{k + 1}")
    jobs = []
    for f in found:
        name = names[id(f)]
        doc_id = f.path.stem if name == plain(f) else name.as_posix()
        jobs.append(Job(str(f.path), str(name) + ".json", shown(doc_id)))
    return jobs


def _clashing(found: list[_Found], names: dict[int, Path]) -> list[_Found]:
    counts: dict[str, int] = {}
    for f in found:
        key = str(names[id(f)]).casefold()  # "A.json" and "a.json" are one file on some file systems
        counts[key] = counts.get(key, 0) + 1
    return [f for f in found if counts[str(names[id(f)]).casefold()] > 1]


# --- one input ------------------------------------------------------------------------------------------

def process_file(job: Job, max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
    """The output of one input: the document's JSON, or the reason it could not be read."""
    try:
        doc = extract_file(job.path, max_bytes=max_bytes)
        if job.doc_id:
            doc = doc.model_copy(update={"doc_id": job.doc_id, "source": job.given})
        return Outcome(job, output=document_json(doc))
    except InputError as exc:
        return Outcome(job, error=exc.reason)
    except MemoryError:
        return Outcome(job, error="out of memory while reading it")
    except Exception as exc:  # one broken file must never stop a batch; its reason is recorded
        return Outcome(job, error=f"internal error: {exc.__class__.__name__}")


def process_and_write(job: Job, out: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Outcome:
    """``process_file``, then the output written into OUTDIR by the worker itself: the parent only
    keeps count, so it does not compete with the workers for the cores."""
    outcome = process_file(job, max_bytes)
    if outcome.error is not None:
        return outcome
    try:
        write_atomic(Path(out) / job.target, outcome.output)
    except OSError as exc:
        return Outcome(job, error=f"cannot write the output: {exc.strerror or exc}")
    return Outcome(job, written=True)


def _is_current(job: Job, out: Path, digest: str | None) -> bool:
    """The output exists, is a document, and was made by this build from the same input bytes."""
    if digest is None:
        return False
    try:
        previous = Document.model_validate_json((out / job.target).read_bytes())
    except (OSError, ValueError):
        return False
    return (previous.input_sha256 == digest and previous.extractor_build == BUILD
            and previous.doc_id == (job.doc_id or Path(job.path).stem))


def file_digest(path: str) -> str | None:
    """The input's sha256; None when it is no regular file (a pipe or a device would never end)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


# --- the workers ----------------------------------------------------------------------------------------

def _worker_init() -> None:
    """A worker leaves Ctrl-C to the parent, and ends when the parent ends (even by SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the parent died before the call above
            os._exit(1)


def _local(jobs: list[Job], workers: int, max_bytes: int, out: Path | None) -> Iterator[Outcome]:
    """Outcomes as they finish. With several workers, the inputs of a worker that died are tried once
    more, each alone in a fresh pool, so that one input that kills its worker fails alone."""
    # a picklable function of one job: what a worker process runs
    work = partial(process_and_write, out=str(out), max_bytes=max_bytes) if out is not None else \
        partial(process_file, max_bytes=max_bytes)
    if workers <= 1:
        for job in jobs:
            yield work(job)
        return
    load_patterns()  # compiled once here: forked workers inherit them instead of compiling their own
    left = yield from _pool(jobs, workers, work)
    for job in left:
        retried = yield from _pool([job], 1, work)
        for lost in retried:
            yield Outcome(lost, error=WORKER_DIED)


def _pool(jobs: list[Job], workers: int, work: Callable[[Job], Outcome]):
    """Run ``work`` on ``jobs`` in a pool; yields their outcomes and returns the jobs lost with a dead worker."""
    done: set[int] = set()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        futures = {pool.submit(work, job): k for k, job in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                break
            done.add(futures[future])
            yield outcome
    finally:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()  # do not wait on a worker's long input
        # then wait for the pool's manager thread: left running, it races the interpreter's exit, where
        # Python 3.11 writes to its closed wake-up pipe and prints a traceback after Ctrl-C
        pool.shutdown(wait=True, cancel_futures=True)
    return [job for k, job in enumerate(jobs) if k not in done]


def _dask(jobs: list[Job], scheduler: str, max_bytes: int) -> Iterator[Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # the dask extra is not installed
        raise BatchError("the dask engine needs 'distributed' (pip install 'xeploai[dask]')") from None
    with Client(scheduler) as client:
        futures = client.map(process_file, jobs, max_bytes=max_bytes, pure=False)
        for future in dask_completed(futures):
            yield future.result()


# --- the run --------------------------------------------------------------------------------------------

class _Lock:
    """OUTDIR's lock: one run at a time writes into it."""

    def __init__(self, out: Path):
        self.path = out / LOCK_FILE
        self.handle = None

    def __enter__(self) -> "_Lock":
        try:
            self.path.parent.mkdir(exist_ok=True)
            self.handle = open(self.path, "a", encoding="utf-8")
        except OSError as exc:
            raise BatchError(f"{shown(self.path.parent.parent)}: cannot be written ({exc.strerror or exc})") from None
        try:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not on POSIX: no lock
            return self
        except OSError:
            self.handle.close()
            raise BatchError(f"{shown(self.path.parent.parent)}: in use by another xeploai run; "
                             "wait for it to end") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock; the empty file stays


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BatchError(f"{shown(out)}: not a folder (the output folder must be a folder)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"{shown(out)}: cannot be created ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise BatchError(f"{shown(out)}: cannot be written (permission denied)")


def _remove_own_temporaries(out: Path) -> None:
    """The temporary files a killed run left; only the batch's own ("….xeploai-….tmp")."""
    for here, _, names in os.walk(out):
        for name in names:
            if name.startswith(".") and TMP_MARK in name and name.endswith(".tmp"):
                Path(here, name).unlink(missing_ok=True)


def run(paths: Iterable[str | Path], out: str | Path, *, workers: int = 1, engine: str = "local",
        scheduler: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, progress: bool | None = None,
        force: bool = False) -> Summary:
    """Extract every input into OUTDIR; failures go to OUTDIR/errors.jsonl and the batch goes on."""
    out = Path(out)
    if engine == "dask" and not scheduler:
        raise BatchError("the dask engine needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    load_patterns()  # a broken pattern file stops the run before any input, naming the file
    _prepare(out)
    with _Lock(out):
        _remove_own_temporaries(out)
        found, problems, skipped = find_inputs(paths, skip=out)
        jobs = [job.anchored() for job in found]
        summary = Summary(skipped=skipped)
        summary.failed.extend(Outcome(Job(path, ""), error=reason) for path, reason in problems)
        digests = {job.path: file_digest(job.path) for job in jobs}
        todo = []
        for job in jobs:
            if not force and _is_current(job, out, digests[job.path]):
                summary.unchanged += 1
            else:
                todo.append(job)
        try:
            _run_jobs(todo, out, summary, workers, engine, scheduler, max_bytes, progress)
        finally:
            _write_records(out, jobs, digests, summary)
        if summary.written:
            from .export import keep_rows  # export builds on this module

            keep_rows(out)  # the rows of the new outputs, ready for the next export
    return summary


def _run_jobs(todo: list[Job], out: Path, summary: Summary, workers: int, engine: str, scheduler: str | None,
              max_bytes: int, progress: bool | None) -> None:
    if engine == "dask":  # the jobs' paths are absolute: a worker started in any folder finds them
        outcomes = _dask(todo, scheduler, max_bytes)
    else:
        outcomes = _local(todo, workers, max_bytes, out)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(todo), show)
    try:
        for outcome in outcomes:
            if outcome.error is None and not outcome.written:  # from a Dask worker, which may not see OUTDIR
                try:
                    write_atomic(out / outcome.job.target, outcome.output)
                except OSError as exc:
                    outcome = Outcome(outcome.job, error=f"cannot write the output: {exc.strerror or exc}")
            if outcome.error is None:
                summary.written += 1
            else:
                summary.failed.append(outcome)
            bar.update(1)
    finally:
        bar.close()


def _write_records(out: Path, jobs: list[Job], digests: dict[str, str | None], summary: Summary) -> None:
    """errors.jsonl (only when something failed), the manifest of the outputs the batch wrote, and
    stale.jsonl (outputs whose input is gone or has changed)."""
    failed = {o.job.path for o in summary.failed}
    manifest = recorded_sources(out)
    for job in jobs:
        if job.path not in failed and (out / job.target).is_file():
            manifest[job.target] = {"output": job.target, "input": shown(Path(job.path).absolute()),
                                    "input_sha256": digests[job.path]}
    in_run = {job.target for job in jobs}
    summary.stale = []
    for target, entry in sorted(manifest.items()):
        if not (out / target).is_file():
            continue
        if not Path(entry["input"]).is_file():
            summary.stale.append({**entry, "reason": "its input no longer exists"})
        elif target not in in_run and file_digest(entry["input"]) != entry["input_sha256"]:
            summary.stale.append({**entry, "reason": "its input has changed since"})
    manifest = {t: e for t, e in manifest.items() if (out / t).is_file()}
    _write_lines(out / MANIFEST, sorted(manifest.values(), key=lambda e: e["output"]))
    _write_reports(out, summary)


def _write_reports(out: Path, summary: Summary) -> None:
    """errors.jsonl, skipped.jsonl and stale.jsonl: each only when it has a line, its paths absolute (a
    later command, or a list made of them, may run in another folder)."""
    errors = sorted(({"path": _absolute(o.job.path), "reason": o.error} for o in summary.failed),
                    key=lambda e: e["path"])
    _write_lines(out / ERRORS_FILE, errors)
    _write_lines(out / SKIPPED_FILE, [{"path": _absolute(path), "reason": reason} for path, reason in summary.skipped])
    _write_lines(out / STALE_FILE, [{"output": e["output"], "input": e["input"], "reason": e["reason"]}
                                    for e in summary.stale])


def _absolute(path: str) -> str:
    return shown(Path(path).absolute())


def _write_lines(path: Path, rows: list[dict]) -> None:
    """A JSON Lines file of ``rows``; with none, no file (a previous one is removed)."""
    if not rows:
        path.unlink(missing_ok=True)
        return
    try:
        write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    except OSError as exc:
        raise BatchError(f"{shown(path)}: cannot be written ({exc.strerror or exc})") from None


def recorded_sources(out: Path) -> dict[str, dict]:
    """The manifest of OUTDIR: output path (relative) → the input the batch read for it and its hash."""
    entries: dict[str, dict] = {}
    try:
        lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and {"output", "input", "input_sha256"} <= set(entry):
            entries[entry["output"]] = entry
    return entries


def stale_outputs(out: Path) -> set[str]:
    """The outputs of OUTDIR the last run listed as stale (relative paths)."""
    try:
        lines = (out / STALE_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return set()
    stale = set()
    for line in lines:
        try:
            stale.add(json.loads(line)["output"])
        except (ValueError, KeyError, TypeError):
            continue
    return stale


def _progress(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, disable=not show, unit="file", desc="xeploai", file=sys.stderr)


def extract_many(paths: Iterable[str | Path], workers: int = 1, *, errors: str = "raise",
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document]:
    """Documents as they finish, extracted by ``workers`` processes. With ``errors="skip"`` an input
    that cannot be read is left out; by default it raises ``InputError`` naming the file and reason."""
    if errors not in ("raise", "skip"):
        raise ValueError("errors must be 'raise' or 'skip'")
    jobs, problems, _ = find_inputs(paths)
    if problems and errors == "raise":
        raise InputError(*problems[0])
    for outcome in _local(jobs, workers, max_bytes, None):
        if outcome.error is not None:
            if errors == "raise":
                raise InputError(outcome.job.path, outcome.error)
            continue
        yield Document.model_validate_json(outcome.output)

