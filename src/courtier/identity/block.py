"""Stage 2, block: cheap keys that put likely duplicates side by side.

A record gets a handful of keys; two records become a candidate pair only when they share
one. Each key is a conjunction narrow enough to stay small at a million customers, and each
catches what the others miss:

- ``p`` a phone, ``e`` an email local part (a new domain, same person);
- ``n`` family-name sound + birth year + given initial (typos in the given name);
- ``y`` both name sounds in either order + birth year (swapped given/family names);
- ``z`` both name sounds in either order + postal area (no birth date, a new phone);
  in ``y`` and ``z`` each name sounds through its diminutive group, whichever side it
  stands on, so "Walker Manon" meets "Emmanuelle Walker";
- ``a`` postcode + given-name initial, ``s`` street + initial (a new surname, same home);
- ``d`` full birth date + given-name initial (married name, moved house);
- ``o``, ``t``, ``b``: postcode, street, birth date + both initials in either order
  (given and family names swapped *and* one of them mistyped or shortened, which defeats
  every key built on a name's sound or on the given initial);
- ``c``, ``f``: postcode, birth date + each name's first two letters in either order, the
  names in either order (a name's first two letters swapped, "Hcristine": the one
  adjacent transposition that changes an initial, and that defeats the name's sound);
- ``g``, ``h``: full birth date + postcode, full birth date + street, no name at all: the
  same birthday at the same home meets whatever happened to the names (swapped *and*
  mistyped, a first letter mistyped, a married name). Two fields that identify a home and
  a day keep the blocks to a household's twins, so they cost almost nothing;
- ``w`` both name sounds alone: only for the real-time matcher (an agent typing a name
  should see the namesakes), never for the batch.

Given names block through their diminutive group's head, so Bob and Robert share keys.
The batch never pairs on a name alone: at a million customers "Jean Roy" is fifty people,
and comparing them all with each other is most of the cost for none of the matches (a
name alone never outweighs the prior). A key still shared by very many records is skipped and
counted, never silently truncated.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from courtier.identity import nicknames
from courtier.identity.prepare import Prepared, phonetic

MAX_BLOCK = 200
NAME_ONLY = "w:"


def keys(record: Prepared) -> list[str]:
    """The blocking keys of one prepared record (no duplicates)."""
    found: list[str] = [f"p:{p}" for p in record.phones]
    found += [f"e:{local}" for local, _ in record.emails if len(local) >= 3]
    year = record.birth[0] if record.birth else None
    # A name in two diminutive groups (William: his own, and Guillaume's) blocks under both.
    initials = nicknames.initials(record.given) if record.given else []
    initial = initials[0] if initials else ""
    if record.family_key and year:
        found += [f"n:{record.family_key}:{year}:{i}" for i in initials]
    if record.family_key and record.given_key:
        # The family name sounds through a diminutive group too: after a swap it may be
        # the given name ("Walker Manon"), and the other record's given name may be its
        # long form (Emmanuelle).
        sounds = ":".join(sorted((record.given_key, _as_given(record.family))))
        found.append(f"{NAME_ONLY}{sounds}")
        if year:
            found.append(f"y:{sounds}:{year}")
        if record.postcode:
            found.append(f"z:{sounds}:{record.postcode[:3]}")
    # Both initials, in either order: the same home or birth date still meets when given
    # and family names were swapped and one of them mistyped or shortened.
    both = "".join(sorted((initial, record.family[:1]))) if initial and record.family else ""
    if record.postcode and initial:
        found += [f"a:{record.postcode}:{i}" for i in initials]
        if both:
            found.append(f"o:{record.postcode}:{both}")
    if record.street and initial:
        found += [f"s:{record.street}:{i}" for i in initials]
        if both:
            found.append(f"t:{record.street}:{both}")
    if record.birth and initial:
        y, m, d = record.birth
        found += [f"d:{y:04d}{m:02d}{d:02d}:{i}" for i in initials]
        if both:
            found.append(f"b:{y:04d}{m:02d}{d:02d}:{both}")
    # Each name's first two letters in either order, the names in either order: swapping
    # the first two letters ("Hcristine") is the adjacent transposition that changes an
    # initial, and it defeats every key above that has no phone or email, also when given
    # and family names were swapped. Finer than the initials, so few pairs are new.
    if len(record.given) >= 2 and len(record.family) >= 2:
        leads = ":".join(sorted("".join(sorted(n[:2])) for n in (record.given, record.family)))
        if record.postcode:
            found.append(f"c:{record.postcode}:{leads}")
        if record.birth:
            y, m, d = record.birth
            found.append(f"f:{y:04d}{m:02d}{d:02d}:{leads}")
    if record.birth and (record.postcode or record.street):
        y, m, d = record.birth
        if record.postcode:
            found.append(f"g:{y:04d}{m:02d}{d:02d}:{record.postcode}")
        if record.street:
            found.append(f"h:{y:04d}{m:02d}{d:02d}:{record.street}")
    return list(dict.fromkeys(k[:120] for k in found))


def _as_given(family: str) -> str:
    return phonetic(nicknames.canonical(family))


_HASH_BITS = 40
_INDEX_BITS = 23
MAX_RECORDS = 1 << _INDEX_BITS
# The key-hash space is cut into 16 ranges, sorted and walked one at a time.
_RANGE_BITS = 4


def candidate_pairs(
    records: Sequence[Prepared], max_block: int = MAX_BLOCK
) -> tuple[array[int], int]:
    """Every pair of records sharing a key, once, as codes ``i * len(records) + j`` (i < j).

    Returns the codes and how many blocks were skipped for being too common. Each
    (key, record) is one integer (a 40-bit key hash above the record index), sorted so
    that blocks are runs; a pair is emitted only by the smallest key its two records
    share, so no set of seen pairs is needed. Two different keys sharing a 40-bit hash
    only add a few extra comparisons. The real-time matcher reads the same keys from the
    database index instead.

    Memory: at a million records there are about seven million keys. Held as Python
    integers (and a tuple of them per record) they cost about 600 MB, the peak of a
    whole dedupe run; here they are machine integers in arrays (8 bytes each), and only
    one of 16 hash ranges at a time becomes a list to be sorted. The ranges are walked
    in order, so the pairs come out in exactly the order one global sort would give.
    """
    size = len(records)
    if size >= MAX_RECORDS:
        raise ValueError(f"at most {MAX_RECORDS - 1} records per batch run")
    mask = (1 << _HASH_BITS) - 1
    shift = _HASH_BITS - _RANGE_BITS
    # Record i's sorted key hashes are flat[bounds[i]:bounds[i + 1]].
    flat: array[int] = array("q")
    bounds: array[int] = array("q", [0])
    ranges = [array("q") for _ in range(1 << _RANGE_BITS)]
    for index, record in enumerate(records):
        own = sorted({hash(k) & mask for k in keys(record) if not k.startswith(NAME_ONLY)})
        flat.extend(own)
        bounds.append(len(flat))
        for h in own:
            ranges[h >> shift].append((h << _INDEX_BITS) | index)
    pairs: array[int] = array("q")
    skipped = 0
    low = (1 << _INDEX_BITS) - 1
    for n in range(len(ranges)):
        entries = sorted(ranges[n])
        ranges[n] = array("q")  # freed as soon as it is sorted
        start = 0
        total = len(entries)
        while start < total:
            key = entries[start] >> _INDEX_BITS
            end = start + 1
            while end < total and entries[end] >> _INDEX_BITS == key:
                end += 1
            count = end - start
            if count > max_block:
                skipped += 1
            elif count > 1:
                members = [e & low for e in entries[start:end]]
                for m, left in enumerate(members):
                    first = flat[bounds[left]]
                    for right in members[m + 1 :]:
                        # Emit the pair only from the first key both records share.
                        if first != key and _first_shared(flat, left, right, bounds) != key:
                            continue
                        a, b = (left, right) if left < right else (right, left)
                        pairs.append(a * size + b)
            start = end
    return pairs, skipped


def _first_shared(flat: array[int], left: int, right: int, bounds: array[int]) -> int:
    """The smallest key hash two records share (they share at least one)."""
    i, i_end = bounds[left], bounds[left + 1]
    j, j_end = bounds[right], bounds[right + 1]
    while i < i_end and j < j_end:
        a, b = flat[i], flat[j]
        if a == b:
            return a
        if a < b:
            i += 1
        else:
            j += 1
    return -1
