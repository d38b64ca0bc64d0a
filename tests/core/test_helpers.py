"""Public ids, CSV cell protection and other shared pieces."""

from __future__ import annotations

import time
import uuid

from courtier.core.csvsafe import safe_cell, unguard_cell
from courtier.core.ids import new_id


def test_public_ids_are_uuid7_ordered_by_time_and_unguessable():
    first = new_id()
    time.sleep(0.002)
    ids = [new_id() for _ in range(1000)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert len(set(ids)) == 1000
    assert first < min(ids)


def test_formula_cells_are_neutralised_and_round_trip():
    for hostile in ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]:
        cell = safe_cell(hostile)
        assert cell.startswith("'")
        assert unguard_cell(cell) == hostile
    assert safe_cell("Marie Tremblay") == "Marie Tremblay"
    assert safe_cell(None) == ""
    assert unguard_cell("'quoted on purpose") == "'quoted on purpose"


def test_e164_phone_reads_as_text_in_a_spreadsheet():
    # A bare +15145550199 is evaluated to the number 15145550199; the apostrophe makes
    # the spreadsheet keep it as the text "+15145550199".
    assert safe_cell("+15145550199") == "'+15145550199"
    assert unguard_cell("'+15145550199") == "+15145550199"
