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


def test_checks_time_em_addon_share_of_visit_is_psychotherapy_minutes(checker) -> None:
    text = "MDM moderate, continue sertraline 100 mg. Of the 45-minute visit, 26 minutes were psychotherapy. " + BODY
    r = run(checker, text, "99214 90836")
    assert (r.minutes, r.minutes_source) == (26, "stated")


def test_checks_time_em_addon_portion_of_visit_is_psychotherapy_minutes(checker) -> None:
    text = "E/M 12 min (MDM moderate, sertraline 100 mg). 30 minutes of the visit were spent in psychotherapy. " + BODY
    assert run(checker, text, "99213 90833").minutes == 30


def test_checks_time_part_of_session_is_not_the_session_time(checker) -> None:
    text = "50-minute session. Spent 20 minutes of the session on psychotherapy skills. " + BODY
    assert run(checker, text, "90834").minutes == 50


def test_checks_time_em_addon_24_hour_portions(checker) -> None:
    text = "Visit 1400-1500.\nE/M portion 1400-1412, sertraline 100 mg.\nPsychotherapy portion 1412-1450.\n" + BODY
    r = run(checker, text, "99213 90836")
    assert (r.minutes, r.minutes_source) == (38, "start_stop")


def test_checks_time_crisis_stated_total_of_blocks_wins(checker) -> None:
    text = (
        "Crisis psychotherapy, first contact: 50 minutes. Follow-up same day. Total crisis time: 50 + 30 minutes. "
        + BODY
    )
    r = run(checker, text, "90839 90840")
    assert r.minutes == 80
    assert "time.inconsistent" not in codes(r)


def test_checks_time_crisis_blocks_are_added_up(checker) -> None:
    text = "Crisis intervention note.\nPart 1: 40 minutes\nPart 2: 35 minutes\n" + BODY
    r = run(checker, text, "90839 90840")
    assert (r.minutes, r.minutes_source) == (75, "stated")
    assert "time.inconsistent" not in codes(r)


def test_checks_time_crisis_separate_24_hour_blocks_exclude_the_break(checker) -> None:
    text = "Crisis note.\nContact 1: 0910-1005\nBreak 1005-1030 (client with nurse)\nContact 2: 1030-1110\n" + BODY
    assert run(checker, text, "90839 90840").minutes == 95


def test_checks_time_scheduled_time_is_not_used(checker) -> None:
    text = "Scheduled 1:00-1:53 PM; client 15 minutes late. Session held 1:15-1:53 PM. " + BODY
    r = run(checker, text, "90834")
    assert (r.minutes, r.minutes_source) == (38, "start_stop")


def test_checks_time_ehr_fields_beat_the_field_minutes(checker) -> None:
    text = "Appt Start: 05/14/2025 08:05\nAppt End: 05/14/2025 08:49\nVisit Duration (min): 60\n" + BODY
    r = run(checker, text, "90834")
    assert (r.minutes, r.minutes_source) == (44, "start_stop")
    assert "time.inconsistent" in codes(r)


def test_checks_time_crisis_export_across_midnight(checker) -> None:
    text = "Crisis contact (video).\nSvc Start ..... 2025-02-01 23:48\nSvc End ....... 2025-02-02 00:51\n" + BODY
    r = run(checker, text, "90839")
    assert (r.minutes, r.minutes_source) == (63, "start_stop")


def test_checks_time_platform_timer_with_start_only(checker) -> None:
    text = "Video visit started 9:03 AM.\n" + BODY + "\n-- MeetCare | Session timer 00:41:55 | ended by clinician --"
    r = run(checker, text, "90834")
    assert (r.minutes, r.minutes_source) == (41, "stated")


def test_checks_time_addon_minutes_bound_to_psychotherapy(checker) -> None:
    text = (
        "Medication management: refilled, labs reviewed. After the med check I spent 21 minutes in "
        "supportive psychotherapy focused on grief. " + BODY
    )
    r = run(checker, text, "99214 90833")
    assert (r.minutes, r.minutes_source) == (21, "stated")
