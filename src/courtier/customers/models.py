"""The customer record: the person, the identifiers that lead to them, and the facts we hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from courtier.core.ids import new_id


class Register(models.TextChoices):
    """How to address the customer: vous or tu, Ms Tremblay or Marie."""

    FORMAL = "formal", "Formal (vous)"
    INFORMAL = "informal", "Informal (tu)"


class Salutation(models.TextChoices):
    """The title used in a formal greeting; empty means greet by full name."""

    NONE = "", "None"
    MS = "ms", "Ms / Madame"
    MR = "mr", "Mr / Monsieur"
    MX = "mx", "Mx"
    DR = "dr", "Dr / Docteur"


class CustomerStatus(models.TextChoices):
    """Whether the customer is served, has left, or was merged into another record."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    MERGED = "merged", "Merged"


class Customer(models.Model):
    """A person the company serves."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    display_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    salutation = models.CharField(max_length=8, choices=Salutation.choices, blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    register = models.CharField(max_length=10, choices=Register.choices, default=Register.FORMAL)
    time_zone = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["display_name", "id"]),
        ]

    def __str__(self) -> str:
        return self.display_name


class IdentifierKind(models.TextChoices):
    """The kinds of identifier a customer can be found by."""

    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    HANDLE = "handle", "Chat handle"
    ACCOUNT = "account", "Account number"


class Identifier(models.Model):
    """One way to find a customer: a phone, an email, a chat handle or an account number."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identifiers", db_index=False
    )
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    # The system an account number lives in ("billing") or a handle's network ("whatsapp").
    system = models.CharField(max_length=64, blank=True)
    raw_value = models.CharField(max_length=320)
    value = models.CharField(max_length=320)
    source = models.CharField(max_length=100)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # (kind, value) first so a lookup that does not name the system uses the index.
            models.UniqueConstraint(
                fields=["kind", "value", "system"], name="identifier_unique_value"
            )
        ]
        indexes = [models.Index(fields=["customer", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class SourceKind(models.TextChoices):
    """Who told us a fact."""

    SYSTEM = "system", "System"
    STAFF = "staff", "Staff member"
    CUSTOMER = "customer", "The customer"
    IMPORT = "import", "Import"


class Fact(models.Model):
    """One observation of one attribute of a customer, with where it came from and when."""

    public_id = models.UUIDField(default=new_id, unique=True, editable=False)
    # No index of its own: an index or unique constraint in Meta starts with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="facts", db_index=False
    )
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=1000)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    # "billing", a staff username, "portal": together with source_kind, who said it.
    source = models.CharField(max_length=100)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    observed_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    # Set when the value was withdrawn or a conflict was settled against it; kept as history.
    retracted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "key", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.source_kind}:{self.source})"
