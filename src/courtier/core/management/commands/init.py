"""``courtier init``: prepare the database and the first administrator; safe to run again."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courtier.staff.services import create_admin

PASSWORD_ENV = "COURTIER_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a secret


class Command(BaseCommand):
    help = (
        "Migrate the database, then create the first administrator. Running it again only "
        "migrates; an existing administrator is left alone unless --reset-password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help=f"the password (else ${PASSWORD_ENV}, else prompted, else generated)",
        )
        parser.add_argument(
            "--reset-password", action="store_true", help="set a new password if the user exists"
        )
        parser.add_argument("--no-input", action="store_true", help="never prompt")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        username = opts["username"].strip()
        if not username:
            raise CommandError("--username: is empty")
        exists = get_user_model().objects.filter(username=username).exists()
        if exists and not opts["reset_password"]:
            self.stdout.write(f"Administrator {username!r} already exists; left unchanged.")
            return
        password, generated = self._password(opts)
        create_admin(username, password, email=opts["email"].strip())
        verb = "Password reset for" if exists else "Created administrator"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username!r}."))
        if generated:
            self.stdout.write(f"Generated password (shown once, keep it): {password}")

    def _password(self, opts: dict[str, Any]) -> tuple[str, bool]:
        """Return the password and whether it was generated; refuse a weak one with why."""
        password = opts["password"] or os.environ.get(PASSWORD_ENV, "")
        origin = "--password" if opts["password"] else PASSWORD_ENV
        if not password and not opts["no_input"] and sys.stdin.isatty():
            password = getpass.getpass("Password for the administrator: ")
            if password != getpass.getpass("Same password again: "):
                raise CommandError("password: the two entries differ")
            origin = "password"
        if not password:
            return secrets.token_urlsafe(15), True
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(f"{origin}: {' '.join(exc.messages)}") from None
        return password, False
