"""``courtier token create|revoke|list``: API tokens for integrations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from courtier.core.errors import DomainError
from courtier.staff import services as staff


class Command(BaseCommand):
    help = "Create, revoke or list API tokens (the secret is shown once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="create|revoke|list")
        create = verbs.add_parser("create", help="create a token and print it once")
        create.add_argument("name", help="what the token is for, e.g. telephony")
        create.add_argument("--user", required=True, help="the staff username it acts for")
        revoke = verbs.add_parser("revoke", help="revoke a token by its secret or its id")
        revoke.add_argument("token", help="the ctr_… secret, or the id `token list` shows")
        verbs.add_parser("list", help="list tokens: id, name, user, created, revoked")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['verb']}")(opts)
        except DomainError as exc:
            raise CommandError(exc.detail) from None

    def _create(self, opts: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"--user: no staff member is called {opts['user']!r}")
        if not user.is_active:
            raise CommandError(f"--user: {opts['user']!r} is deactivated")
        token = staff.create_token(user, opts["name"])
        self.stderr.write(f"Token {opts['name']!r} for {opts['user']}; shown once, keep it:")
        self.stdout.write(token)

    def _revoke(self, opts: dict[str, Any]) -> None:
        given = opts["token"].strip()
        if given.startswith(staff.TOKEN_PREFIX):
            revoked = staff.revoke_token(given)
        else:
            revoked = staff.revoke_token_by_id(given)
        if not revoked:
            raise CommandError("token: no live token matches (unknown or already revoked)")
        self.stdout.write("Revoked.")

    def _list(self, opts: dict[str, Any]) -> None:
        tokens = staff.list_tokens()
        if not tokens:
            self.stdout.write("No tokens.")
            return
        self.stdout.write(f"{'id':36}  {'name':20}  {'user':16}  {'created':16}  revoked")
        for token in tokens:
            created = timezone.localtime(token.created_at).strftime("%Y-%m-%d %H:%M")
            revoked = (
                timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")
                if token.revoked_at
                else "-"
            )
            self.stdout.write(
                f"{token.public_id!s:36}  {token.name[:20]:20}  "
                f"{token.user.get_username()[:16]:16}  {created:16}  {revoked}"
            )
