"""Stage 4, score: Fellegi-Sunter weights, estimated from the company's own data by EM.

For each comparison level, ``m`` is how often true matches land there and ``u`` how often
non-matches do; the level's weight is ``log2(m / u)``. A pair's match weight is the prior
log-odds plus its levels' weights, and its probability follows from that.

Estimation needs no labels, in two steps as Splink does it:

1. ``u`` from random pairs of records, which are almost all non-matches;
2. ``m`` and the prior by expectation-maximisation over the blocked candidate pairs, with
   ``u`` held fixed.

Guard against households: people sharing an address, a landline and a family name agree
on three comparisons, and unsupervised training is known to learn "same household" as
"same person" (the comparisons are not independent). The address is one comparison, not
two, and the ``else`` levels of given name and birth date keep at most ``HOUSEHOLD_CAP``
of the match mass, so a wholly different first name or birth date always counts strongly
against a match whatever EM concludes.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtier.identity.compare import COMPARISONS, Levels, compare
from courtier.identity.prepare import Prepared

HOUSEHOLD_CAP = 0.002
_PHONE = next(n for n, c in enumerate(COMPARISONS) if c.name == "phone")
_ADDRESS = next(n for n, c in enumerate(COMPARISONS) if c.name == "address")
_GUARDED = {"given_name": -1, "birth_date": -1, "email": 4}  # comparison: guarded level
# Share of true duplicates the deterministic rule in ``_sure`` is assumed to catch.
SURE_RECALL = 0.6
_FLOOR = 1e-6

# Starting values before any training: plausible for person records, and what EM refines.
# The guarded "else" levels start at the household cap, as training would leave them.
_START_M: dict[str, list[float]] = {
    "given_name": [0, 0.82, 0.07, 0.06, 0.048, 0.002],
    "family_name": [0, 0.85, 0.07, 0.04, 0.04],
    "birth_date": [0, 0.90, 0.03, 0.04, 0.028, 0.002],
    "phone": [0, 0.70, 0.30],
    "email": [0, 0.60, 0.15, 0.10, 0.01, 0.14],
    "address": [0, 0.65, 0.08, 0.05, 0.02, 0.20],
}
_START_U: dict[str, list[float]] = {
    "given_name": [0, 0.01, 0.002, 0.003, 0.02, 0.965],
    "family_name": [0, 0.002, 0.002, 0.01, 0.986],
    "birth_date": [0, 0.0001, 0.00001, 0.00025, 0.00175, 0.99789],
    "phone": [0, 0.0005, 0.9995],
    "email": [0, 0.0001, 0.0002, 0.0005, 0.0002, 0.9990],
    "address": [0, 0.00001, 0.00002, 0.0001, 0.02, 0.97987],
}


@dataclass
class Model:
    """m and u per comparison level and the prior probability that a pair matches."""

    prior: float = 1e-4
    m: dict[str, list[float]] = field(
        default_factory=lambda: {k: list(v) for k, v in _START_M.items()}
    )
    u: dict[str, list[float]] = field(
        default_factory=lambda: {k: list(v) for k, v in _START_U.items()}
    )
    trained_on: int = 0
    iterations: int = 0

    def weights(self) -> list[list[float]]:
        """log2(m/u) per comparison level, null levels 0, in COMPARISONS order."""
        table = []
        for comparison in COMPARISONS:
            m, u = self.m[comparison.name], self.u[comparison.name]
            row = [0.0] + [
                math.log2(max(m[i], _FLOOR) / max(u[i], _FLOOR)) for i in range(1, len(m))
            ]
            table.append(row)
        return table

    def describe(self) -> dict[str, Any]:
        """The model as people inspect it: per level, m, u and the weight in bits."""
        weights = self.weights()
        return {
            "prior": self.prior,
            "trained_on_pairs": self.trained_on,
            "iterations": self.iterations,
            "household_cap": HOUSEHOLD_CAP,
            "comparisons": [
                {
                    "name": c.name,
                    "levels": [
                        {
                            "level": label,
                            "m": self.m[c.name][i],
                            "u": self.u[c.name][i],
                            "weight": weights[n][i],
                        }
                        for i, label in enumerate(c.levels)
                        if i
                    ],
                }
                for n, c in enumerate(COMPARISONS)
            ],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "m": self.m,
            "u": self.u,
            "trained_on": self.trained_on,
            "iterations": self.iterations,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        """A saved model; a comparison whose levels changed since it was saved starts over.

        (A model saved before birth dates gained "a few days apart" has one level fewer:
        its values would be read against the wrong levels. The next training refits them.)
        """
        m, u = dict(data["m"]), dict(data["u"])
        for c in COMPARISONS:
            if len(m.get(c.name, ())) != len(c.levels) or len(u.get(c.name, ())) != len(c.levels):
                m[c.name], u[c.name] = list(_START_M[c.name]), list(_START_U[c.name])
        return cls(data["prior"], m, u, data["trained_on"], data["iterations"])


class Scorer:
    """A model's weights laid out for scoring many pairs fast."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.table = model.weights()
        self.prior_weight = math.log2(model.prior / (1 - model.prior))

    def weight(self, levels: Levels) -> float:
        """The pair's match weight in bits.

        A phone shared at a shared address is one piece of evidence, not two: that is a
        household's landline, and counting both is how households get merged.
        """
        table = self.table
        total = self.prior_weight + sum(table[n][lv] for n, lv in enumerate(levels))
        if levels[_PHONE] == 1 and levels[_ADDRESS] in (1, 2, 3):
            total -= max(0.0, min(table[_PHONE][1], table[_ADDRESS][levels[_ADDRESS]]))
        return total

    def probability(self, levels: Levels) -> float:
        """The probability that the pair is one person."""
        return probability(self.weight(levels))

    def reasons(self, levels: Levels) -> list[dict[str, Any]]:
        """Which fields agreed and how strongly: one entry per non-null comparison."""
        return [
            {"field": c.name, "level": c.levels[lv], "weight": round(self.table[n][lv], 2)}
            for n, (c, lv) in enumerate(zip(COMPARISONS, levels, strict=True))
            if lv
        ]


def probability(weight: float) -> float:
    """Turn a match weight in bits into a probability."""
    if weight > 60:
        return 1.0
    return 1.0 / (1.0 + math.pow(2.0, -weight))


def estimate_u(
    records: Sequence[Prepared], pairs: int = 200_000, seed: int = 1
) -> dict[str, list[float]]:
    """u per level from random pairs of records (nearly all different people)."""
    rng = random.Random(seed)
    n = len(records)
    counts = [Counter[int]() for _ in COMPARISONS]
    for _ in range(pairs if n > 1 else 0):
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j:
            continue
        for k, lv in enumerate(compare(records[i], records[j])):
            counts[k][lv] += 1
    return {c.name: _normalise(counts[k], len(c.levels)) for k, c in enumerate(COMPARISONS)}


def _normalise(counts: Counter[int], size: int) -> list[float]:
    # Add-one smoothing keeps a level never seen in the sample from weighing infinitely.
    total = sum(counts[i] + 1 for i in range(1, size))
    return [0.0] + [(counts[i] + 1) / total for i in range(1, size)]


def estimate(
    records: Sequence[Prepared],
    pair_levels: Iterable[Levels] | Counter[Levels],
    *,
    start: Model | None = None,
    max_iterations: int = 25,
    u_pairs: int = 200_000,
) -> Model:
    """Estimate a model without labels: u from random pairs, then EM for m and the prior.

    ``pair_levels`` are the comparison levels of the blocked candidate pairs (or their
    counts per distinct level vector, as a Counter). Identical
    level vectors are counted once and weighted, so EM costs the number of distinct
    patterns (a few thousand), not the number of pairs.
    """
    model = start or Model()
    model.u = estimate_u(records, pairs=u_pairs)
    # Random pairs almost never share a namesake's numbered email, but that rarity is the
    # names' agreement, already counted by the name comparisons; as evidence about the
    # person, "only the digits differ" is as common as any other different address.
    model.u["email"][4] = model.u["email"][5]
    patterns = pair_levels if isinstance(pair_levels, Counter) else Counter(pair_levels)
    total = sum(patterns.values())
    if not total:
        return model
    model.prior = _prior(patterns, len(records))
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported on the model
        scorer = Scorer(model)
        sums = {c.name: [0.0] * len(c.levels) for c in COMPARISONS}
        expected = 0.0
        for levels, count in patterns.items():
            p = scorer.probability(levels) * count
            expected += p
            for c, lv in zip(COMPARISONS, levels, strict=True):
                sums[c.name][lv] += p
        new_m = {c.name: _guard(c.name, _normalise_m(sums[c.name])) for c in COMPARISONS}
        change = max(
            abs(a - b)
            for c in COMPARISONS
            for a, b in zip(new_m[c.name], model.m[c.name], strict=True)
        )
        model.m = new_m
        if change < 1e-4:
            break
    model.trained_on = total
    model.iterations = iterations
    return model


def _normalise_m(sums: list[float]) -> list[float]:
    total = sum(sums[1:])
    if total <= 0:
        return [0.0] + [1 / (len(sums) - 1)] * (len(sums) - 1)
    return [0.0] + [max(s / total, _FLOOR) for s in sums[1:]]


def _sure(levels: Levels) -> bool:
    """Pairs no reviewer would doubt: an exact email, or exact names and birth date."""
    given, family, birth, _phone, email, _address = levels
    return email == 1 or (given == 1 and family == 1 and birth == 1)


def _prior(patterns: Counter[Levels], size: int) -> float:
    """The probability that two records drawn at random match, from a deterministic rule.

    It is the prior of *any* pair, not of a blocked one: blocking already chose pairs by
    their names, and a prior taken among blocked pairs would count that evidence twice
    (namesakes, the bulk of candidate pairs, would then pass as matches). Estimating it
    with deterministic rules and an assumed recall is how Splink does it; EM then
    estimates m alone.
    """
    sure = sum(count for levels, count in patterns.items() if _sure(levels))
    all_pairs = max(size * (size - 1) / 2, 1.0)
    # Floor: assume at least 1% of records are duplicates, whatever the rule found.
    return min(max(sure / SURE_RECALL / all_pairs, 0.02 / max(size, 1)), 0.5)


def _guard(name: str, m: list[float]) -> list[float]:
    level = _GUARDED.get(name)
    if level is None:
        return m
    index = level % len(m)
    if m[index] <= HOUSEHOLD_CAP:
        return m
    excess = m[index] - HOUSEHOLD_CAP
    rest = sum(v for i, v in enumerate(m) if i and i != index) or 1.0
    return [
        HOUSEHOLD_CAP if i == index else (v + excess * v / rest if i else 0.0)
        for i, v in enumerate(m)
    ]
