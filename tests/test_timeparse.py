"""Session-time extraction: every time form of the issue, each distractor, and the clock arithmetic."""

from __future__ import annotations

import pytest

from cptnlp.nlp.timeparse import clock_span, find_time_mentions


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("Session 10:02am-10:55am.", 53),
        ("Session 10:02–10:55.", 53),
        ("Start: 14:00 End: 14:41", 41),
        ("Time in 3:10 PM / Time out 4:02 PM", 52),
        ("Met with client from 9 to 9:50.", 50),
        ("53 min", 53),
        ("50-minute session today.", 50),
        ("Met for fifty minutes.", 50),
        ("Duration 0:45", 45),
        ("Session length 1 hr 15 min.", 75),
        ("Session lasted 1.5 hours.", 90),
        ("Session 11:40-12:35.", 55),  # across noon without am/pm
        ("Session 11:30 am - 12:20 pm", 50),  # across noon with am/pm
        ("Session 11:35 PM–12:40 AM.", 65),  # across midnight
        ("Seen same day as an urgent add-on, 3:05-3:55 PM. She has not slept since.", 50),
    ],
)
def test_timeparse_session_forms(text: str, minutes: int) -> None:
    found = find_time_mentions(text)
    assert [t.minutes for t in found] == [minutes]
    assert all(0 <= t.start < t.end <= len(text) for t in found)


@pytest.mark.parametrize(
    "text",
    [
        "Goes to bed at 11pm, wakes at 4am.",
        "She slept 4 hours last night.",
        "slept 4 hrs",
        "Panic attacks lasting 20 minutes.",
        "PHQ-9 = 14.",
        "Sertraline 50 mg daily.",
        "Next appt 11/3 at 2:00 pm.",
        "Works 12-hour shifts.",
        "Plan: will walk 45 minutes daily.",
        "Spoke with client by phone call for 10 minutes before the session.",
        "Phone call 9:00-9:10 am with mother prior to the session.",
        "Previous 45-minute sessions have not left time for practice.",
        "Processing could not be safely stopped at 60 min.",
        "Client wrote about the trauma for 30 minutes.",
    ],
)
def test_timeparse_distractors_are_not_session_time(text: str) -> None:
    assert find_time_mentions(text) == []


def test_timeparse_psychotherapy_apart_from_em() -> None:
    found = find_time_mentions("E/M 10:00-10:15. Psychotherapy 10:15-10:55 (40 min).")
    assert [(t.category, t.minutes) for t in found] == [("em", 15), ("psychotherapy", 40), ("psychotherapy", 40)]


def test_timeparse_exclusive_of_em_label_is_psychotherapy() -> None:
    (t,) = find_time_mentions("Psychotherapy time (exclusive of E/M): 45 minutes")
    assert (t.category, t.minutes) == ("psychotherapy", 45)


def test_timeparse_crisis_category() -> None:
    (t,) = find_time_mentions("Crisis intervention 2:10-2:55 PM.")
    assert t.category == "crisis"


def test_timeparse_span_is_the_expression() -> None:
    text = "Note.\nSession 10:02am-10:55am with client."
    (t,) = find_time_mentions(text)
    assert text[t.start : t.end] == "10:02am-10:55am"


@pytest.mark.parametrize(
    ("a", "b", "span"),
    [
        ((10, 2, "a"), (10, 55, "a"), (602, 655)),
        ((11, 35, "p"), (12, 40, "a"), (1415, 1480)),
        ((3, 10, None), (4, 2, "p"), (910, 962)),
        ((11, 40, None), (12, 35, None), (700, 755)),
    ],
)
def test_timeparse_clock_span(a, b, span) -> None:
    assert clock_span(a, b) == span


def test_timeparse_no_digits_is_fast_path() -> None:
    assert find_time_mentions("Client reports low mood.") == []
