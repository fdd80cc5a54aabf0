"""Errors that name the input and the reason, for users rather than tracebacks."""


class InputError(Exception):
    """An input could not be read as text: not found, not a file, too large, binary or undecodable."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# What each optional extra of the package brings, for the message when it is missing.
EXTRAS = {
    "office": ("python-docx, pdfplumber and striprtf", "reading .docx, .pdf and .rtf inputs"),
    "export": ("DuckDB and XlsxWriter", "export and panel to .duckdb, .parquet, .csv and .xlsx"),
    "ocr": ("pypdfium2 and Pillow", "reading a scan by OCR"),
    "plot": ("matplotlib and DuckDB", "drawing a panel"),
}


class MissingExtra(ImportError):
    """A feature needs a package of an optional extra that is not installed."""

    def __init__(self, extra: str):
        packages, feature = EXTRAS[extra]
        super().__init__(f"{feature} needs {packages}, which {'are' if ' and ' in packages else 'is'} not installed: "
                         f"pip install 'xeploai[{extra}]'")
        self.extra = extra


def require(module: str, extra: str):
    """Import ``module``, which comes with the optional ``extra``, or raise MissingExtra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(extra) from None


def require_for(module: str, extra: str, path, what: str = ""):
    """``require`` for reading ``path``: a missing extra is an InputError naming the file (and ``what`` was
    being done), not a traceback."""
    try:
        return require(module, extra)
    except MissingExtra as exc:
        raise InputError(str(path), f"{what}: {exc}" if what else str(exc)) from None
