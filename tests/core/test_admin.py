"""The admin pages open for an administrator."""

from django.test import Client

from courtier.audit.models import AccessLog
from courtier.customers.models import Customer


def test_admin_lists_open(alice, marie: Customer):
    client = Client()
    client.force_login(alice)
    for url in [
        "/admin/customers/customer/",
        f"/admin/customers/customer/{marie.pk}/change/",
        "/admin/interactions/interaction/",
        "/admin/audit/accesslog/",
        "/admin/staff/apitoken/",
    ]:
        assert client.get(url).status_code == 200, url
    assert AccessLog.objects.filter(customer_id=marie.pk, action="view", reason="admin").exists()
