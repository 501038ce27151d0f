"""Writers: record → bytes (JSON Lines, JSON array, CSV), and safe output files."""

from .base import FORMATS, Writer, make_writer
from .output import open_output

__all__ = ["FORMATS", "Writer", "make_writer", "open_output"]
