"""Agreements and promises: making, keeping, applying, reminding and counting them.

Each sub-module is one capability; import the one you need (``promises.services.keeping``).
"""
