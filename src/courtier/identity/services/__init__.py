"""Identity services: match, resolve, merge, unmerge, dedupe.

The console's screen pop calls :func:`match` when the exact lookup fails.
"""

from courtier.identity.services.matching import Candidate, Resolution, match, resolve
from courtier.identity.services.merging import (
    accept_proposal,
    merge,
    moved_counts,
    register_on_merge,
    register_repointer,
    reject_proposal,
    survivor_of,
    survivors,
    unmerge,
)

__all__ = [
    "Candidate",
    "Resolution",
    "accept_proposal",
    "match",
    "merge",
    "moved_counts",
    "register_on_merge",
    "register_repointer",
    "reject_proposal",
    "resolve",
    "survivor_of",
    "survivors",
    "unmerge",
]
