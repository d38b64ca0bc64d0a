"""Stage 2, block: cheap keys that put likely duplicates side by side.

A record gets a handful of keys; two records become a candidate pair only when they share
one. Each rule catches what the others miss:

- ``p`` a phone, ``e`` an email local part (a new domain, same person);
- ``n`` family-name sound + birth year (typos in the given name, a new phone);
- ``w`` both name sounds, in either order (swapped given/family, moved house, no birth date);
- ``a`` postcode + given-name initial (a new surname, same address);
- ``d`` full birth date + given-name initial (married name, moved).

Given names block through their diminutive group's head, so Bob and Robert share keys.
A key shared by very many records says little ("w:JN SM0" at a million) and would make
every comparison quadratic; such blocks are skipped and counted, never silently truncated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from courtier.identity import nicknames
from courtier.identity.prepare import Prepared

MAX_BLOCK = 200


def keys(record: Prepared) -> list[str]:
    """The blocking keys of one prepared record (no duplicates)."""
    found: list[str] = [f"p:{p}" for p in record.phones]
    found += [f"e:{local}" for local, _ in record.emails if len(local) >= 3]
    year = record.birth[0] if record.birth else None
    initial = nicknames.canonical(record.given)[:1] if record.given else ""
    if record.family_key and year:
        found.append(f"n:{record.family_key}:{year}")
    if record.family_key and record.given_key:
        found.append("w:" + ":".join(sorted((record.given_key, record.family_key))))
    if record.postcode and initial:
        found.append(f"a:{record.postcode}:{initial}")
    if record.birth and initial:
        y, m, d = record.birth
        found.append(f"d:{y:04d}{m:02d}{d:02d}:{initial}")
    return list(dict.fromkeys(k[:120] for k in found))


def candidate_pairs(
    records: Sequence[Prepared], max_block: int = MAX_BLOCK
) -> tuple[set[tuple[int, int]], int]:
    """All index pairs ``(i, j)``, ``i < j``, that share a key; and how many blocks were skipped.

    For the batch: the keys are grouped in memory, which is one pass over the base. The
    real-time matcher reads the same keys from the database index instead.
    """
    blocks: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        for key in keys(record):
            blocks.setdefault(key, []).append(index)
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > max_block:
            skipped += 1
            continue
        pairs.update(_pairs(members))
    return pairs, skipped


def _pairs(members: list[int]) -> Iterator[tuple[int, int]]:
    for n, left in enumerate(members):
        for right in members[n + 1 :]:
            yield (left, right) if left < right else (right, left)
