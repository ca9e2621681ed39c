"""Note-format headers (SOAP, DAP, BIRP, EHR labels) -> sections; sections.json validation."""

from __future__ import annotations

import pytest

from cptnlp.errors import DataFileError
from cptnlp.nlp.sections import SectionRules, find_sections


def labels(text: str) -> list[str]:
    return [s.label for s in find_sections(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S: low mood\nO: tearful\nA: MDD\nP: weekly", ["subjective", "objective", "assessment", "plan"]),
        ("D: reports worry\nA: GAD\nP: CBT weekly", ["data", "assessment", "plan"]),
        ("B: withdrawn\nI: CBT\nR: engaged\nP: weekly", ["behavior", "intervention", "response", "plan"]),
        ("Mental Status Exam:\nalert\nPlan: weekly", ["mental_status", "plan"]),
    ],
)
def test_sections_formats(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_sections_plain_prose_has_no_headers() -> None:
    assert labels("Client said she was fine and left.") == []


def test_sections_spans_index_text() -> None:
    text = "Intro line\nPlan: weekly sessions"
    (s,) = find_sections(text)
    assert text[s.header_start : s.header_end].lower().startswith("plan")
    assert s.end == len(text)


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        ([], "'sections' object"),
        ({"sections": {"plan": "Plan"}}, "list of non-empty header strings"),
        (
            {"sections": {"plan": ["Plan"]}, "letters": {"rules": [{"when": ["P"], "map": {"P": "nope"}}]}},
            "unknown section",
        ),
        ({"sections": {"plan": ["Plan"]}, "letters": {"rules": [{"when": ["P"], "map": {}, "bogus": 1}]}}, "allowed"),
    ],
)
def test_sections_bad_file_raises(data, expect: str) -> None:
    with pytest.raises(DataFileError, match=expect):
        SectionRules(data, "sections.json")
