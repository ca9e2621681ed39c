"""Streamlit pages under AppTest: input -> findings, review workflow, dashboard, rules; app == CLI."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from cptnlp.cli import main as cli_main  # noqa: E402

PAGES = ROOT / "app" / "pages"
CASELOAD = ROOT / "examples" / "caseload.jsonl"
NOTE_45_BILLED_90837 = """Session 10:00-10:45, office.
Client with GAD (F41.1) reports worry 3-4 hours a day and poor sleep; missed two days of work this week.
MSE: anxious affect, oriented x4, thought process linear. Denies SI/HI.
Therapist used cognitive restructuring and worry postponement.
Client identified two worries to postpone and rated anxiety 7/10 -> 4/10.
Goal 1 (reduce worry time) progressing. Plan: worry log daily; next session 3/19.
Dana Ruiz, LCSW"""


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [e.value for e in at.warning]
    parts += [e.value for e in at.info] + [e.value for e in at.success] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _check(text: str, codes: list[str], minutes: int | None = None) -> AppTest:
    at = _page("check").run()
    at.text_area(key="note_text").input(text)
    at.multiselect(key="codes").set_value(codes)
    if minutes is not None:
        at.number_input(key="minutes").set_value(minutes)
    at.button(key="check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_router_starts_on_check_page() -> None:
    at = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Check a note"


def test_app_check_shows_findings_suggestion_and_highlight() -> None:
    at = _check(NOTE_45_BILLED_90837, ["90837"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Billed"] == "90837" and metrics["Suggested"] == "90834"
    body = _texts(at)
    assert "time.code_mismatch" in body and "Rule source:" in body
    assert '<mark class="ev ev-' in body
    # selecting the finding outlines its evidence
    sb = at.selectbox(key="check-focus")
    idx = next(o for o in sb.options if "time.code_mismatch" in o)
    sb.select(idx).run()
    assert 'class="ev' in _texts(at) and "focus" in _texts(at)
    assert len(at.get("download_button")) == 2


def test_app_check_escapes_markup_in_note() -> None:
    at = _check("<script>alert('x')</script> " + NOTE_45_BILLED_90837, ["90834"])
    body = _texts(at)
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_app_check_empty_input_is_a_clear_error() -> None:
    at = _page("check").run()
    at.button(key="check").click().run()
    assert any("Paste a note" in e.value for e in at.error)


def test_app_and_cli_give_the_same_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    at = _check(NOTE_45_BILLED_90837, ["90837"], minutes=45)
    app_report = at.session_state["check_result"]["report"]
    f = tmp_path / "note.txt"
    f.write_text(NOTE_45_BILLED_90837, encoding="utf-8")
    assert cli_main(["check", str(f), "--cpt", "90837", "--minutes", "45", "--format", "json"]) == 0
    cli_report = json.loads(capsys.readouterr().out)
    app_report, cli_report = dict(app_report), dict(cli_report)
    app_report.pop("id"), cli_report.pop("id")
    assert app_report == cli_report


@pytest.fixture
def review_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("CPTNLP_REVIEWS_DB", str(db))
    return db


def _loaded(name: str) -> AppTest:
    at = _page(name).run()
    at.text_input(key=f"{'review' if name == 'review' else 'dash'}-path").input(str(CASELOAD))
    at.button(key=f"{'review' if name == 'review' else 'dash'}-loadpath").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_review_filters_sample_and_mark_reviewed(review_db: Path) -> None:
    at = _loaded("review")
    table = at.dataframe[0].value
    assert len(table) == 30 and {"score", "top findings", "provider", "client", "date", "billed"} <= set(table.columns)

    at.multiselect(key="f_finding").set_value(["time.code_mismatch"]).run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < 30 and all(b == "90837" for b in filtered["billed"])
    at.multiselect(key="f_finding").set_value([]).run()
    at.multiselect(key="f_provider").set_value(["Priya Nair, LPC"]).run()
    assert set(at.dataframe[0].value["provider"]) == {"Priya Nair, LPC"}
    at.multiselect(key="f_provider").set_value([]).run()

    at.number_input(key="sample_n").set_value(8).run()
    at.number_input(key="sample_seed").set_value(7).run()
    first = list(at.dataframe[0].value["id"])
    assert len(first) == 8 and at.dataframe[0].value["provider"].value_counts().max() == 2  # 4 providers x 2
    at.number_input(key="sample_seed").set_value(8).run()
    other = list(at.dataframe[0].value["id"])
    at.number_input(key="sample_seed").set_value(7).run()
    assert list(at.dataframe[0].value["id"]) == first and other != first

    at.selectbox(key="drill_id").select(first[0]).run()
    assert '<mark class="ev' in _texts(at)
    assert not review_db.exists()  # nothing is written until a review is saved
    at.text_input(key="review_comment").input("time documented; fine")
    at.button(key="FormSubmitter:mark_form-Mark reviewed").click().run()
    assert not at.exception
    with sqlite3.connect(review_db) as con:
        rows = con.execute("SELECT note_id, comment FROM reviews").fetchall()
    assert rows == [(first[0], "time documented; fine")]
    assert bool(at.dataframe[0].value.set_index("id").loc[first[0], "reviewed"])


def test_app_review_loads_batch_output(tmp_path: Path, review_db: Path) -> None:
    out = tmp_path / "out.jsonl"
    rep = {
        "id": "b1",
        "cpt": ["90837"],
        "minutes": 45,
        "minutes_source": "start_stop",
        "suggested_cpt": ["90834"],
        "score": 60,
        "elements": {},
        "findings": [{"code": "time.code_mismatch", "severity": "error", "message": "m", "spans": [], "source": "s"}],
    }
    out.write_text(json.dumps(rep) + "\n" + json.dumps({"id": "b2", "error": "note text is empty"}) + "\n")
    at = _page("review").run()
    at.text_input(key="review-path").input(str(out))
    at.button(key="review-loadpath").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["id"]) == ["b1", "b2"] and "not scored" in table.set_index("id").loc["b2", "top findings"]


def test_app_dashboard_renders_with_fee_table(review_db: Path) -> None:
    at = _loaded("dashboard")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Notes"] == "30"
    assert any("Above the reference line" in e.value and "Tom Becker" in e.value for e in at.error)
    at.text_input(key="fee_path").input(str(ROOT / "examples" / "fees.csv")).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["At risk: billed − suggested"].startswith("$") and metrics["At risk: billed − suggested"] != "$0"


def test_app_rules_page_lists_codes_checks_and_sources() -> None:
    at = _page("rules").run()
    assert not at.exception
    codes = at.dataframe[0].value
    assert {"90832", "90834", "90837", "90839", "90791"} <= set(codes["code"])
    assert codes["source"].str.len().min() > 0
    body = _texts(at)
    for check in ("time", "code", "crisis", "necessity", "telehealth", "signature"):
        assert f"**{check}**" in body
