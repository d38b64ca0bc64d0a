"""The whole pipeline over many records in memory: prepare → block → compare → score → cluster.

Used by ``courtier dedupe`` (records read from the database), by ``--evaluate`` (records
read from a CSV) and by the benchmark. It holds no database state, so one run on a
labelled file and one on the customer base go through exactly the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courtier.identity import block, cluster, score
from courtier.identity.compare import Levels, compare
from courtier.identity.prepare import Prepared, prepare

Progress = Callable[[str, int, int], None]
# Below this, EM has too few pairs to learn from; the starting values (or the saved model)
# are used as they are.
MIN_TRAINING_RECORDS = 1000


@dataclass
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
    candidates, skipped = block.candidate_pairs(records)
    seconds["block"] = time.perf_counter() - started

    started = time.perf_counter()
    ordered = sorted(candidates)
    levels: list[Levels] = []
    step = max(1, len(ordered) // 100)
    for n, (i, j) in enumerate(ordered):
        levels.append(compare(records[i], records[j]))
        if n % step == 0:
            progress("compare", n, len(ordered))
    progress("compare", len(ordered), len(ordered))
    seconds["compare"] = time.perf_counter() - started

    started = time.perf_counter()
    if train and len(records) >= MIN_TRAINING_RECORDS:
        progress("train", 0, 1)
        model = score.estimate(records, levels, start=model)
        progress("train", 1, 1)
    elif model is None:
        model = score.Model()
    seconds["train"] = time.perf_counter() - started

    started = time.perf_counter()
    scorer = score.Scorer(model)
    cache: dict[Levels, float] = {}
    kept: list[ScoredPair] = []
    links: list[tuple[int, int]] = []
    for (i, j), lv in zip(ordered, levels, strict=True):
        p = cache.get(lv)
        if p is None:
            p = cache[lv] = scorer.probability(lv)
        if p >= review_threshold:
            kept.append(ScoredPair(i, j, p, lv))
            if p >= link_threshold:
                links.append((i, j))
    seconds["score"] = time.perf_counter() - started

    started = time.perf_counter()
    labels = cluster.clusters(len(records), links)
    seconds["cluster"] = time.perf_counter() - started
    return Result(labels, kept, model, len(ordered), skipped, seconds)
