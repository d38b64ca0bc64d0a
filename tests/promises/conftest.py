"""Reuse the cases world (Claire, Denis, actors, the signed-in console)."""

from tests.cases.conftest import as_bob, as_claire, claire, console, denis, quick_passwords

__all__ = ["as_bob", "as_claire", "claire", "console", "denis", "quick_passwords"]
