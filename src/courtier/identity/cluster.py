"""Stage 5, cluster: pairs above a threshold become groups of records of one person.

Union-find (path halving, union by size) over the links, strongest first. Plain
transitive closure chains two different people through a third record: "Steven Nadeau",
with no birth date, links both to Steven born in 1948 and to his son Stéphane born in 2005
at the same address, and the father and son become one cluster. So, given the records,
two groups are not joined when the join would put together records that contradict each
other outright (:func:`apart`); each record still keeps its strongest link, because links
are taken strongest first. Reviewers see each proposal pairwise either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from courtier.identity.prepare import Prepared

_DIGITS = re.compile(r"\d+")
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


def _numbered_apart(a: str, b: str) -> bool:
    # jane.doe1 and jane.doe7: the numbered addresses of two namesakes (compare.py).
    return a != b and _DIGITS.sub("", a) == _DIGITS.sub("", b)


class _Traits:
    """What one group of records holds that another group may contradict."""

    __slots__ = ("births", "locals")

    def __init__(self, record: Prepared) -> None:
        # Lists, not sets: groups are a few records, and this runs once per link.
        self.births: list[Birth] = [record.birth] if record.birth else []
        self.locals: list[str] = [local for local, _ in record.emails]

    def apart(self, other: _Traits) -> bool:
        """Whether any record here contradicts any record there."""
        if any(not _near(a, b) for a in self.births for b in other.births):
            return True
        return any(_numbered_apart(a, b) for a in self.locals for b in other.locals)

    def absorb(self, other: _Traits) -> None:
        self.births += [b for b in other.births if b not in self.births]
        self.locals += [x for x in other.locals if x not in self.locals]


def apart(a: Prepared, b: Prepared) -> bool:
    """Whether two records contradict each other outright, so no chain may join them.

    Birth dates that are not within a few days of each other (reading day and month
    either way), or email local parts that differ only in their digits.
    """
    return _Traits(a).apart(_Traits(b))


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
    traits: dict[int, _Traits] = {}

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
            ta = traits.get(ra) or traits.setdefault(ra, _Traits(records[ra]))
            tb = traits.pop(rb, None) or _Traits(records[rb])
            if ta.apart(tb):
                traits[rb] = tb
                continue
            ta.absorb(tb)
        parent[rb] = ra
        weight[ra] += weight[rb]
    return [find(x) for x in range(size)]


def groups(labels: list[int]) -> list[list[int]]:
    """The clusters with more than one member, as lists of record indexes."""
    found: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        found.setdefault(label, []).append(index)
    return [members for members in found.values() if len(members) > 1]
