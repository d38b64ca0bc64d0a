"""Who is acting: a staff member, an integration's token, the system itself, or a customer.

Every service that writes or reads a customer's record takes an actor, so the access log
and each fact's provenance name a person or a system, never "somebody".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person or system on whose behalf a service runs."""

    kind: str  # "staff", "integration", "system" or "customer"
    label: str  # a username, a token's name, a system's name
    user_id: int | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """An automated source such as an import or a back-office sync."""
        return cls(kind="system", label=name)

    @classmethod
    def staff(cls, user_id: int, username: str) -> Actor:
        """A staff member signed in to the console or using the API."""
        return cls(kind="staff", label=username, user_id=user_id)
