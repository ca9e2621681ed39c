"""suggested_cpt: the contract's examples."""

from __future__ import annotations

import pytest
from checks_helpers import BODY, run

EM = "MDM moderate; continue sertraline 100 mg. "
CRISIS = (
    "Crisis session 1:00-2:35 PM, urgent walk-in for acute suicidal crisis. MSE: tearful, oriented x4. "
    "Risk: SI with plan, no intent; C-SSRS done. Disposition: safety plan completed, discharged home with sister. "
)


@pytest.mark.parametrize(
    ("text", "cpt", "expected"),
    [
        ("Session 10:00-10:45. " + BODY, "90837", ["90834"]),
        (CRISIS + BODY, "90839", ["90839", "90840"]),
        ("Psychotherapy 10:15-10:29 (14 min). " + EM + BODY, "99214 90833", ["99214"]),
        ("Session 10:00-10:45. " + BODY, "90834 90785", ["90834"]),
        (BODY, "90834", []),
        ("Session 1:00-1:50 PM. " + BODY, "90806", ["90834"]),
    ],
)
def test_checks_suggest_contract_examples(checker, text: str, cpt: str, expected: list[str]) -> None:
    assert list(run(checker, text, cpt).suggested_cpt) == expected
