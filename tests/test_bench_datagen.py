"""The benchmark's generated identifiers are what the product would store for them."""

from __future__ import annotations

import random

from bench import datagen

from courtier.customers.normalize import normalize


def test_generated_identifiers_are_unique_and_already_normalised():
    picks = random.Random(4).sample(range(1, 1_000_001), 2000)
    seen: set[tuple[str, str]] = set()
    for i in picks:
        found = datagen.identifiers_of(i)
        assert 1 <= len(found) <= 3
        for kind, value, _system in found:
            assert normalize(kind, value) == value
            assert (kind, value) not in seen
            seen.add((kind, value))


def test_phones_do_not_repeat_across_a_million_customers():
    assert len({datagen.phone_of(i) for i in range(1, 200_001)}) == 200_000
