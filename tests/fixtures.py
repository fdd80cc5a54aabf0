"""Test inputs in the formats users bring: legacy encodings, saved pages, Word and PDF reports."""

import io
import unicodedata

REPORT = ("Đảng bộ huyện Tân Lạc: kết quả xếp loại chất lượng năm 2021\n\n"
          "Năm 2021, Đảng bộ huyện Tân Lạc có 52 tổ chức cơ sở đảng được xếp loại, trong đó 9 tổ chức cơ sở đảng "
          "hoàn thành xuất sắc nhiệm vụ (chiếm 17,31%), 38 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ "
          "(chiếm 73,08%) và 5 tổ chức cơ sở đảng hoàn thành nhiệm vụ (chiếm 9,62%).\n")

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 keeps ư, ơ, â … as letters but writes tone marks as separate combining bytes."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def html_page() -> bytes:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Kết quả xếp loại năm 2021</title>
<meta property="article:published_time" content="2022-01-18"></head><body>
<nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a> | Lượt xem: 14234</nav>
<article><h1>Kết quả xếp loại năm 2021</h1>
<p>{REPORT.splitlines()[2]}</p>
<p>Ban Thường vụ Huyện ủy đề nghị các cấp ủy tiếp tục nâng cao chất lượng sinh hoạt chi bộ trong thời gian tới,
thực hiện nghiêm túc các quy định về kiểm điểm, đánh giá, xếp loại chất lượng hằng năm.</p></article>
<footer>Bản quyền thuộc Huyện ủy Tân Lạc. Tổng lượt truy cập: 81257805</footer></body></html>""".encode("utf-8")


RATING_TABLE = [
    ["Đơn vị", "Hoàn thành xuất sắc nhiệm vụ", "Tỷ lệ (%)", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ"],
    ["Đảng bộ xã Mỹ Hòa", "3", "25", "8", "1"],
    ["Đảng bộ xã Phong Phú", "2", "20", "7", "1"],
]


def docx_report() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Kết quả xếp loại chất lượng chi bộ trực thuộc năm 2021")
    document.add_paragraph("Năm 2021, kết quả xếp loại chi bộ trực thuộc của các đảng bộ xã như sau:")
    table = document.add_table(rows=len(RATING_TABLE), cols=len(RATING_TABLE[0]))
    for i, row in enumerate(RATING_TABLE):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_report(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica, so ASCII text: a report typed without diacritics)."""
    content = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


PDF_LINES = ["Dang bo huyen Hoai Nhon Tay danh gia, xep loai chat luong nam 2020.",
             "Nam 2020, co 8 to chuc co so dang hoan thanh xuat sac nhiem vu, chiem 14,29%;",
             "45 to chuc co so dang hoan thanh tot nhiem vu, chiem 80,36%."]


def write_mixed_folder(folder) -> dict[str, str]:
    """Good and bad inputs side by side; returns {file name: what it is}."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "good.txt": REPORT.encode("utf-8"),
        "bom.txt": b"\xef\xbb\xbf" + REPORT.encode("utf-8"),
        "legacy.txt": cp1258(REPORT),
        "wide.txt": REPORT.encode("utf-16"),
        "page.html": html_page(),
        "table.docx": docx_report(),
        "scan.pdf": pdf_report(PDF_LINES),
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "truncated.txt": REPORT.encode("utf-8")[:-2] + "ế".encode("utf-8")[:2],
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {"bad": ["empty.txt", "binary.txt", "truncated.txt"]}
