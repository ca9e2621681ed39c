"""app/render.py: every piece of note text is escaped; spans and focus become <mark>s."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import render
from cptnlp import ELEMENTS

EVIL = 'Client said <script>alert("x")</script> & <b>bold</b> cost $5 then $6.\nDenies SI/HI.'


def _report(text: str, spans: dict[str, list[tuple[int, int]]], findings: list | None = None) -> dict:
    return {
        "id": "<img src=x onerror=alert(1)>",
        "cpt": ["90837"],
        "suggested_cpt": ["90834"],
        "score": 50,
        "minutes": 45,
        "minutes_source": "start_stop",
        "elements": {
            e: {
                "present": bool(spans.get(e)),
                "spans": [{"start": s, "end": t, "text": text[s:t]} for s, t in spans.get(e, [])],
            }
            for e in ELEMENTS
        },
        "findings": findings or [],
    }


def test_render_highlight_escapes_script_and_markup() -> None:
    start = EVIL.index("<script>")
    rep = _report(EVIL, {"symptoms": [(0, len("Client said <script>"))], "risk": [(EVIL.index("Denies"), len(EVIL))]})
    out = render.highlight_html(EVIL, rep)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&lt;b&gt;bold&lt;/b&gt;" in out and "&amp;" in out
    assert "$" not in out  # would start LaTeX in st.markdown
    assert 'class="ev ev-symptoms"' in out and 'class="ev ev-risk"' in out
    assert start > 0


def test_render_focus_spans_are_outlined() -> None:
    s = EVIL.index("Denies")
    f = [{"start": s, "end": s + 6, "text": "Denies"}]
    out = render.highlight_html(EVIL, _report(EVIL, {}), focus=f)
    assert '<mark class="focus"' in out and ">Denies</mark>" in out


@pytest.mark.parametrize("bad", [(-1, 3), (5, 2), (0, 10_000)])
def test_render_ignores_out_of_range_spans(bad: tuple[int, int]) -> None:
    out = render.highlight_html("short note", _report("short note", {"plan": [bad]}))
    assert "<mark" not in out and "short note" in out


def test_render_report_page_is_escaped_and_self_contained() -> None:
    findings = [
        {
            "code": "time.code_mismatch",
            "severity": "error",
            "message": "90837 needs 53+ <minutes>",
            "spans": [{"start": 0, "end": 6, "text": "Client"}],
            "source": "APA <time rule>",
        }
    ]
    page = render.report_page_html(
        _report(EVIL, {"symptoms": [(0, 6)]}, findings), EVIL, examples={"plan": "Next <b>session</b>."}
    )
    assert page.startswith("<!DOCTYPE html>")
    for raw in ("<script>", "<img", "<b>bold", "<b>session", "<minutes>", "<time rule>"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page


def test_render_gaps_put_required_elements_first() -> None:
    rep = _report(
        "x",
        {"diagnosis": [(0, 1)]},
        [{"code": "necessity.plan_missing", "severity": "error", "message": "", "spans": [], "source": ""}],
    )
    g = render.gaps(rep, {"plan": "Next session 4/12.", "symptoms": "Low mood."})
    assert g[0] == {"element": "plan", "required": True, "severity": "error", "example": "Next session 4/12."}
    assert "diagnosis" not in [x["element"] for x in g]
