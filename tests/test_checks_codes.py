"""code.* findings: unknown/deleted, add-on without primary, pairs, attendees, 90785, E/M work."""

from __future__ import annotations

import pytest
from checks_helpers import BODY, codes, run

T = "Session 10:00-10:45. "


@pytest.mark.parametrize(
    ("text", "cpt", "finding", "present"),
    [
        (T + BODY, "90806", "code.unknown", True),
        (T + BODY, "12345", "code.unknown", True),
        (T + BODY, "90834", "code.unknown", False),
        (T + BODY, "90833", "code.addon_without_primary", True),
        (T + "MDM low; continue sertraline. " + BODY, "99213 90833", "code.addon_without_primary", False),
        (T + BODY, "90791 90834", "code.pair_conflict", True),
        (T + BODY, "90834", "code.pair_conflict", False),
        (T + "Mother and father attended; client did not attend. " + BODY, "90847", "code.attendee_mismatch", True),
        (T + "Client and mother attended. " + BODY, "90847", "code.attendee_mismatch", False),
        (T + "Client and mother attended. " + BODY, "90846", "code.attendee_mismatch", True),
        (
            T + "Spanish interpreter present throughout due to a language barrier. " + BODY,
            "90834 90785",
            "code.complexity_unsupported",
            True,
        ),
        (
            T + "Play therapy with toys was needed because the 6-year-old client lacks expressive language. " + BODY,
            "90834 90785",
            "code.complexity_unsupported",
            False,
        ),
        (T + BODY, "99213 90836", "code.em_missing", True),
        (
            T + "MDM moderate; prescription drug management, continue sertraline 100 mg. " + BODY,
            "99213 90836",
            "code.em_missing",
            False,
        ),
    ],
)
def test_checks_codes(checker, text: str, cpt: str, finding: str, present: bool) -> None:
    assert (finding in codes(run(checker, text, cpt))) is present
