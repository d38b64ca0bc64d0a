"""Test-wide environment, set before Django reads its settings."""

import os
import tempfile

os.environ.setdefault("COURTIER_SECRET_KEY", "tests-only-" + "x" * 40)
os.environ.setdefault("COURTIER_DATA_DIR", tempfile.mkdtemp(prefix="courtier-tests-"))
os.environ.setdefault("COURTIER_PHONE_REGION", "CA")
# The suite runs a second time on PostgreSQL when CI names a server.
if url := os.environ.get("COURTIER_TEST_DATABASE_URL"):
    os.environ["COURTIER_DATABASE_URL"] = url
