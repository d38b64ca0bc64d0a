"""``courtier dedupe``: find duplicate customers and queue merge proposals for review.

``--evaluate FILE --truth-column COL`` instead runs the same pipeline on a labelled CSV of
person records and prints precision, recall and F1, storing nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from courtier.core.errors import Invalid
from courtier.identity.services import dedupe as service
from courtier.identity.services import index


class Command(BaseCommand):
    help = "Find duplicate customers and write merge proposals (or --evaluate a labelled CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--evaluate", metavar="FILE", help="labelled CSV of person records")
        parser.add_argument("--truth-column", default="cluster_id", help="column of true ids")
        parser.add_argument("--no-train", action="store_true", help="use the saved model")
        parser.add_argument(
            "--refresh-index",
            action="store_true",
            help="only reindex customers changed since the last run (fast; run often)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with Progress(
            TextColumn("{task.description:>8}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=None,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=max(total, 1))
                bar.update(tasks[stage], completed=done, total=max(total, 1))

            summary: dict[str, Any]
            try:
                if options["refresh_index"]:
                    summary = {"reindexed": index.refresh_index()}
                elif options["evaluate"]:
                    figures, result = service.evaluate(
                        Path(options["evaluate"]), options["truth_column"], progress
                    )
                    summary = {
                        "records": len(result.labels),
                        "precision": figures.precision,
                        "recall": figures.recall,
                        "f1": figures.f1,
                        "true_pairs": figures.true_pairs,
                        "predicted_pairs": figures.predicted_pairs,
                        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
                    }
                else:
                    report = service.dedupe(progress, train=not options["no_train"])
                    summary = {
                        "customers": report.customers,
                        "candidate_pairs": report.candidate_pairs,
                        "skipped_blocks": report.skipped_blocks,
                        "clusters": report.clusters,
                        "proposals": report.proposals,
                        "seconds": {k: round(v, 3) for k, v in report.seconds.items()},
                    }
            except Invalid as exc:
                raise CommandError(exc.detail) from None
        self.stdout.write(json.dumps(summary))
