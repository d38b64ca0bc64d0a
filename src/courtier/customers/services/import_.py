"""Importing customers from a CSV file: upsert by identifier, every bad line reported.

Guarantees:

- The header is checked, and the whole file is read once for its structure (encoding,
  quotes), before anything is written: a broken file imports nothing and names the line.
- Each row is all or nothing. A rejected row is reported with its line number and the
  reason naming its column; the good rows around it are kept.
- A row whose id, account number (in its system) or any identifier already belongs to a
  customer updates that customer; a row whose keys point at two different customers is
  rejected, naming both. Empty cells change nothing: an import never erases.
- Importing the same file again writes nothing: same fields, same identifiers, and a fact
  with the value its source last gave is not recorded again (as in ``record_fact``).
- Every customer created or updated gets an access-log entry, reason ``import FILE``.

Speed: rows are written in chunks, one transaction per chunk, with the existing keys of a
chunk fetched in one query and new rows inserted in bulk; at 10,000 rows a second, one
ORM call per row would be the whole budget. If the database refuses a chunk (a concurrent
writer took an identifier between our read and our insert), the chunk is replayed one
row per transaction so only the row at fault is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, DataError, IntegrityError, transaction

from courtier.core.actor import Actor
from courtier.core.errors import Invalid, RowError
from courtier.customers.services.import_apply import apply_rows
from courtier.customers.services.import_file import (
    Row,
    parse_row,
    read_header,
    records,
    sniff_delimiter,
)

CHUNK = 1000


@dataclass
class ImportResult:
    """What an import did, row by row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows read, rejected ones included."""
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def count(self, outcome: str) -> None:
        """Add one row's outcome (``created``, ``updated`` or ``unchanged``)."""
        setattr(self, outcome, getattr(self, outcome) + 1)


def check_file(path: Path) -> tuple[str, int]:
    """Read the whole file for its structure; return its delimiter and number of rows.

    Raises :class:`Invalid` naming the line for an unreadable file, a missing or wrong
    header, a byte that is not UTF-8, or a quote that is never closed.
    """
    if not path.is_file():
        raise Invalid.field("file", f"{path} does not exist or is not a file")
    delimiter = sniff_delimiter(path)
    rows = -1
    for _, cells in records(path, delimiter):
        if rows == -1:
            read_header(cells)
        rows += 1
    if rows == -1:
        raise Invalid.field("file", f"{path.name} is empty: the first line must name the columns")
    return delimiter, rows


def _parsed(path: Path, delimiter: str, source: str, result: ImportResult) -> Iterator[Row | None]:
    """Yield each row checked, or None for a rejected one (recorded in ``result``)."""
    lines = records(path, delimiter)
    _, header = next(lines)
    columns = read_header(header)
    for line, cells in lines:
        try:
            yield parse_row(columns, line, cells, source)
        except Invalid as exc:
            result.rejected.append(RowError(line, exc.detail, [e.field for e in exc.errors]))
            yield None


class ImportFailed(Exception):
    """The database failed as a whole (not one row): rows of earlier chunks are kept."""

    def __init__(self, line: int, error: DatabaseError, result: ImportResult) -> None:
        super().__init__(
            f"the database failed on the chunk starting at line {line}: {error}. "
            f"Rows before line {line} were imported; importing the file again resumes "
            "safely, since rows already imported are unchanged."
        )
        self.result = result


# A row's values can break a constraint or a column type; anything else (a missing table,
# a lost connection) is the database failing, and stops the import.
_ROW_ERRORS = (IntegrityError, DataError)


def _write(rows: list[Row], actor: Actor, reason: str, result: ImportResult) -> None:
    try:
        try:
            with transaction.atomic():
                outcomes = apply_rows(rows, actor, reason)
        except _ROW_ERRORS:
            # Some row in the chunk broke a constraint: find it, keep the others.
            outcomes = []
            for row in rows:
                try:
                    with transaction.atomic():
                        outcomes.extend(apply_rows([row], actor, reason))
                except _ROW_ERRORS as exc:
                    outcomes.append(RowError(row.line, f"the database refused the row: {exc}"))
    except DatabaseError as exc:
        raise ImportFailed(rows[0].line, exc, result) from exc
    for outcome in outcomes:
        if isinstance(outcome, RowError):
            result.rejected.append(outcome)
        else:
            result.count(outcome)


def import_customers(
    path: Path,
    *,
    actor: Actor | None = None,
    source: str = "",
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the customers of a CSV file (format in docs/import.md); see the module doc.

    ``source`` names where the file comes from when a row has no ``source`` cell; it
    defaults to the file name. ``progress`` is called with the number of rows just done.
    Raises :class:`Invalid` (and writes nothing) when the file itself is unreadable, and
    :class:`ImportFailed` when the database fails other than by refusing one row.
    """
    path = Path(path)
    delimiter, _ = check_file(path)
    actor = actor or Actor.system("import")
    reason = f"import {path.name}"
    result = ImportResult()
    chunk: list[Row] = []
    pending = 0
    for row in _parsed(path, delimiter, source or path.name, result):
        pending += 1
        if row is not None:
            chunk.append(row)
        if len(chunk) >= chunk_size:
            _write(chunk, actor, reason, result)
            chunk = []
            if progress:
                progress(pending)
            pending = 0
    if chunk:
        _write(chunk, actor, reason, result)
    if progress and pending:
        progress(pending)
    result.rejected.sort(key=lambda error: error.line)
    return result
