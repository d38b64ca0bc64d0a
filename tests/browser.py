"""What the browser tests share: Debian's chromium, its flags, and a live server per test.

Playwright drives the chromium that ``./dev setup`` installs with apt; it never downloads a
browser of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

CHROMIUM = "/usr/bin/chromium"
# No network beyond loopback, nothing in the background that could reach for one.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def live_server() -> Iterator[str]:
    """Serve the site on a free loopback port for one test; yield its base URL.

    One server per test, so its database connection closes with it: pytest-django's
    session-wide live server keeps its connection until the session ends, after the
    PostgreSQL test database should already have been dropped. Needs ``transactional_db``.
    """
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():  # type: ignore[attr-defined]
            conn.inc_thread_sharing()
            shared[conn.alias] = conn
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch Debian's chromium through Playwright; yield the browser, closed afterwards."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls are still plain synchronous ones, made between browser steps.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
                # Database calls made while Playwright's loop runs get a connection of
                # their own (asgiref sees another context); close it before the test
                # database is dropped.
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
