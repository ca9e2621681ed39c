"""Helpers for the check tests: build a note around a time line and return codes of findings."""

from __future__ import annotations

from cptnlp import Checker, Report, make_note

SIG = "\nElectronically signed: Jane Doe, LCSW 06/01/2025"
BODY = "Client reports low mood. Used CBT. Denies SI/HI. Plan: weekly sessions."


def run(checker: Checker, text: str, cpt: str, *, minutes: int | None = None, sig: bool = True) -> Report:
    return checker.check(make_note(text + (SIG if sig else ""), cpt=cpt, minutes=minutes, date="2025-06-01"))


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}
