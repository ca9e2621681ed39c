"""time.* findings and minutes resolution."""

from __future__ import annotations

import pytest
from checks_helpers import BODY, codes, run


@pytest.mark.parametrize(
    ("line", "cpt", "finding", "minutes"),
    [
        ("Session 10:00-10:45.", "90837", "time.code_mismatch", 45),
        ("Session 10:00-10:55.", "90837", None, 55),
        ("Session 10:00-10:12.", "90832", "time.below_minimum", 12),
        ("Session 10:00-10:20.", "90832", None, 20),
        ("Session 10:00-10:45. A 53-minute session.", "90834", "time.inconsistent", 45),
        ("Session 10:00-10:45. A 45-minute session.", "90834", None, 45),
    ],
)
def test_checks_timing(checker, line: str, cpt: str, finding: str | None, minutes: int) -> None:
    r = run(checker, f"{line} {BODY}", cpt)
    assert r.minutes == minutes
    if finding:
        assert finding in codes(r)
    else:
        assert not {c for c in codes(r) if c.startswith("time.")}


def test_checks_time_missing(checker) -> None:
    r = run(checker, BODY, "90834")
    assert "time.missing" in codes(r) and r.minutes is None and list(r.suggested_cpt) == []
    assert "time.missing" not in codes(run(checker, "Session 10:00-10:45. " + BODY, "90834"))


def test_checks_time_input_minutes_disagree(checker) -> None:
    assert "time.inconsistent" in codes(run(checker, "Session 10:00-10:45. " + BODY, "90834", minutes=60))
    assert "time.inconsistent" not in codes(run(checker, "Session 10:00-10:45. " + BODY, "90834", minutes=45))


def test_checks_time_input_only_is_source_input(checker) -> None:
    r = run(checker, BODY, "90834", minutes=45)
    assert (r.minutes, r.minutes_source) == (45, "input")


def test_checks_time_em_addon_uses_psychotherapy_minutes(checker) -> None:
    text = "E/M 10:00-10:15, MDM moderate, continue sertraline 100 mg. Psychotherapy 10:15-10:29 (14 min). " + BODY
    r = run(checker, text, "99214 90833")
    assert r.minutes == 14
    assert list(r.suggested_cpt) == ["99214"]


def test_checks_time_em_addon_with_total_time_only(checker) -> None:
    text = "Total time 35 minutes. MDM moderate, continue sertraline 100 mg. " + BODY
    assert "time.missing" in codes(run(checker, text, "99213 90833"))
