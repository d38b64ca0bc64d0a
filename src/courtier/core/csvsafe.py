"""CSV cells that a spreadsheet will not execute, and that round-trip through import.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (OWASP "CSV injection"). Such a cell gets a
leading apostrophe, which spreadsheets read as "this cell is text" and do not display.

Phone numbers in E.164 start with ``+``, so they get the apostrophe too: unprotected,
``+15145550199`` is evaluated to the number 15145550199 (the ``+`` lost, often shown as
1.52E+10); protected, it shows as the text ``+15145550199``, which reads and dials as a
phone number. The importer strips that one apostrophe, so an export imports back unchanged.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Return ``value`` as CSV text that no spreadsheet evaluates as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def unguard_cell(text: str) -> str:
    """Undo :func:`safe_cell` on a cell read back from a CSV file."""
    if text.startswith("'") and text[1:2] and text[1:2] in "=+-@\t\r":
        return text[1:]
    return text
