"""xeploai: grounded figures from Vietnamese reports on party organisation and member ratings."""

from .batch import extract_many
from .errors import InputError
from .models import Document, Figure
from .patterns import PatternError
from .pipeline import VERSION as __version__
from .pipeline import extract, extract_file

__all__ = ["Document", "Figure", "InputError", "PatternError", "extract", "extract_file", "extract_many",
           "__version__"]
