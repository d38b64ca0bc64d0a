"""Stage 5, cluster: pairs above a threshold become groups of records of one person.

Union-find (path halving, union by size) over the links, strongest first. Plain
transitive closure chains two different people through a third record: "Steven Nadeau",
with no birth date, links both to Steven born in 1948 and to his son Stéphane born in 2005
at the same address, and the father and son become one cluster. So, given the records,
two groups are not joined when the join would put together records that contradict each
other outright (:func:`apart`). Links are taken strongest first, so a chain that must be
cut is cut at its weakest link. Reviewers see each proposal pairwise either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from courtier.identity.compare import numbered_apart
from courtier.identity.prepare import Prepared

# Two mistakes in one date (typed day-first once, off by a day another time) still put it
# within a few days of the other reading; a date further off is another person's.
_NEAR_DAYS = 3

Birth = tuple[int, int, int]


def _near(a: Birth, b: Birth) -> bool:
    if a == b:
        return True
    if a[0] != b[0]:
        return False
    # Either date may be the one typed day-first.
    for x, y in ((a, b), (a, _swapped(b)), (_swapped(a), b)):
        try:
            if abs((date(*x) - date(*y)).days) <= _NEAR_DAYS:
                return True
        except ValueError:  # the day-first reading of 2000-01-13 is no date
            continue
    return False


def _swapped(birth: Birth) -> Birth:
    return (birth[0], birth[2], birth[1])


def _births_apart(mine: Sequence[Birth], theirs: Sequence[Birth]) -> bool:
    return any(not _near(a, b) for a in mine for b in theirs)


def _locals_apart(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    return any(numbered_apart(a, b) for a in mine for b in theirs)


# A group's birth dates and email local parts (lists, not sets: groups are a few records).
Traits = tuple[list[Birth], list[str]]


def _traits(record: Prepared) -> Traits:
    return ([record.birth] if record.birth else [], [local for local, _ in record.emails])


def _contradict(a: Traits, b: Traits) -> bool:
    return _births_apart(a[0], b[0]) or _locals_apart(a[1], b[1])


def apart(a: Prepared, b: Prepared) -> bool:
    """Whether two records contradict each other outright, so no chain may join them.

    Birth dates that are not within a few days of each other (reading day and month
    either way), or email local parts that differ only in their digits.
    """
    return _contradict(_traits(a), _traits(b))


def clusters(
    size: int, links: Iterable[tuple[int, int]], records: Sequence[Prepared] | None = None
) -> list[int]:
    """A cluster label per record index 0..size-1; linked records share a label.

    ``links`` come strongest first. With ``records``, a link that would join two groups
    holding records that are :func:`apart` is left out; without, this is connected
    components.
    """
    parent = list(range(size))
    weight = [1] * size
    traits: dict[int, Traits] = {}  # per group root, what its records hold

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
        if records is not None:
            mine = traits.get(ra) or traits.setdefault(ra, _traits(records[ra]))
            theirs = traits.get(rb) or _traits(records[rb])
            if _contradict(mine, theirs):
                continue
            (births_a, locals_a), (births_b, locals_b) = mine, theirs
            births_a += [x for x in births_b if x not in births_a]
            locals_a += [x for x in locals_b if x not in locals_a]
            traits.pop(rb, None)
        parent[rb] = ra
        weight[ra] += weight[rb]
    return [find(x) for x in range(size)]


def groups(labels: list[int]) -> list[list[int]]:
    """The clusters with more than one member, as lists of record indexes."""
    found: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        found.setdefault(label, []).append(index)
    return [members for members in found.values() if len(members) > 1]
