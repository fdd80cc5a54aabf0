"""OCR: the text of a scan (a PDF without a text layer, or an image of a page), read by Tesseract.

Tesseract runs as a program (Debian's ``tesseract-ocr`` and ``tesseract-ocr-vie``), one page at a time
and each within a time limit; a PDF's pages are rendered by PDFium (pypdfium2) at ``DPI``. What was read,
and how confidently, is recorded for the output document (``Document.ocr``). The text depends only on
the input and the installed Tesseract: a page that runs out of time is an error, never a shorter text.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
from dataclasses import dataclass
from itertools import islice

from .errors import InputError, require_for
from .models import Ocr, OcrPage

TESSERACT = "tesseract"
LANGUAGE = "vie"
DPI = 300  # what a page of a PDF is rendered at, and what an image that states no resolution is taken to have
MAX_PAGES = 50  # a scan is read up to this page; the record's page_count shows when it has more
PAGE_TIMEOUT = 120  # seconds Tesseract may take for one page
MAX_PIXELS = 60_000_000  # an A3 page at 300 dpi has 17 M; a larger PDF page is rendered at a lower resolution
_WORD = "5"  # the level of a word in Tesseract's TSV output (pages, blocks, paragraphs and lines have no confidence)
# PDFium may not be called from two threads at once, not even on two documents (a Dask worker runs tasks in threads).
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class Scan:
    pages: list[str]  # the text of each page read, its lines as Tesseract found them
    record: Ocr


@dataclass(frozen=True)
class _Page:
    dpi: int
    text: str
    confidences: list[float]  # of each word read


def _environment() -> dict[str, str]:
    # One thread unless the user says otherwise: Tesseract's OpenMP threads make a page about four times
    # slower on two cores, for the same text.
    return {"OMP_THREAD_LIMIT": "1", **os.environ}


def _engine(path: str, scan: str) -> str:
    """Tesseract's name and version, once it is known to read the language; else an error naming what to install."""
    install = f"apt-get install tesseract-ocr tesseract-ocr-{LANGUAGE}"
    try:
        version = subprocess.run([TESSERACT, "--version"], capture_output=True, timeout=60, check=True)
        languages = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        raise InputError(path, f"{scan}: reading it by OCR needs the Tesseract program and its '{LANGUAGE}' data, "
                               f"which are not installed: {install}") from None
    if LANGUAGE not in languages.stdout.decode("utf-8", "replace").split()[1:]:  # after "List of … languages …:"
        raise InputError(path, f"{scan}: reading it by OCR needs Tesseract's '{LANGUAGE}' data, which is not "
                               f"installed: {install}")
    return (version.stdout or version.stderr).decode("utf-8", "replace").strip().split("\n")[0]


def _read_page(image: bytes, number: int, dpi: int, path: str) -> _Page:
    """What OCR reads on one page image (PNG bytes)."""
    command = [TESSERACT, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(dpi), "tsv"]
    try:
        done = subprocess.run(command, input=image, capture_output=True, timeout=PAGE_TIMEOUT, env=_environment())
    except subprocess.TimeoutExpired:
        raise InputError(path, f"OCR of page {number} took more than {PAGE_TIMEOUT} s; not read") from None
    except OSError as exc:
        raise InputError(path, f"OCR of page {number} could not run Tesseract: {exc.strerror}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().split("\n")[-1]
        raise InputError(path, f"OCR of page {number} failed: {reason or f'exit status {done.returncode}'}")
    return _Page(dpi, *_page_text(done.stdout.decode("utf-8", "replace")))


@dataclass
class _Line:
    paragraph: tuple[str, str]  # Tesseract's block and paragraph numbers
    left: int
    right: int
    height: int
    first_word: int  # the width of its first word
    words: list[str]


def _lines(tsv: str) -> tuple[list[_Line], list[float]]:
    """The lines of Tesseract's TSV output with their extent, and the confidence of each word."""
    lines: dict[tuple[str, str, str], _Line] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t", 11)
        if len(cells) != 12 or cells[0] != _WORD or not cells[11].strip():
            continue
        left, width, height = int(cells[6]), int(cells[8]), int(cells[9])
        line = lines.setdefault((cells[2], cells[3], cells[4]), _Line((cells[2], cells[3]), left, left, 0, width, []))
        line.right, line.height = max(line.right, left + width), max(line.height, height)
        line.words.append(cells[11].strip())
        confidences.append(float(cells[10]))
    return list(lines.values()), confidences


def _page_text(tsv: str) -> tuple[str, list[float]]:
    """A page's text from Tesseract's TSV and the confidence of each word: a blank line between paragraphs,
    and a line the layout wrapped joined to the next. A line was wrapped when the next one's first word
    would not have fitted after it within the page's text column (allowing a line's height for the space
    and for the boxes, which are tighter than the glyphs), and the next one starts at its paragraph's left
    edge: a short line, a heading or a centred line keeps its own line."""
    lines, confidences = _lines(tsv)
    column_right = max((line.right for line in lines), default=0)
    paragraph_left: dict[tuple[str, str], int] = {}
    for line in lines:
        paragraph_left[line.paragraph] = min(paragraph_left.get(line.paragraph, line.left), line.left)
    parts: list[str] = []
    for before, line in zip([None, *lines], lines):
        if before is not None and before.paragraph != line.paragraph:
            parts.append("\n\n")
        elif before is not None:
            wrapped = (before.right + before.height + line.first_word > column_right
                       and line.left <= paragraph_left[line.paragraph] + line.height)
            parts.append(" " if wrapped else "\n")
        parts.append(" ".join(line.words))
    return "".join(parts), confidences


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _scan(read: list[_Page], page_count: int, engine: str) -> Scan:
    """The pages' texts and the record: per page and over the document, the words and their mean confidence."""
    pages = [OcrPage(page=number, dpi=page.dpi, words=len(page.confidences), mean_confidence=_mean(page.confidences))
             for number, page in enumerate(read, start=1)]
    every = [c for page in read for c in page.confidences]
    record = Ocr(engine=engine, language=LANGUAGE, mean_confidence=_mean(every), words=len(every),
                 page_count=page_count, pages=pages)
    return Scan([page.text for page in read], record)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _rendered(page) -> tuple[bytes, int]:
    """A PDF page as a grey PNG at ``DPI`` (less for a page too large for ``MAX_PIXELS``), and its resolution."""
    width, height = page.get_size()  # in points, 72 to the inch
    scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    return _png(page.render(scale=scale, grayscale=True).to_pil()), round(72 * scale)


def read_pdf(data: bytes, path: str) -> Scan:
    """The pages of a PDF without a text layer (the first ``MAX_PAGES``), rendered and read by OCR."""
    scan = "the PDF has no text layer (a scan?)"
    pdfium = require_for("pypdfium2", "ocr", path, scan)
    require_for("PIL.Image", "ocr", path, scan)  # a rendered page goes to Tesseract as a PNG
    engine = _engine(path, scan)
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise InputError(path, f"{scan}, and it cannot be rendered for OCR: {exc}") from None
        page_count = len(pdf)
    read = []
    try:
        for index in range(min(page_count, MAX_PAGES)):
            with _PDFIUM:
                image, dpi = _rendered(pdf[index])
            read.append(_read_page(image, index + 1, dpi, path))
    finally:
        with _PDFIUM:
            pdf.close()
    return _scan(read, page_count, engine)


def _stated_dpi(frame) -> int:
    """The resolution an image states, when it is one a scanner uses; else ``DPI``."""
    stated = frame.info.get("dpi")
    x = float(stated[0]) if isinstance(stated, tuple) and stated else 0.0
    return round(x) if 70 <= x <= 2400 else DPI


def _grey_page(frame, image_module, path: str) -> bytes:
    """A frame upright (as its EXIF says) and grey, a transparent background made white."""
    from PIL import ImageOps

    if frame.width * frame.height > MAX_PIXELS:
        raise InputError(path, f"an image of {frame.width}×{frame.height} pixels, too large for OCR; not read")
    frame = ImageOps.exif_transpose(frame)
    if "A" in frame.getbands() or frame.mode == "P":
        frame = frame.convert("RGBA")
        frame = image_module.alpha_composite(image_module.new("RGBA", frame.size, "white"), frame)
    return _png(frame.convert("L"))


def read_image(data: bytes, path: str) -> Scan:
    """An image of a page (.png, .jpg, .tif; each frame of a TIFF, up to ``MAX_PAGES``), read by OCR at the
    resolution it states."""
    scan = "an image (a scan?)"
    image_module = require_for("PIL.Image", "ocr", path, scan)
    from PIL import ImageSequence

    engine = _engine(path, scan)
    try:
        image = image_module.open(io.BytesIO(data))
        page_count = getattr(image, "n_frames", 1)
        frames = [(_grey_page(frame, image_module, path), _stated_dpi(frame))
                  for frame in islice(ImageSequence.Iterator(image), MAX_PAGES)]
    except InputError:
        raise
    except Exception as exc:  # Pillow raises many unrelated types on a damaged image; the type says enough
        raise InputError(path, f"not a readable image ({exc.__class__.__name__})") from None
    read = [_read_page(png, number, dpi, path) for number, (png, dpi) in enumerate(frames, start=1)]
    return _scan(read, page_count, engine)
