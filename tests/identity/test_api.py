"""The identity API and the recognition fallback, through HTTP."""

from __future__ import annotations

from django.core.management import call_command

from courtier.core.actor import Actor
from courtier.customers.models import Customer
from courtier.identity.models import MatchProposal

from .conftest import person


def test_recognition_falls_back_to_ranked_candidates(api, indexed_marie: Customer):
    response = api.get(
        "/recognize", phone="514 555 9999", name="Marie Tremblay", birth_date="1980-03-04"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["candidates"][0]["customer_id"] == str(indexed_marie.public_id)
    assert body["candidates"][0]["probability"] > 0.9
    assert body["candidates"][0]["reasons"]


def test_recognition_without_details_stays_a_plain_404(api, indexed_marie: Customer):
    response = api.get("/recognize", phone="514 555 9999")
    assert response.status_code == 404
    assert "candidates" not in response.json()


def test_candidates_endpoint_and_junk(api, indexed_marie: Customer):
    ok = api.post(
        "/identity/candidates", {"name": "Marie Tremblay", "email": "marie.tremblay@acme.ca"}
    )
    assert ok.status_code == 200
    assert ok.json()[0]["customer_id"] == str(indexed_marie.public_id)
    junk = api.post("/identity/candidates", {"given_name": "J", "email": "test@test"})
    assert junk.status_code == 422
    assert {e["field"] for e in junk.json()["errors"]} == {"given_name", "email"}
    unknown = api.post("/identity/candidates", {"nickname": "Mimi"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "nickname"
    huge = api.post("/identity/candidates", {"name": "x" * 10_000})
    assert huge.status_code == 422
    assert huge.json()["errors"][0]["field"] == "name"


def test_model_can_be_inspected(api, db: None):
    body = api.get("/identity/model").json()
    names = [c["name"] for c in body["comparisons"]]
    assert names == ["given_name", "family_name", "birth_date", "phone", "email", "address"]
    assert all(
        "weight" in lv and "m" in lv and "u" in lv
        for c in body["comparisons"]
        for lv in c["levels"]
    )


def test_dedupe_then_review_merge_and_unmerge(api, marie: Customer, jean: Customer, system: Actor):
    twin = person(system, "MARIE", "Tremblay", [], ["marie.tremblay@acme.ca"])
    call_command("dedupe")
    queue = api.get("/identity/proposals").json()
    pair = next(
        p
        for p in queue
        if {p["left_id"], p["right_id"]} == {str(marie.public_id), str(twin.public_id)}
    )
    assert pair["reasons"]
    merged = api.post(f"/identity/proposals/{pair['id']}/merge")
    assert merged.status_code == 201
    assert merged.json()["survivor_id"] == str(marie.public_id)
    again = api.post(f"/identity/proposals/{pair['id']}/merge")
    assert again.status_code == 409
    undone = api.post(f"/identity/merges/{merged.json()['id']}/unmerge")
    assert undone.status_code == 200
    twice = api.post(f"/identity/merges/{merged.json()['id']}/unmerge")
    assert twice.status_code == 409
    assert "already undone" in twice.json()["detail"]


def test_direct_merge_into_itself_is_refused(api, marie: Customer):
    response = api.post(
        "/identity/merges", {"survivor_id": str(marie.public_id), "merged_id": str(marie.public_id)}
    )
    assert response.status_code == 409
    assert "itself" in response.json()["detail"]


def test_dedupe_evaluate_reports_figures_on_a_labelled_csv(tmp_path, db: None, capsys):
    import csv
    import json

    from courtier.identity.evaluation import FIELDS, generate

    rows = generate(800, seed=5)
    path = tmp_path / "people.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["person", *FIELDS])
        writer.writeheader()
        for row in rows:
            writer.writerow({"person": row["cluster_id"], **{f: row[f] for f in FIELDS}})
    call_command("dedupe", evaluate=str(path), truth_column="person")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["records"] == 800
    assert figures["f1"] > 0.85
    assert not MatchProposal.objects.exists()


def test_dedupe_evaluate_names_a_missing_column(tmp_path, db: None):
    import pytest
    from django.core.management.base import CommandError

    path = tmp_path / "people.csv"
    path.write_text("id,name\n1,Marie\n")
    with pytest.raises(CommandError, match="'truth' is not a column"):
        call_command("dedupe", evaluate=str(path), truth_column="truth")
