"""crisis.*, eval.*, telehealth.*, signature.* and necessity.* findings: positive and negative cases."""

from __future__ import annotations

from checks_helpers import BODY, codes, run

CRISIS_OK = (
    "Crisis session 1:00-2:05 PM, urgent walk-in for acute suicidal crisis. MSE: tearful, oriented x4. "
    "Risk: SI with plan, no intent; C-SSRS done. Disposition: safety plan completed, discharged home with sister. "
)
EVAL_OK = (
    "Intake 9:00-10:05. History of present illness: 6 months of low mood. Psychiatric history: none. "
    "MSE: alert, oriented x4, affect constricted. Diagnosis: F32.1 MDD. Recommendations: weekly CBT, PHQ-9 monthly. "
)


def test_checks_crisis(checker) -> None:
    assert "crisis.elements_missing" not in codes(run(checker, CRISIS_OK, "90839"))
    assert "crisis.elements_missing" in codes(run(checker, "Crisis session 1:00-2:05 PM. Talked.", "90839"))


def test_checks_crisis_routine_visit(checker) -> None:
    r = run(checker, "Client arrived on time for her scheduled weekly session. " + CRISIS_OK, "90839")
    assert "crisis.routine_visit" in codes(r)


def test_checks_eval(checker) -> None:
    assert "eval.elements_missing" not in codes(run(checker, EVAL_OK, "90791"))
    assert "eval.elements_missing" in codes(run(checker, "Intake 9:00-10:05. Client talked about work.", "90791"))


def test_checks_telehealth(checker) -> None:
    ok = "Video session 10:00-10:45 via Zoom. Client located at home in Dayton, OH. Consent for telehealth obtained. "
    assert "telehealth.elements_missing" not in codes(run(checker, ok + BODY, "90834"))
    assert "telehealth.elements_missing" in codes(run(checker, "Video session 10:00-10:45 via Zoom. " + BODY, "90834"))
    assert "telehealth.elements_missing" not in codes(run(checker, "Office session 10:00-10:45. " + BODY, "90834"))


def test_checks_signature(checker) -> None:
    assert "signature.missing" in codes(run(checker, "Session 10:00-10:45. " + BODY, "90834", sig=False))
    assert "signature.missing" not in codes(run(checker, "Session 10:00-10:45. " + BODY, "90834"))


def test_checks_necessity(model_checker) -> None:
    full = (
        "Session 10:00-10:45. Dx: F33.1 Major depressive disorder, recurrent, moderate. "
        "Client reports low mood most days and early waking 4 nights a week. "
        "She missed 3 shifts at work this month because of her depression. "
        "Denies SI/HI, intent or plan. MSE: alert, oriented x4, affect constricted, thought process linear. "
        "Therapist used cognitive restructuring to challenge all-or-nothing thoughts. "
        "Client identified two alternative thoughts and rated distress down from 8/10 to 5/10. "
        "Addressed treatment-plan goal 1: reduce depressive symptoms. PHQ-9 today 16 (previous 19). "
        "Continued weekly psychotherapy is medically necessary because symptoms still impair work attendance. "
        "Plan: weekly sessions; homework: thought record."
    )
    assert not {c for c in codes(run(model_checker, full, "90834")) if c.startswith("necessity.")}
    thin = run(model_checker, "Session 10:00-10:45. Talked about the week.", "90834")
    assert "necessity.diagnosis_missing" in codes(thin)
    assert thin.elements["diagnosis"]["present"] is False
