"""Ground utilities every floor stands on: files read and written within limits, text made safe,
number styles.

Private to stepgrad (the leading underscore): its names may change without notice.
"""

from .files import (
                   FORMATS,
                   MAX_BYTES,
                   MAX_DEPTH,
                   MAX_NUMBER_LENGTH,
                   DataFileError,
                   exchange,
                   field_name,
                   loads_data,
                   read_data,
                   read_text,
                   read_text_any,
                   write_atomic,
                   write_atomic_all,
                   write_new,
)
from .numbers import decimal, drawn, fixed, general, quantum, score, short
from .text import (
                   LATEX_SPECIALS,
                   LATEX_SYMBOLS,
                   escape_csv,
                   escape_html,
                   escape_latex,
                   escape_markdown,
                   html_page,
                   printable,
)

__all__ = ["FORMATS", "MAX_BYTES", "MAX_NUMBER_LENGTH", "DataFileError", "field_name", "loads_data",
           "read_data", "read_text", "read_text_any", "write_atomic", "write_atomic_all", "write_new", "exchange",
           "MAX_DEPTH",
           "printable", "escape_html",
           "escape_markdown", "escape_latex", "escape_csv", "html_page", "LATEX_SPECIALS", "LATEX_SYMBOLS",
           "general", "fixed", "decimal", "quantum", "short", "drawn", "score"]
