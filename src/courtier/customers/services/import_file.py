"""Reading an import file: its columns, its structure, and each line as a clean row.

The format is documented in docs/import.md. This module only reads and checks; it never
writes. Every check is the one the services use (``normalize``, ``clean_customer_fields``,
``clean_fact``), so a value the API refuses is refused here with the same reason, named by
its column instead of its field.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from courtier.core.csvsafe import unguard_cell
from courtier.core.errors import FieldError, Invalid
from courtier.customers.normalize import normalize
from courtier.customers.services.facts import clean_fact
from courtier.customers.services.records import clean_customer_fields

FIELD_COLUMNS = (
    "display_name",
    "given_name",
    "family_name",
    "preferred_name",
    "salutation",
    "language",
    "register",
    "time_zone",
    "status",
)
_IDENTIFIER = re.compile(r"(phone|email|handle|account)([2-9]|[1-9][0-9]+)?")
_SYSTEM = re.compile(r"(handle|account)([2-9]|[1-9][0-9]+)?_system")
FACT_PREFIX = "fact:"
MAX_SOURCE = 100
MAX_SYSTEM = 64
# Far above any value a column accepts (1,000 for a fact), so a cell this long is not an
# oversized value but a quote left open swallowing the lines after it.
MAX_CELL = 100_000


@dataclass(frozen=True)
class IdentifierColumn:
    """A column holding one identifier, and the column naming its system, if any."""

    index: int
    name: str
    kind: str
    system_index: int | None


@dataclass(frozen=True)
class Columns:
    """What each column of a file holds, checked before any row is read."""

    width: int
    fields: list[tuple[int, str]]
    identifiers: list[IdentifierColumn]
    facts: list[tuple[int, str]]
    id_index: int | None
    source_index: int | None


class Key(NamedTuple):
    """One way a row names its customer: an identifier, or the customer's id."""

    # A named tuple, not a dataclass: a million-row import builds and hashes millions.
    kind: str  # phone, email, handle, account, or "id"
    value: str
    system: str = ""


@dataclass
class Row:
    """One line of the file, every cell checked and normalised."""

    line: int
    source: str
    public_id: uuid.UUID | None = None
    fields: dict[str, str] = field(default_factory=dict)
    identifiers: list[tuple[Key, str]] = field(default_factory=list)  # key, raw value
    facts: list[tuple[str, str]] = field(default_factory=list)  # key, value
    columns: dict[Key, str] = field(default_factory=dict)  # which column gave each key

    @property
    def keys(self) -> list[Key]:
        """Every key the row is found by, id first."""
        keys = [Key("id", str(self.public_id))] if self.public_id else []
        return keys + [key for key, _ in self.identifiers]


def read_header(cells: list[str]) -> Columns:
    """Check the header line; raise :class:`Invalid` naming every column that is wrong."""
    errors: list[FieldError] = []
    names = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
    seen: set[str] = set()
    for name in names:
        if not name:
            errors.append(FieldError("(empty)", "a column has no name"))
        elif name in seen:
            errors.append(FieldError(name, "appears twice"))
        seen.add(name)
    fields, identifiers, facts = [], [], []
    id_index = source_index = None
    for index, name in enumerate(names):
        if name in FIELD_COLUMNS:
            fields.append((index, name))
        elif name == "id":
            id_index = index
        elif name == "source":
            source_index = index
        elif match := _IDENTIFIER.fullmatch(name):
            system = f"{name}_system" if match[1] in ("handle", "account") else None
            system_index = names.index(system) if system in names else None
            identifiers.append(IdentifierColumn(index, name, match[1], system_index))
        elif _SYSTEM.fullmatch(name):
            if name.removesuffix("_system") not in names:
                errors.append(FieldError(name, f"needs a {name.removesuffix('_system')} column"))
        elif name.startswith(FACT_PREFIX):
            try:
                key, _ = clean_fact(name[len(FACT_PREFIX) :], "x")
            except Invalid as exc:
                errors.append(FieldError(name, "fact name " + exc.errors[0].message))
            else:
                facts.append((index, key))
        elif name:
            errors.append(
                FieldError(
                    name,
                    "is not a known column (customer fields, id, source, phone, email, "
                    "handle, account with optional 2, 3... and _system, or fact:NAME)",
                )
            )
    if errors:
        detail = "; ".join(f"column {e.field}: {e.message}" for e in errors)
        raise Invalid(f"line 1: {detail}. Nothing was imported.", errors)
    return Columns(len(names), fields, identifiers, facts, id_index, source_index)


def utf8_lines(path: Path) -> Iterator[str]:
    """Yield the file's lines as text; a byte that is not UTF-8 names its line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise Invalid(
                    f"line {number}: byte 0x{raw[exc.start]:02x} at position {exc.start + 1} is "
                    "not UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel). "
                    "Nothing was imported.",
                    [FieldError(f"line {number}", "is not UTF-8")],
                ) from None


def records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first line number, cells)`` per record, skipping blank lines.

    Strict parsing: a quote left open or text after a closing quote is an error naming the
    line where the record starts, raised as :class:`Invalid`.
    """
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(utf8_lines(path), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "field larger" in reason or "unexpected end" in reason:
                reason = "a quoted cell is never closed (or a cell is over 100,000 characters)"
            raise Invalid(
                f"line {start}: broken CSV: {reason}. Nothing was imported.",
                [FieldError(f"line {start}", reason)],
            ) from None
        if cells:
            yield start, cells
        start = reader.line_num + 1


def sniff_delimiter(path: Path) -> str:
    """Return ``;`` for files saved by a spreadsheet in a comma-decimal locale, else ``,``."""
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace")
    return ";" if ";" in first and "," not in first else ","


@lru_cache(maxsize=512)
def _time_zone(value: str) -> str:
    # The zone list is read from disk on every call (13 ms); a file repeats a few zones.
    return str(clean_customer_fields({"time_zone": value}, creating=False)["time_zone"])


def parse_row(columns: Columns, line: int, cells: list[str], default_source: str) -> Row:
    """Check one record and return it as a :class:`Row`; raise :class:`Invalid` naming columns.

    Empty cells are "not given": an import adds and corrects, it never erases.
    """
    if len(cells) != columns.width:
        raise Invalid(f"has {len(cells)} cells, the header has {columns.width}")
    cells = [unguard_cell(cell).strip() for cell in cells]
    errors: list[FieldError] = []
    source = default_source
    if columns.source_index is not None and cells[columns.source_index]:
        source = cells[columns.source_index]
        if len(source) > MAX_SOURCE:
            errors.append(FieldError("source", f"is longer than {MAX_SOURCE} characters"))
    row = Row(line, source)
    if columns.id_index is not None and (text := cells[columns.id_index]):
        try:
            row.public_id = uuid.UUID(text)
        except ValueError:
            errors.append(FieldError("id", "is not a customer id (a UUID from an export)"))
    given = {name: cells[index] for index, name in columns.fields if cells[index]}
    zone = given.pop("time_zone", "")
    try:
        row.fields = clean_customer_fields(given, creating=False)
        if zone:
            row.fields["time_zone"] = _time_zone(zone)
    except Invalid as exc:
        errors.extend(exc.errors)
    for column in columns.identifiers:
        raw = cells[column.index]
        if not raw:
            continue
        system = cells[column.system_index] if column.system_index is not None else ""
        if len(system) > MAX_SYSTEM:
            errors.append(FieldError(f"{column.name}_system", "is longer than 64 characters"))
            continue
        try:
            key = Key(column.kind, normalize(column.kind, raw, column.name), system)
        except Invalid as exc:
            errors.extend(exc.errors)
            continue
        if key not in row.columns:
            row.columns[key] = column.name
            row.identifiers.append((key, raw))
    for index, name in columns.facts:
        if cells[index]:
            try:
                row.facts.append(clean_fact(name, cells[index]))
            except Invalid as exc:
                errors.extend(FieldError(FACT_PREFIX + name, e.message) for e in exc.errors)
    if not errors and not row.keys:
        errors.append(
            FieldError(
                "phone",
                "no identifier: give a phone, email, handle, account or id so that importing "
                "the file again finds this customer instead of creating a duplicate",
            )
        )
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return row
