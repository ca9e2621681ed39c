"""Golden cases: load the hand labels and check one note the way the golden test does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cptnlp import Checker, Report, make_note

HERE = Path(__file__).resolve().parent
NOTES = HERE / "notes"
EXPECTED = HERE / "expected"
NOTE_DATE = "2025-06-01"


def load_cases() -> list[dict[str, Any]]:
    return json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def case_name(case: dict[str, Any]) -> str:
    return case["file"].removesuffix(".txt")


def run_case(checker: Checker, case: dict[str, Any]) -> tuple[str, Report]:
    text = (NOTES / case["file"]).read_text(encoding="utf-8")
    note = make_note(text, id=case_name(case), cpt=case["cpt"], minutes=case["input_minutes"], date=NOTE_DATE)
    return text, checker.check(note)


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
