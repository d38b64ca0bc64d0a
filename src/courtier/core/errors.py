"""The errors services raise. Each names the field (or line) and the reason.

The API turns them into RFC 9457 problem documents, the CLI into a line and a reason,
pages into a form with the message; services never know which.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One reason one field was refused."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every refusal a service makes on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(DomainError):
    """Input that cannot be accepted; names each field and why."""

    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        """Build the error for a single field."""
        return cls(f"{name}: {message}", [FieldError(name, message)])


class NotFound(DomainError):
    """Nothing matches (or the caller may not know that it exists)."""

    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request contradicts data that is already there."""

    status = 409
    title = "Conflict"


@dataclass
class RowError:
    """One rejected line of an import."""

    line: int
    reason: str
    fields: list[str] = field(default_factory=list)
