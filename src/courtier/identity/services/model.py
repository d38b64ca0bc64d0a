"""The model in use: the newest trained one, or the starting values before any training."""

from __future__ import annotations

import time

from courtier.identity.models import MatchModel
from courtier.identity.score import Model, Scorer

# Models change once a night at most; each process rereads at this interval.
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, Scorer]] = {}


def current_scorer() -> Scorer:
    """The scorer for the newest saved model (cached for ``CACHE_SECONDS``)."""
    hit = _cache.get("scorer")
    now = time.monotonic()
    if hit and hit[0] > now:
        return hit[1]
    row = (
        MatchModel.objects.order_by("-trained_at", "-id")
        .values_list("parameters", flat=True)
        .first()
    )
    scorer = Scorer(Model.from_json(row) if row else Model())
    _cache["scorer"] = (now + CACHE_SECONDS, scorer)
    return scorer


def save_model(model: Model, records: int) -> MatchModel:
    """Store a trained model; it is used from now on in this process, within a minute elsewhere."""
    row = MatchModel.objects.create(parameters=model.to_json(), records=records)
    _cache.clear()
    return row
