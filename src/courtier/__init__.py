"""Courtier: a customer-experience system that knows every customer by name."""

__version__ = "0.1.0"
