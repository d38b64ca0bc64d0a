"""The demo company: realistic customers to try Courtier on, built in seconds.

``build`` writes the data, ``people`` and ``texts`` invent it, ``login`` gives the visitor
a staff account and an API token.
"""

from courtier.core.demo.build import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DEMO_USERNAME,
    DemoSummary,
    build_demo,
    counts,
    demo_state,
    ensure_demo,
    wipe_demo,
)
from courtier.core.demo.login import ensure_demo_login, issue_demo_token

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DEMO_USERNAME",
    "DemoSummary",
    "build_demo",
    "counts",
    "demo_state",
    "ensure_demo",
    "ensure_demo_login",
    "issue_demo_token",
    "wipe_demo",
]
