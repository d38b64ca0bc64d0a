"""Batch duplicate detection over the whole base, and evaluation on a labelled CSV file."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from courtier.core.errors import Invalid
from courtier.core.ids import new_id
from courtier.customers.models import Customer
from courtier.identity import batch
from courtier.identity.compare import Levels
from courtier.identity.evaluation import Figures, score_clusters
from courtier.identity.models import MatchProposal, ProposalStatus
from courtier.identity.score import Scorer
from courtier.identity.services import bulk, index
from courtier.identity.services.matching import cluster_threshold, review_threshold
from courtier.identity.services.model import save_model

Progress = Callable[[str, int, int], None]


@dataclass
class DedupeReport:
    """What a dedupe run found and wrote."""

    customers: int
    candidate_pairs: int
    skipped_blocks: int
    clusters: int
    proposals: int
    seconds: dict[str, float]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def dedupe(progress: Progress = _quiet, train: bool = True) -> DedupeReport:
    """Find duplicate clusters over every active customer and queue merge proposals.

    Trains the model on the base first (EM, no labels) and saves it, rebuilds the matching
    index, then writes one pending proposal per pair scoring at least the review threshold
    (pairs already decided keep their decision). Each write step is its own transaction;
    the index and the proposals never hold half a run.
    """
    started = time.perf_counter()
    total = Customer.objects.count()
    loaded = [0]

    def tick(n: int) -> None:
        loaded[0] += n
        progress("load", loaded[0], total)

    ids, records = index.load_prepared(tick)
    seconds = {"load": time.perf_counter() - started}
    result = batch.run(
        records,
        link_threshold=cluster_threshold(),
        review_threshold=review_threshold(),
        train=train,
        progress=progress,
    )
    seconds.update(result.seconds)
    started = time.perf_counter()
    progress("write", 0, 1)
    with transaction.atomic():
        save_model(result.model, len(records))
    index.rebuild_index(ids, records)
    with transaction.atomic():
        written = bulk.insert(
            MatchProposal,
            PROPOSAL_FIELDS,
            _proposal_rows(result, ids),
            ignore_conflicts=True,  # a pair already proposed or decided keeps its row
        )
    progress("write", 1, 1)
    seconds["write"] = time.perf_counter() - started
    labels = result.labels
    clusters = sum(1 for n in _sizes(labels).values() if n > 1)
    return DedupeReport(
        len(records),
        result.candidate_pairs,
        result.skipped_blocks,
        clusters,
        written,
        seconds,
    )


PROPOSAL_FIELDS = (
    "public_id",
    "left",
    "right",
    "probability",
    "reasons",
    "source",
    "status",
    "created_at",
    "decided_by",
)


def _proposal_rows(result: batch.Result, ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """One row per kept pair, lower customer id on the left, generated as they are written."""
    scorer = Scorer(result.model)
    reasons: dict[Levels, list[dict[str, Any]]] = {}  # a few thousand level patterns
    now = timezone.now()
    for pair in result.pairs:
        left, right = sorted((ids[pair.left], ids[pair.right]))
        why = reasons.get(pair.levels)
        if why is None:
            why = reasons[pair.levels] = scorer.reasons(pair.levels)
        yield (
            new_id(),
            left,
            right,
            pair.probability,
            why,
            "dedupe",
            ProposalStatus.PENDING.value,
            now,
            "",
        )


def _sizes(labels: list[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for label in labels:
        sizes[label] = sizes.get(label, 0) + 1
    return sizes


def read_csv(path: Path, truth_column: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Person rows and their true cluster ids from a CSV; :class:`Invalid` names any problem."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise Invalid.field("file", f"cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if truth_column not in columns:
            raise Invalid.field(
                "truth_column", f"{truth_column!r} is not a column (columns: {', '.join(columns)})"
            )
        rows: list[dict[str, Any]] = []
        truth: list[str] = []
        for line, row in enumerate(reader, start=2):
            label = (row.get(truth_column) or "").strip()
            if not label:
                raise Invalid(f"line {line}: {truth_column} is empty", [])
            truth.append(label)
            rows.append(row)
    return rows, truth


def evaluate(
    path: Path, truth_column: str, progress: Progress = _quiet
) -> tuple[Figures, batch.Result]:
    """Run the batch pipeline on a labelled CSV (nothing stored) and score it pairwise."""
    rows, truth = read_csv(path, truth_column)
    result = batch.run(
        rows,
        link_threshold=cluster_threshold(),
        review_threshold=review_threshold(),
        progress=progress,
    )
    return score_clusters(truth, result.labels), result
