"""The bare-server ceiling for bench/portal.py: granian answering a fixed page, no Django."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = b"<!doctype html><title>bare</title><h1>Hello</h1>" + b"x" * 3000


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(BODY)))])
    return [BODY]
