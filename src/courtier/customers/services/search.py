"""Search-as-you-type over names, phone fragments, emails, handles and account numbers.

One service, two engines chosen by ``connection.vendor``:

- SQLite: FTS5 tables kept in step by triggers (migration ``customers.0002_search``). Names
  go through the ``unicode61`` tokenizer with diacritics removed and a prefix index, so
  ``helene`` finds Hélène and ``tremblay mar`` finds Marie Tremblay; identifiers go through
  the ``trigram`` tokenizer, so ``555 01`` finds +1 514-555-0199.
- PostgreSQL: token tables kept in step by triggers (migration
  ``customers.0003_search_tokens``): the accent-folded words of the names, and every suffix
  of each identifier, each under a B-tree on which a typed prefix is one range scan.

What a person types never reaches either query language as syntax: it is folded, cut into
word tokens (letters and digits only) and each token is quoted (FTS5) or bound as a
literal prefix with ``LIKE``'s wildcards escaped (PostgreSQL), so quotes, FTS operators,
SQL and emoji are plain text. Input is cut to :data:`MAX_QUERY` characters first, so a
10,000-character paste costs what a short one does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from courtier.core.sql import uid
from courtier.customers.models import Customer, Identifier

MAX_QUERY = 100
MAX_WORDS = 6
MIN_CHARS = 2
LIMIT = 10
COUNT_CAP = 500
SCAN_CAP = 5_000
_WORD = re.compile(r"\w+")
_PHONEISH = re.compile(r"[\d\s()+.\-/]+")
_IDENTISH = re.compile(r"[\w.@\-+#:/]+")
_CUSTOMER = Customer._meta.db_table
_IDENTIFIER = Identifier._meta.db_table


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, reduced to the parts each index can answer safely."""

    text: str
    words: list[str] = field(default_factory=list)
    fragment: str = ""

    @property
    def empty(self) -> bool:
        """True when there is too little to search for."""
        return not self.words and not self.fragment


def fold(text: str) -> str:
    """Return ``text`` lower-cased without accents: ``Hélène`` becomes ``helene``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def parse(raw: str) -> SearchQuery:
    """Reduce typed text to word prefixes and an identifier fragment; never raises."""
    text = "".join(ch for ch in (raw or "")[:MAX_QUERY] if ch.isprintable()).strip()
    if len(text) < MIN_CHARS:
        return SearchQuery(text)
    # Repeating a word narrows nothing and costs one more doclist each time.
    words = list(dict.fromkeys(_WORD.findall(fold(text))))[:MAX_WORDS]
    fragment = ""
    if _PHONEISH.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        fragment = digits if len(digits) >= 3 else ""
    elif not any(ch.isspace() for ch in text) or any(ch.isdigit() or ch == "@" for ch in text):
        # Several plain words are a name; one word may also be a handle or part of an email.
        compact = re.sub(r"\s+", "", text).lower()
        if len(compact) >= 3 and _IDENTISH.fullmatch(compact):
            fragment = compact
    return SearchQuery(text, words, fragment)


def _sqlite_sql(q: SearchQuery) -> tuple[str, list[Any]]:
    parts, params = [], []
    if q.words:
        parts.append(
            f"SELECT rowid AS id FROM customers_name_fts WHERE name MATCH %s LIMIT {LIMIT}"
        )
        params.append(" ".join(f'"{w}"*' for w in q.words))
    if q.fragment:
        parts.append(
            "SELECT customer_id AS id FROM customers_identifier_fts WHERE value MATCH %s "
            f"LIMIT {LIMIT}"
        )
        params.append('"' + q.fragment.replace('"', '""') + '"')
    ids = " UNION ".join(f"SELECT id FROM ({p})" for p in parts)
    return ids, params


def _like_prefix(text: str) -> str:
    """Return a LIKE pattern matching strings that start with ``text``, taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _after_prefix(text: str) -> str:
    """Return the least string greater than every string that starts with ``text``."""
    following = ord(text[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not text; skip to the next character
        following = 0xE000
    return text[:-1] + chr(following)


# The rarest word drives the name scan; which one it is comes from counting each word's
# index entries, up to COUNT_CAP each (a few hundred microseconds for a common word).
_NAME_WORDS = (
    "SELECT d.customer_id FROM (SELECT lo, hi FROM (VALUES {values}) AS w (lo, hi) "
    "ORDER BY (SELECT count(*) FROM (SELECT 1 FROM customers_name_token t "
    "WHERE t.token >= w.lo AND t.token < w.hi LIMIT {count_cap}) AS n), length(lo) DESC "
    "LIMIT 1) AS driver CROSS JOIN LATERAL (SELECT customer_id, words FROM "
    "customers_name_token t WHERE t.token >= driver.lo AND t.token < driver.hi "
    "LIMIT {scan_cap}) AS d WHERE d.words LIKE ALL (%s) LIMIT {limit}"
)


def postgres_id_query(q: SearchQuery) -> tuple[str, list[Any]]:
    """Return the SQL (and parameters) of matching customer ids on the token tables.

    Every part is a prefix range scan on a ``COLLATE "C"`` B-tree (migration
    ``customers.0003_search_tokens``) that stops at the first rows it needs. Several words:
    the rarest drives the scan and every word is checked on the same index entry (the
    customer's folded words). When every word has more than :data:`COUNT_CAP` entries, the
    longest drives, and the scan stops after :data:`SCAN_CAP` of them: only words that are
    all that common and almost never meet (``a b c``) get that far, and the next keystroke
    narrows them.
    """
    parts: list[str] = []
    params: list[Any] = []
    # LIMIT 2x: a customer with two words starting alike (Marie Martin, "ma") is two
    # entries; the outer query keeps LIMIT distinct customers.
    if len(q.words) == 1:
        parts.append(
            f"(SELECT customer_id FROM customers_name_token WHERE token LIKE %s LIMIT {2 * LIMIT})"
        )
        params.append(_like_prefix(q.words[0]))
    elif q.words:
        values = ", ".join(["(%s, %s)"] * len(q.words))
        sql = _NAME_WORDS.format(
            values=values, count_cap=COUNT_CAP, scan_cap=SCAN_CAP, limit=2 * LIMIT
        )
        parts.append(f"({sql})")
        for w in q.words:
            params += [w, _after_prefix(w)]
        params.append(["% " + _like_prefix(w) for w in q.words])
    if q.fragment:
        # Tokens are the identifiers' suffixes, stored without "+" as on SQLite.
        parts.append(
            f"(SELECT i.customer_id FROM customers_identifier_token t JOIN {_IDENTIFIER} i "
            f"ON i.id = t.identifier_id WHERE t.token LIKE %s LIMIT {LIMIT})"
        )
        params.append(_like_prefix(q.fragment.replace("+", "")))
    return " UNION ".join(parts), params


def search_customers(raw: str) -> list[dict[str, Any]]:
    """Return up to :data:`LIMIT` customers matching what was typed, by name.

    Each hit has the customer's public ``id``, ``display_name``, ``status`` and up to three
    ``identifiers`` (kind and value as typed) to tell namesakes apart. Read-only, one query
    on PostgreSQL and two on SQLite whatever the size of the base; too little input returns
    ``[]``. Results are not logged as accesses: a list of names is not a look at anyone's
    record.
    """
    q = parse(raw)
    if q.empty:
        return []
    if connection.vendor == "postgresql":
        return _postgres_hits(q)
    ids_sql, params = _sqlite_sql(q)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, public_id, display_name, status FROM {_CUSTOMER} "
            f"WHERE id IN ({ids_sql}) ORDER BY display_name, id LIMIT {LIMIT}",
            params,
        )
        rows = cursor.fetchall()
        if not rows:
            return []
        marks = ", ".join(["%s"] * len(rows))
        cursor.execute(
            f"SELECT customer_id, kind, raw_value FROM {_IDENTIFIER} "
            f"WHERE customer_id IN ({marks}) ORDER BY customer_id, kind, id",
            [r[0] for r in rows],
        )
        idents: dict[int, list[dict[str, str]]] = {}
        for customer_id, kind, raw_value in cursor.fetchall():
            shown = idents.setdefault(customer_id, [])
            if len(shown) < 3:
                shown.append({"kind": kind, "value": raw_value})
    return [
        {"id": uid(r[1]), "display_name": r[2], "status": r[3], "identifiers": idents.get(r[0], [])}
        for r in rows
    ]


def _postgres_hits(q: SearchQuery) -> list[dict[str, Any]]:
    # One statement, identifiers included: on a busy machine each round trip to the
    # server cost 1-1.5 ms, more than the token scans themselves (bench/search.py).
    ids_sql, params = postgres_id_query(q)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.public_id, c.display_name, c.status, (SELECT coalesce(json_agg("
            "json_build_object('kind', x.kind, 'value', x.raw_value) ORDER BY x.kind, x.id), "
            f"'[]') FROM (SELECT kind, raw_value, id FROM {_IDENTIFIER} "
            "WHERE customer_id = c.id ORDER BY kind, id LIMIT 3) AS x) "
            f"FROM {_CUSTOMER} c WHERE c.id IN ({ids_sql}) "
            f"ORDER BY c.display_name, c.id LIMIT {LIMIT}",
            params,
        )
        return [
            {"id": uid(r[0]), "display_name": r[1], "status": r[2], "identifiers": r[3]}
            for r in cursor.fetchall()
        ]
