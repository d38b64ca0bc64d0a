"""The condition language as a plain library: checking and evaluating."""

from __future__ import annotations

from courtier.journeys.conditions import check, evaluate

MARIE = {"customer": {"language": "fr"}, "tags": ["vip"], "facts": {"score": "12"}}


def paths(condition: object) -> list[str]:
    return [e.path for e in check(condition)]


def test_valid_tree_evaluates() -> None:
    c = {
        "and": [
            {"attr": "customer.language", "op": "eq", "value": "fr"},
            {"attr": "tags", "op": "contains", "value": "vip"},
            {"not": {"attr": "facts.score", "op": "lt", "value": 10}},
        ]
    }
    assert check(c) == []
    assert evaluate(c, MARIE) is True
    assert evaluate(c, {**MARIE, "tags": []}) is False


def test_errors_name_their_path() -> None:
    bad = {
        "or": [
            {"attr": "customer.shoe", "op": "eq", "value": 1},
            {"attr": "agreements.count", "op": "gt", "value": "x"},
            {"attr": "language", "op": "like", "value": "f"},
            {"attr": "language", "op": "in", "value": []},
        ]
    }
    assert paths(bad) == [
        "condition.or[0].attr",
        "condition.or[1].value",
        "condition.or[2].op",
        "condition.or[3].value",
    ]
    assert paths([1]) == ["condition"]


def test_missing_attribute_and_exists() -> None:
    assert evaluate({"attr": "facts.birth_date", "op": "exists"}, MARIE) is False
    assert evaluate({"attr": "facts.birth_date", "op": "exists", "value": False}, MARIE)
    assert evaluate({"attr": "language", "op": "ne", "value": "en"}, MARIE)
    assert evaluate({"and": []}, MARIE)
