"""Writers: record → bytes (JSON Lines, JSON array, CSV, Parquet), and safe output files."""

from .base import FORMATS, OutputFormat, Writer, make_writer, output_format
from .output import open_output

__all__ = ["FORMATS", "OutputFormat", "Writer", "make_writer", "open_output", "output_format"]
