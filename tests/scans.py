"""Scans made from known text, for the OCR tests and the accuracy benchmark (benchmarks/ocr_accuracy.py).

A text is drawn on A4 pages with Pillow in DejaVu Sans (matplotlib ships it, so no system font is needed),
optionally made worse as a poor scan is (tilted, blurred, speckled, at a lower resolution, as JPEG), and
saved as a PDF holding only the images. What OCR reads back is scored against the text drawn.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# A district's report: a header, a title and rating sentences whose figures add up.
REPORT = [
    "ĐẢNG BỘ HUYỆN AN LẠC",
    "BÁO CÁO",
    "Kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức cơ sở đảng và đảng viên năm 2023",
    "Toàn Đảng bộ có 52 tổ chức cơ sở đảng, trong đó 12 tổ chức (chiếm 23,08%) hoàn thành xuất sắc nhiệm vụ; "
    "35 tổ chức hoàn thành tốt nhiệm vụ; 4 tổ chức hoàn thành nhiệm vụ và 1 tổ chức không hoàn thành nhiệm vụ.",
    "Tổng số đảng viên được đánh giá là 2.145 đồng chí; trong đó 318 đảng viên (chiếm 14,83%) hoàn thành xuất "
    "sắc nhiệm vụ, 1.702 đảng viên (chiếm 79,35%) hoàn thành tốt nhiệm vụ, 110 đảng viên hoàn thành nhiệm vụ "
    "và 15 đảng viên không hoàn thành nhiệm vụ.",
]

A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = 1.0


@dataclass(frozen=True)
class Condition:
    """How a page is scanned: its resolution, and what makes it worse than a clean rendering."""

    name: str
    dpi: int = 300
    tilt: float = 0.0  # degrees
    blur: float = 0.0  # Gaussian radius in pixels
    speckle: float = 0.0  # standard deviation of the grey noise added
    jpeg_quality: int | None = None


CLEAN = Condition("clean: 300 dpi")
FAIR = Condition("fair: 150 dpi, tilted 1°, blurred, speckled, JPEG at quality 30", dpi=150, tilt=1.0, blur=0.8,
                 speckle=40, jpeg_quality=30)
POOR = Condition("poor: 200 dpi, tilted 1.5°, more blurred and speckled, JPEG at quality 25", dpi=200, tilt=1.5,
                 blur=1.2, speckle=50, jpeg_quality=25)
CONDITIONS = (CLEAN, FAIR, POOR)


def font(dpi: int, point_size: float):
    import matplotlib
    from PIL import ImageFont

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), round(point_size / 72 * dpi))


def _wrapped(paragraph: str, fits) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        candidate = f"{line} {word}".strip()
        if line and not fits(candidate):
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line]


def render(paragraphs: list[str], condition: Condition = CLEAN, point_size: float = 12,
           max_pages: int = 1) -> tuple[list, str]:
    """A4 pages showing the paragraphs (a whole paragraph goes to the next page when it does not fit), and
    the text they show: the paragraphs drawn, one a line."""
    from PIL import Image, ImageDraw

    dpi = condition.dpi
    face = font(dpi, point_size)
    size = (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi))
    margin, step = round(MARGIN_INCHES * dpi), round(face.size * 1.45)
    pages, shown, y = [], [], 0
    for paragraph in paragraphs:
        lines = _wrapped(paragraph, lambda text: face.getlength(text) <= size[0] - 2 * margin)
        if not pages or y + step * len(lines) > size[1] - margin:
            if len(pages) == max_pages:
                break
            pages.append(Image.new("L", size, 255))
            y = margin
        draw = ImageDraw.Draw(pages[-1])
        for line in lines:
            draw.text((margin, y), line, font=face, fill=0)
            y += step
        y += step // 2
        shown.append(paragraph)
    return [_scanned(image, condition) for image in pages], "\n".join(shown)


def _scanned(image, condition: Condition):
    """The page as the condition scans it; the noise is seeded, so a condition always gives the same image."""
    import numpy as np
    from PIL import Image, ImageFilter

    if condition.tilt:
        image = image.rotate(condition.tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if condition.blur:
        image = image.filter(ImageFilter.GaussianBlur(condition.blur))
    if condition.speckle:
        noise = np.random.default_rng(7).normal(0, condition.speckle, (image.height, image.width))
        image = Image.fromarray(np.clip(np.asarray(image, dtype=float) + noise, 0, 255).astype("uint8"))
    if condition.jpeg_quality:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=condition.jpeg_quality)
        image = Image.open(io.BytesIO(buffer.getvalue()))
    image.info["dpi"] = (condition.dpi, condition.dpi)
    return image


def image_pdf(pages: list, dpi: int) -> bytes:
    """A PDF of the page images alone: no text layer, as a scanner writes it."""
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def png(page) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, "PNG", dpi=page.info.get("dpi", (300, 300)))
    return buffer.getvalue()


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def errors(expected: str, read: str) -> tuple[int, int]:
    """(Levenshtein distance, length of the expected text), white space folded in both."""
    from rapidfuzz.distance import Levenshtein

    expected, read = _folded(expected), _folded(read)
    return Levenshtein.distance(expected, read), len(expected)


def character_accuracy(expected: str, read: str) -> float:
    """1 − Levenshtein distance / length of the expected text: 1.0 is a perfect read, 0 no better than nothing."""
    distance, length = errors(expected, read)
    return max(0.0, 1 - distance / max(length, 1))


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?")


def numbers_read(expected: str, read: str) -> tuple[int, int]:
    """(numbers of the expected text that OCR read exactly, numbers of the expected text)."""
    wanted, found = Counter(_NUMBER.findall(expected)), Counter(_NUMBER.findall(read))
    return sum((wanted & found).values()), sum(wanted.values())
