"""Text that spreadsheets open safely: no formula injection, no mangled identity numbers.

A value such as `=HYPERLINK(...)` or `+62...` typed into the registry would run as a formula when
an exported file is opened in Excel or LibreOffice (CSV injection, OWASP). Every exporter writes
text through this module:

- CSV: `safe_text` puts a leading `'` before a value starting with `=`, `+`, `-`, `@`, tab or CR;
  `unquote_text` is its inverse, for readers of files we wrote;
- XLSX: `xlsx_text_cell` writes a string cell (never a formula, never an error code) carrying the
  quote-prefix style, so Excel keeps it text even when the user edits it; `xlsx_identity_cell`
  writes NIK/No. KK as text cells formatted "@" (Excel keeps only 15 significant digits of a
  number: DOMAIN.md §4).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
TEXT_FORMAT = "@"


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (or a DDE command)."""
    return text.startswith(DANGEROUS_FIRST)


def safe_text(value: Any) -> str:
    """`value` as CSV text that no spreadsheet evaluates: `=1+1` → `'=1+1`; None → ``."""
    if value is None:
        return ""
    text = str(value)
    return QUOTE + text if is_dangerous(text) else text


def unquote_text(text: str) -> str:
    """Undo `safe_text`: `'=1+1` → `=1+1`. A quote before a harmless character stays."""
    if text.startswith(QUOTE) and is_dangerous(text[1:]):
        return text[1:]
    return text


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    cell = WriteOnlyCell(sheet)
    # Assigned after binding: openpyxl would otherwise type `=…` as a formula, `#N/A` as an error.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"
    return cell


def xlsx_text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell | str | None:
    """A value for a write-only row: plain text as is, risky text as a quote-prefixed string cell.

    Only the risky values get a cell object of their own, so a large export stays fast.
    """
    if value is None or value == "":
        return None
    text = str(value)
    if (
        not is_dangerous(text)
        and not text.startswith("#")
        and not ILLEGAL_CHARACTERS_RE.search(text)
    ):
        return text
    cell = _text_cell(sheet, text)
    cell.quotePrefix = True
    return cell


def xlsx_identity_cell(sheet: WriteOnlyWorksheet, value: str) -> Cell:
    """A NIK/No. KK as a text cell formatted "@": all 16 digits, never a number."""
    cell = _text_cell(sheet, value or "")
    cell.number_format = TEXT_FORMAT
    return cell
