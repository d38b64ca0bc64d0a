"""The condition language of rules: small JSON trees, checked when saved, evaluated on data.

A condition is one of::

    {"and": [c, ...]}   {"or": [c, ...]}   {"not": c}
    {"attr": "customer.language", "op": "eq", "value": "fr"}

Comparisons are ``eq ne lt le gt ge in contains exists``; ``attr`` is a dotted path over
the customer, their facts, tags, agreements, language and segment (see :data:`ATTRIBUTES`),
and over the triggering event's payload (``event.*``) or the agreement a date trigger is
about (``agreement.*``). An empty ``{"and": []}`` is always true.

Pure on purpose (no Django, no database): the rule service validates with :func:`check`
and evaluates with :func:`evaluate` over a plain dict it builds once per customer, and the
tests exercise the language as a library. Every error names its place in the tree
(``condition.and[1].value``) so the editor can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STR, NUM, LIST, ANY = "text", "number", "list of text", "any value"

# Each known path and the type of its value. ``facts.<key>`` and ``event.<key>`` are
# families: any fact key or payload key is allowed under them.
ATTRIBUTES: dict[str, str] = {
    "customer.language": STR,
    "customer.register": STR,
    "customer.status": STR,
    "customer.time_zone": STR,
    "customer.display_name": STR,
    "customer.given_name": STR,
    "customer.family_name": STR,
    "customer.segment": STR,
    "language": STR,
    "segment": STR,
    "tags": LIST,
    "agreements.count": NUM,
    "agreements.active": NUM,
    "agreements.products": LIST,
    "agreement.product": STR,
    "agreement.status": STR,
    "agreement.currency": STR,
    "agreement.price": NUM,
    "agreement.term_months": NUM,
}
FAMILIES = {"facts.": STR, "event.": ANY}
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "exists")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_DEPTH = 12
MAX_NODES = 200
ALWAYS: dict[str, Any] = {"and": []}


@dataclass(frozen=True)
class ConditionError:
    """One reason a condition was refused, and where in the tree."""

    path: str
    message: str


def attribute_type(attr: str) -> str | None:
    """The type of ``attr``'s values, or None when the path is unknown."""
    if attr in ATTRIBUTES:
        return ATTRIBUTES[attr]
    for prefix, kind in FAMILIES.items():
        if attr.startswith(prefix) and _KEY.fullmatch(attr[len(prefix) :]):
            return kind
    return None


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits(value: Any, kind: str) -> bool:
    if kind == ANY:
        return isinstance(value, str | int | float | bool) or value is None
    if kind == NUM:
        return _is_num(value)
    return isinstance(value, str)


def _check_comparison(node: Mapping[str, Any], at: str, out: list[ConditionError]) -> None:
    unknown = set(node) - {"attr", "op", "value"}
    if unknown:
        out.append(ConditionError(at, f"unknown keys {', '.join(sorted(unknown))}"))
    attr, op = node.get("attr"), node.get("op")
    kind = attribute_type(attr) if isinstance(attr, str) else None
    if kind is None:
        known = ", ".join([*ATTRIBUTES, "facts.<key>", "event.<key>"])
        out.append(ConditionError(f"{at}.attr", f"unknown attribute {attr!r}; known: {known}"))
    if op not in OPS:
        out.append(ConditionError(f"{at}.op", f"unknown operator {op!r}; use one of {OPS}"))
        return
    if kind is None:
        return
    value, where = node.get("value"), f"{at}.value"
    if op == "exists":
        if "value" in node and not isinstance(value, bool):
            out.append(ConditionError(where, "exists takes true or false"))
        return
    if "value" not in node:
        out.append(ConditionError(where, f"{op} needs a value"))
    elif op == "in":
        elem = STR if kind == LIST else kind
        if not isinstance(value, list) or not value:
            out.append(ConditionError(where, "in needs a non-empty list"))
        elif not all(_fits(v, elem) for v in value):
            out.append(ConditionError(where, f"every item must be {elem} like {attr}"))
    elif op == "contains":
        if kind not in (STR, LIST, ANY) or not isinstance(value, str):
            out.append(ConditionError(where, f"contains needs text, on text or a list ({attr})"))
    elif op in ("lt", "le", "gt", "ge"):
        if kind == LIST:
            out.append(ConditionError(f"{at}.op", f"{attr} is a list; use contains"))
        elif not _fits(value, kind) and not (kind == STR and _is_num(value)):
            out.append(ConditionError(where, f"must be {kind} to compare with {attr}"))
    elif kind == LIST:
        out.append(ConditionError(f"{at}.op", f"{attr} is a list; use contains"))
    elif not _fits(value, kind):
        out.append(ConditionError(where, f"must be {kind} like {attr}, not {value!r}"))


def _check(node: Any, at: str, depth: int, out: list[ConditionError], count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        if count[0] == MAX_NODES + 1:
            out.append(ConditionError(at, f"more than {MAX_NODES} parts"))
        return
    if depth > MAX_DEPTH:
        out.append(ConditionError(at, f"nested deeper than {MAX_DEPTH} levels"))
        return
    if not isinstance(node, Mapping):
        out.append(ConditionError(at, "must be an object"))
        return
    groups = [k for k in ("and", "or", "not") if k in node]
    if not groups:
        _check_comparison(node, at, out)
        return
    if len(node) != 1:
        out.append(ConditionError(at, f"{groups[0]} must be the only key of its object"))
        return
    key = groups[0]
    if key == "not":
        _check(node["not"], f"{at}.not", depth + 1, out, count)
        return
    items = node[key]
    if not isinstance(items, list):
        out.append(ConditionError(f"{at}.{key}", "must be a list"))
        return
    for i, item in enumerate(items):
        _check(item, f"{at}.{key}[{i}]", depth + 1, out, count)


def check(condition: Any, at: str = "condition") -> list[ConditionError]:
    """Every problem in ``condition``, each with its place; empty means it is valid."""
    out: list[ConditionError] = []
    _check(condition, at, 0, out, [0])
    return out


def attributes_used(condition: Any) -> set[str]:
    """The attribute paths a (valid) condition reads, so callers load only those."""
    found: set[str] = set()
    stack = [condition]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        if "attr" in node:
            found.add(str(node["attr"]))
        for key in ("and", "or"):
            stack.extend(node.get(key) or [])
        if "not" in node:
            stack.append(node["not"])
    return found


_MISSING = object()


def lookup(data: Mapping[str, Any], attr: str) -> Any:
    """The value at a dotted path, or a private sentinel when any step is absent."""
    current: Any = data
    for part in attr.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return _MISSING if current is None else current


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op == "in":
        return left in right
    if op == "contains":
        if isinstance(left, str):
            return right in left
        return isinstance(left, Sequence) and right in left
    # Ordering across types (a fact "12" against 10) compares numbers when both parse.
    if _is_num(right) and isinstance(left, str):
        try:
            left = float(left)
        except ValueError:
            return False
    if type(left) is not type(right) and not (_is_num(left) and _is_num(right)):
        return False
    if op == "lt":
        return bool(left < right)
    if op == "le":
        return bool(left <= right)
    if op == "gt":
        return bool(left > right)
    return bool(left >= right)


def evaluate(condition: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether ``data`` satisfies a condition that :func:`check` accepted.

    An absent attribute satisfies only ``exists: false`` and ``ne``: "language is not fr"
    holds for someone whose language we do not know.
    """
    if "and" in condition:
        return all(evaluate(c, data) for c in condition["and"])
    if "or" in condition:
        return any(evaluate(c, data) for c in condition["or"])
    if "not" in condition:
        return not evaluate(condition["not"], data)
    op = condition["op"]
    value = lookup(data, condition["attr"])
    if op == "exists":
        return (value is not _MISSING) == bool(condition.get("value", True))
    if value is _MISSING:
        return bool(op == "ne")
    return _compare(op, value, condition["value"])
