"""Console records: failed sign-ins (for rate limiting) and the console's own permissions."""

from __future__ import annotations

from django.db import models


class SignInFailure(models.Model):
    """One refused console sign-in: which username was tried, from where, and when."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]
        # Console permissions are not about one table; they hang here so groups can hold them.
        permissions = [
            ("use_console", "Can use the staff console"),
            ("settle_conflicts", "Can settle conflicting facts"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.ip}"
