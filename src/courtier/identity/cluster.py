"""Stage 5, cluster: pairs above a threshold become groups of records of one person.

Connected components with union-find (path halving, union by size): linear in the pairs.
Transitive closure can chain two different people through a third record; the batch
reports each cluster's weakest kept link so reviewers see where that may have happened.
"""

from __future__ import annotations

from collections.abc import Iterable


def clusters(size: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """A cluster label per record index 0..size-1; linked records share a label."""
    parent = list(range(size))
    weight = [1] * size

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if weight[ra] < weight[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        weight[ra] += weight[rb]
    return [find(x) for x in range(size)]


def groups(labels: list[int]) -> list[list[int]]:
    """The clusters with more than one member, as lists of record indexes."""
    found: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        found.setdefault(label, []).append(index)
    return [members for members in found.values() if len(members) > 1]
