"""Reading what a batch wrote: its output documents, validated, and the source texts it recorded.

Everything that reads an output folder (``export``, ``review``, ``check``) goes through here, so a
JSON that is no valid output document is refused the same way everywhere: named, with the reason,
and never half-used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import batch
from .errors import InputError
from .load import load
from .models import Document


def read_output(path: Path) -> Document:
    """The output document at ``path``, validated against the contract."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    try:
        return Document.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise InputError(str(path), f"not an xeploai output document ({detail})") from None


@dataclass
class Outputs:
    documents: list[tuple[Path, Document]]
    invalid: list[InputError]
    stale: list[Path]


def read_outputs(paths: list[Path], *, include_stale: bool = True) -> Outputs:
    """The valid output documents among ``paths``; the invalid ones and (unless ``include_stale``)
    the ones the last batch listed as stale are set aside."""
    result = Outputs([], [], [])
    stale_of: dict[Path, set[str]] = {}
    for path in paths:
        root = batch_root(path)
        if not include_stale and root is not None:
            stale = stale_of.setdefault(root, batch.stale_outputs(root))
            if path.absolute().relative_to(root).as_posix() in stale:
                result.stale.append(path)
                continue
        try:
            result.documents.append((path, read_output(path)))
        except InputError as exc:
            result.invalid.append(exc)
    return result


def batch_root(path: Path) -> Path | None:
    """The OUTDIR holding the output ``path``: the nearest folder above it with the batch's records."""
    for folder in path.absolute().parents:
        if (folder / batch.MANIFEST).is_file():
            return folder
    return None


def recorded_text(path: Path, doc: Document) -> str | None:
    """The text the offsets of ``doc`` point into. The document carries it (html, docx, pdf), or it is
    the input the batch recorded for this output in its manifest, read only while its bytes still hash
    to what the batch read. The document's own ``source`` field is never opened: a crafted output
    could name any file of the machine."""
    if doc.text is not None:
        return doc.text
    root = batch_root(path)
    if root is None:
        return None
    entry = batch.recorded_sources(root).get(path.absolute().relative_to(root).as_posix())
    if entry is None or entry["input_sha256"] != doc.input_sha256:
        return None
    if batch.file_digest(entry["input"]) != entry["input_sha256"]:  # gone, changed, or no regular file
        return None
    try:
        return load(Path(entry["input"])).text  # decoded as at extraction, so the offsets agree
    except InputError:
        return None
