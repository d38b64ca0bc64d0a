"""The ``courtier`` command: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run ``courtier SUBCOMMAND ...`` as the matching management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courtier.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["courtier", *args])
    except ImproperlyConfigured as exc:
        # A configuration mistake is the operator's to fix: say which variable, not a traceback.
        sys.stderr.write(f"courtier: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
