"""Golden notes: full expected reports beside each note, plus the hand labels in cases.json.

Regenerate the expected reports with ``CPTNLP_REGEN_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from golden import EXPECTED, NOTES, case_name, load_cases, report_json, run_case

CASES = load_cases()
REGEN = os.environ.get("CPTNLP_REGEN_GOLDEN") == "1"
IDS = [case_name(c) for c in CASES]


def test_golden_every_note_has_a_case() -> None:
    assert {p.name for p in NOTES.glob("*.txt")} == {c["file"] for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden_report_matches_expected(model_checker, case) -> None:
    _, report = run_case(model_checker, case)
    path = EXPECTED / f"{case_name(case)}.json"
    got = report_json(report)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), f"{path.name} missing: run with CPTNLP_REGEN_GOLDEN=1 and review the diff"
    assert json.loads(got) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden_hand_labels(model_checker, case) -> None:
    _, report = run_case(model_checker, case)
    assert (report.minutes, report.minutes_source) == (case["expected_minutes"], case["expected_minutes_source"])
    assert list(report.suggested_cpt) == case["expected_suggested_cpt"]
    codes = {f.code for f in report.findings}
    assert set(case["expected_findings"]) <= codes


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden_spans_index_the_note(model_checker, case) -> None:
    text, report = run_case(model_checker, case)
    for f in report.findings:
        assert all(text[s.start : s.end] == s.text for s in f.spans)
    for el in report.elements.values():
        assert all(text[s.start : s.end] == s.text for s in el["spans"])


def test_golden_minutes_accuracy(model_checker) -> None:
    right = sum(run_case(model_checker, c)[1].minutes == c["expected_minutes"] for c in CASES)
    assert right * 100 >= 97 * len(CASES), f"minutes accuracy {right}/{len(CASES)}"
