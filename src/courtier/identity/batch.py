"""The whole pipeline over many records in memory: prepare → block → compare → score → cluster.

Used by ``courtier dedupe`` (records read from the database), by ``--evaluate`` (records
read from a CSV) and by the benchmark. It holds no database state, so one run on a
labelled file and one on the customer base go through exactly the same code.
"""

from __future__ import annotations

import time
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from courtier.identity import block, cluster, score
from courtier.identity.compare import COMPARISONS, Levels, compare
from courtier.identity.prepare import Prepared, prepare

Progress = Callable[[str, int, int], None]
# Below this, EM has too few pairs to learn from; the starting values (or the saved model)
# are used as they are.
MIN_TRAINING_RECORDS = 1000


@dataclass(slots=True)
class ScoredPair:
    """A candidate pair that reached the review threshold."""

    left: int
    right: int
    probability: float
    levels: Levels


@dataclass
class Result:
    """What a batch run found, and what it cost."""

    labels: list[int]
    pairs: list[ScoredPair]
    model: score.Model
    candidate_pairs: int
    skipped_blocks: int
    seconds: dict[str, float] = field(default_factory=dict)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def run(
    rows: Sequence[Mapping[str, Any]] | Sequence[Prepared],
    *,
    link_threshold: float,
    review_threshold: float,
    model: score.Model | None = None,
    train: bool = True,
    progress: Progress = _quiet,
) -> Result:
    """Find clusters of records of one person.

    Pairs at or above ``link_threshold`` are linked into clusters; pairs at or above
    ``review_threshold`` are returned (with their levels) so they can be proposed for
    review. With ``train`` the model is estimated from these records first (EM).
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    records: list[Prepared] = [r if isinstance(r, Prepared) else prepare(r) for r in rows]
    seconds["prepare"] = time.perf_counter() - started

    started = time.perf_counter()
    pairs, skipped = block.candidate_pairs(records)
    seconds["block"] = time.perf_counter() - started

    started = time.perf_counter()
    size = len(records)
    # One small integer per pair (3 bits a comparison) instead of a tuple: a million
    # records make millions of pairs, and tuples would cost a gigabyte.
    codes: array[int] = array("I")
    step = max(1, len(pairs) // 100)
    for n, pair in enumerate(pairs):
        i, j = divmod(pair, size)
        codes.append(_encode(compare(records[i], records[j])))
        if n % step == 0:
            progress("compare", n, len(pairs))
    progress("compare", len(pairs), len(pairs))
    seconds["compare"] = time.perf_counter() - started

    started = time.perf_counter()
    patterns = Counter({_decode(code): count for code, count in Counter(codes).items()})
    if train and size >= MIN_TRAINING_RECORDS:
        progress("train", 0, 1)
        model = score.estimate(records, patterns, start=model)
        progress("train", 1, 1)
    elif model is None:
        model = score.Model()
    seconds["train"] = time.perf_counter() - started

    started = time.perf_counter()
    scorer = score.Scorer(model)
    weights = {code: scorer.weight(_decode(code)) for code in set(codes)}
    probabilities = {code: score.probability(w) for code, w in weights.items()}
    kept: list[ScoredPair] = []
    links: list[tuple[float, int, int]] = []
    for pair, code in zip(pairs, codes, strict=True):
        p = probabilities[code]
        if p >= review_threshold:
            i, j = divmod(pair, size)
            kept.append(ScoredPair(i, j, p, _decode(code)))
            if p >= link_threshold:
                links.append((-weights[code], i, j))
    seconds["score"] = time.perf_counter() - started

    started = time.perf_counter()
    # Strongest first, so a chain that must be cut is cut at its weakest link.
    links.sort()
    labels = cluster.clusters(len(records), ((i, j) for _, i, j in links), records)
    seconds["cluster"] = time.perf_counter() - started
    return Result(labels, kept, model, len(pairs), skipped, seconds)


def _encode(levels: Levels) -> int:
    code = 0
    for level in reversed(levels):
        code = (code << 3) | level
    return code


@lru_cache(maxsize=65536)
def _decode(code: int) -> Levels:
    return tuple((code >> (3 * n)) & 7 for n in range(len(COMPARISONS)))
