"""The customer API: CRUD, recognition over HTTP, problem+json errors naming the field."""

from __future__ import annotations

from django.test import Client

from courtier.audit.models import AccessLog
from courtier.customers.models import Customer, Fact, Identifier
from tests.conftest import ApiClient

PROBLEM = "application/problem+json"


def test_requests_without_credentials_are_refused(marie: Customer, db: None):
    response = Client().get("/api/v1/recognize", {"phone": "514 555 0199"})
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_revoked_or_unknown_token_is_refused(marie: Customer, db: None):
    assert ApiClient("ctr_nope").get("/recognize", phone="5145550199").status_code == 401
    assert ApiClient("garbage").get("/recognize", phone="5145550199").status_code == 401


def test_recognize_over_http_in_every_format(api: ApiClient, marie: Customer):
    for typed in ["+1 514-555-0199", "(514) 555 0199", "514.555.0199", "1-514/555-0199"]:
        response = api.get("/recognize", phone=typed, reason="inbound call")
        assert response.status_code == 200, response.content
        card = response.json()
        assert card["id"] == str(marie.public_id)
        assert card["greeting"] == "Bonjour Madame Tremblay"
    assert api.get("/recognize", email="MARIE.tremblay@example.COM").json()["id"] == str(
        marie.public_id
    )
    log = AccessLog.objects.filter(customer_id=marie.pk, action="recognize")
    assert log.count() == 5
    assert {entry.actor_label for entry in log} == {"alice via token tests"}


def test_recognize_no_match_is_404_saying_nothing_matched(api: ApiClient, db: None):
    response = api.get("/recognize", phone="514 555 0100")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "No customer matches this phone."


def test_malformed_phone_is_422_naming_the_field(api: ApiClient, db: None):
    response = api.get("/recognize", phone="12")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert body["errors"][0]["field"] == "phone"
    assert "phone number" in body["errors"][0]["message"]


def test_recognize_needs_exactly_one_identifier(api: ApiClient, db: None):
    assert api.get("/recognize").status_code == 422
    both = api.get("/recognize", phone="5145550199", email="a@example.com")
    assert both.status_code == 422
    assert "exactly one" in both.json()["detail"]
    unknown = api.get("/recognize", phone="5145550199", admin="1")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "admin"


def test_create_customer_with_identifiers_and_facts(api: ApiClient, db: None):
    response = api.post(
        "/customers",
        {
            "given_name": "Hélène",
            "family_name": "Gauthier",
            "language": "fr",
            "register": "informal",
            "identifiers": [
                {"kind": "phone", "value": "(438) 555-0123"},
                {"kind": "email", "value": "Helene@Example.ca"},
            ],
            "facts": [{"key": "postal_code", "value": "H3Z 2Y7", "source": "signup form"}],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["display_name"] == "Hélène Gauthier"
    card = api.get("/recognize", phone="+14385550123").json()
    assert card["id"] == created["id"]
    assert card["greeting"] == "Bonjour Hélène"
    assert card["profile"][0]["source"] == "signup form"


def test_create_is_all_or_nothing(api: ApiClient, marie: Customer):
    before = (Customer.objects.count(), Identifier.objects.count(), Fact.objects.count())
    response = api.post(
        "/customers",
        {
            "display_name": "Impostor",
            "identifiers": [
                {"kind": "email", "value": "new@example.com"},
                {"kind": "phone", "value": "514-555-0199"},
            ],
        },
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "identifiers[1].value"
    after = (Customer.objects.count(), Identifier.objects.count(), Fact.objects.count())
    assert after == before


def test_write_schemas_refuse_unknown_fields(api: ApiClient, marie: Customer):
    response = api.post("/customers", {"display_name": "X", "status": "merged", "id": "1"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"status", "id"} <= fields
    patch = api.patch(f"/customers/{marie.public_id}", {"created_at": "2020-01-01T00:00:00Z"})
    assert patch.status_code == 422
    assert patch.json()["errors"][0]["field"] == "created_at"


def test_oversized_and_invalid_values_name_the_field(api: ApiClient, db: None):
    response = api.post("/customers", {"display_name": "x" * 201})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "display_name"
    tz = api.post("/customers", {"display_name": "X", "time_zone": "Mars/Olympus"})
    assert tz.status_code == 422
    assert tz.json()["errors"][0]["field"] == "time_zone"
    nameless = api.post("/customers", {"language": "fr"})
    assert nameless.status_code == 422
    assert nameless.json()["errors"][0]["field"] == "display_name"
    bad_phone = api.post(
        "/customers", {"display_name": "X", "identifiers": [{"kind": "phone", "value": "0"}]}
    )
    assert bad_phone.status_code == 422
    assert bad_phone.json()["errors"][0]["field"] == "identifiers[0].value"
    assert Customer.objects.count() == 0


def test_get_patch_delete_customer(api: ApiClient, marie: Customer):
    url = f"/customers/{marie.public_id}"
    assert api.get(url).json()["display_name"] == "Marie Tremblay"
    changed = api.patch(url, {"preferred_name": "Mimi", "register": "informal"})
    assert changed.status_code == 200
    assert api.get(url + "/card").json()["greeting"] == "Bonjour Mimi"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not Identifier.objects.filter(customer_id=marie.pk).exists()
    # The access log outlives the record it describes.
    assert AccessLog.objects.filter(customer_id=marie.pk, action="delete").exists()


def test_unknown_and_malformed_ids_are_404_and_422(api: ApiClient, db: None):
    assert api.get("/customers/01234567-89ab-7def-8123-456789abcdef").status_code == 404
    assert api.get("/customers/12").status_code == 422


def test_identifier_crud_and_conflicts(api: ApiClient, marie: Customer, jean: Customer):
    url = f"/customers/{marie.public_id}/identifiers"
    added = api.post(url, {"kind": "handle", "value": "@MarieT", "system": "whatsapp"})
    assert added.status_code == 201
    assert added.json()["value"] == "mariet"
    again = api.post(url, {"kind": "handle", "value": "mariet", "system": "whatsapp"})
    assert again.status_code == 200
    assert again.json()["id"] == added.json()["id"]
    taken = api.post(url, {"kind": "phone", "value": "438-555-0142"})
    assert taken.status_code == 409
    assert "another customer" in taken.json()["detail"]
    ident = f"/identifiers/{added.json()['id']}"
    verified = api.patch(ident, {"verified_at": "2026-01-02T03:04:05Z"})
    assert verified.json()["verified_at"].startswith("2026-01-02T03:04:05")
    assert api.delete(ident).status_code == 204
    assert api.get(ident).status_code == 404
    kinds = [i["kind"] for i in api.get(url).json()]
    assert sorted(kinds) == ["account", "email", "phone"]


def test_facts_keep_provenance_and_show_conflicts(api: ApiClient, marie: Customer):
    url = f"/customers/{marie.public_id}/facts"
    crm = api.post(url, {"key": "postal_code", "value": "H2X 1Y5", "source": "crm"})
    assert crm.status_code == 201
    (entry,) = api.get(f"/customers/{marie.public_id}/profile").json()
    assert entry["conflict"] is True
    assert {v["source"] for v in entry["values"]} == {"billing", "crm"}
    # Verifying the billing value makes it the trustworthy one; the conflict stays visible.
    billing = next(v for v in entry["values"] if v["source"] == "billing")
    assert api.post(f"/facts/{billing['id']}/verify").status_code == 200
    (entry,) = api.get(f"/customers/{marie.public_id}/profile").json()
    assert entry["value"] == "H2X 1Y4"
    assert entry["conflict"] is True
    # Retracting the crm value settles it; the history keeps it.
    assert api.delete(f"/facts/{crm.json()['id']}").status_code == 200
    (entry,) = api.get(f"/customers/{marie.public_id}/profile").json()
    assert entry["conflict"] is False
    history = api.get(url, include_retracted="true").json()
    assert len(history) == 2
    bad = api.post(url, {"key": "Postal Code!", "value": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "key"


def test_interactions_timeline_api(api: ApiClient, marie: Customer):
    url = f"/customers/{marie.public_id}/interactions"
    for n in range(5):
        created = api.post(
            url,
            {
                "channel": "sms" if n % 2 else "email",
                "direction": "inbound",
                "summary": f"note {n}",
            },
        )
        assert created.status_code == 201
    page = api.get(url, limit=2).json()
    assert [i["summary"] for i in page["items"]] == ["note 4", "note 3"]
    rest = api.get(url, limit=10, cursor=page["next_cursor"]).json()
    assert [i["summary"] for i in rest["items"]] == ["note 2", "note 1", "note 0"]
    assert rest["next_cursor"] is None
    sms = api.get(url, channel="sms").json()["items"]
    assert {i["channel"] for i in sms} == {"sms"}
    bad = api.post(url, {"channel": "pigeon", "direction": "inbound", "summary": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "channel"
    one = api.get(f"/interactions/{page['items'][0]['id']}").json()
    assert one["summary"] == "note 4"


def test_list_pagination_sorting_and_hostile_filters(api: ApiClient, system, db: None):
    from courtier.customers.services.records import create_customer

    for name in ["Zoé Roy", "Amélie Côté", "Bruno Roy", "Chloé Roy"]:
        create_customer(system, {"display_name": name})
    first = api.get("/customers", sort="display_name", limit=3).json()
    assert [c["display_name"] for c in first["items"]] == ["Amélie Côté", "Bruno Roy", "Chloé Roy"]
    second = api.get("/customers", sort="display_name", limit=3, cursor=first["next_cursor"])
    assert [c["display_name"] for c in second.json()["items"]] == ["Zoé Roy"]
    assert [c["display_name"] for c in api.get("/customers", name="roy").json()["items"]] == [
        "Chloé Roy",
        "Bruno Roy",
        "Zoé Roy",
    ]
    for hostile in ["id; DROP TABLE customers_customer", "password", "display_name)--"]:
        response = api.get("/customers", sort=hostile)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "sort"
    assert api.get("/customers", name="' OR 1=1 --").json()["items"] == []
    assert api.get("/customers", name='"NEAR(a b)" * OR').json()["items"] == []
    forged = api.get("/customers", cursor="bm9wZQ")
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["field"] == "cursor"
    wrong_sort = api.get("/customers", sort="-created_at", cursor=first["next_cursor"])
    assert wrong_sort.status_code == 422
    assert api.get("/customers", limit=100000).status_code == 422
    assert Customer.objects.count() == 4


def test_openapi_document_and_docs_page(api: ApiClient, alice):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/recognize" in paths
    assert "/api/v1/customers/{customer_id}/facts" in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_session_signed_in_staff_can_use_the_api(marie: Customer, alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/api/v1/recognize", {"email": "marie.tremblay@example.com"})
    assert response.status_code == 200
    entry = AccessLog.objects.filter(customer_id=marie.pk, action="recognize").get()
    assert entry.actor_label == "alice"
    assert entry.user_id == alice.pk
