"""API tokens: how integrations (telephony, chat, back office) call the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from courtier.core.ids import new_id


class ApiToken(models.Model):
    """A secret an integration presents as ``Authorization: Bearer …``; stored only as a hash."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
