"""The HTTP ceiling: a bare ASGI app serving the recognition card, no framework at all.

``GET /card?phone=...`` runs the one hand-written card query of :mod:`bench.cardsql` on a
raw driver connection (one per worker process) and returns the JSON the database built.
Served by granian like the product (``granian --interface asgi bench.bare_asgi:app``);
``BENCH_DATABASE_URL`` names the database.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import orjson

from bench.cardsql import CARD_SQL, connect, quick_e164, vendor_of

_URL = os.environ.get("BENCH_DATABASE_URL", "")
_state: dict[str, Any] = {}
_JSON = [(b"content-type", b"application/json")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if "db" not in _state:
        _state["db"] = connect(_URL)
        _state["sql"] = CARD_SQL[vendor_of(_URL)]
    phone = parse_qs(scope["query_string"].decode()).get("phone", [""])[0]
    row = _state["db"].execute(_state["sql"], (quick_e164(phone),)).fetchone()
    status, body = (200, row[0].encode()) if row else (404, orjson.dumps({"title": "Not found"}))
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": body})
