"""Start Django for a benchmark: a fresh SQLite file, or COURTIER_DATABASE_URL if given."""

from __future__ import annotations

import os
import tempfile


def setup() -> str:
    """Configure and migrate a database for a benchmark run; return its vendor."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
    os.environ.setdefault("COURTIER_DATA_DIR", tempfile.mkdtemp(prefix="courtier-bench-"))
    os.environ.setdefault("COURTIER_SECRET_KEY", "bench-only-" + "x" * 40)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor
