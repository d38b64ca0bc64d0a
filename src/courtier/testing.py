"""Pytest plugin (``-p courtier.testing``): the environment the suite runs in.

It is a plugin, not a conftest, because pytest-django reads Django's settings before any
conftest is imported; a plugin named with ``-p`` is imported earlier still.
"""

import os
import tempfile

os.environ.setdefault("COURTIER_SECRET_KEY", "tests-only-" + "x" * 40)
os.environ.setdefault("COURTIER_DATA_DIR", tempfile.mkdtemp(prefix="courtier-tests-"))
os.environ.setdefault("COURTIER_PHONE_REGION", "CA")
os.environ.setdefault("COURTIER_TIME_ZONE", "America/Toronto")
# The suite runs a second time on PostgreSQL when CI names a server.
if url := os.environ.get("COURTIER_TEST_DATABASE_URL"):
    os.environ["COURTIER_DATABASE_URL"] = url
else:
    os.environ.pop("COURTIER_DATABASE_URL", None)
