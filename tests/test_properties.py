"""Property tests: no input string crashes check, and every span indexes the original text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptnlp import InputError, make_note

FRAGMENTS = [
    "Session 10:02am-10:55am.",
    "from 9 to 9:50",
    "53 min",
    "fifty minutes",
    "Duration 0:45",
    "1 hr 15 min",
    "11:35 PM–12:40 AM",
    "slept 4 hours",
    "PHQ-9 = 14",
    "sertraline 50 mg",
    "next appt 11/3 at 2:00 pm",
    "Client: Ann B.\nPresent: Ann, mother.",
    "S:",
    "P:",
    "Plan:",
    "denies SI/HI",
    "Dx: F33.1",
    "\n",
    ". ",
    "E/M",
    "Psychotherapy time:",
    "Electronically signed: Jo Li, LCSW",
    "Crisis",
    "video",
    "Start: 14:00 End: 14:41",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map(" ".join),
)
codes = st.sampled_from(["90834", "90837 90785", "99214 90833", "90839 90840", "90847", "90791", "90806", ""])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, cpt=codes, minutes=st.one_of(st.none(), st.integers(0, 300)))
def test_properties_check_never_crashes_and_spans_index_text(checker, text: str, cpt: str, minutes) -> None:
    try:
        note = make_note(text, cpt=cpt or None, minutes=minutes, date="2025-06-01")
    except InputError:
        assert not text.strip() or "\x00" in text
        return
    report = checker.check(note)
    for f in report.findings:
        for s in f.spans:
            assert text[s.start : s.end] == s.text
    for el in report.elements.values():
        for s in el["spans"]:
            assert text[s.start : s.end] == s.text
    assert 0 <= report.score <= 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_properties_model_spans_index_text(model_checker, text: str) -> None:
    if not text.strip() or "\x00" in text:
        return
    report = model_checker.check(make_note(text, cpt="90834", date="2025-06-01"))
    for el in report.elements.values():
        for s in el["spans"]:
            assert text[s.start : s.end] == s.text
