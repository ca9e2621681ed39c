"""Streamlit building blocks shared by the pages: cached checker, report view, caseload loader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import streamlit as st

import cptnlp
from app import data, render
from cptnlp.requirements import load_requirements
from cptnlp.rules import load_code_table

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CASELOAD = ROOT / "examples" / "caseload.jsonl"
SEV_COLOR = {"error": "red", "warning": "orange", "info": "blue"}


@st.cache_resource(show_spinner="Loading the evidence model (once)…")
def get_checker() -> cptnlp.Checker:
    return cptnlp.load_checker()


@st.cache_resource
def code_options() -> dict[str, str]:
    """Current codes for pickers: code -> 'code: summary'."""
    table = load_code_table()
    return {c.code: f"{c.code}: {c.summary}" for c in sorted(table.codes.values(), key=lambda r: r.code) if c.deleted is None}


def examples() -> dict[str, str]:
    return dict(load_requirements().examples)


def style() -> None:
    st.markdown(
        """<style>
        .block-container{padding-top:2rem;max-width:1400px}
        div[data-testid="stMetricValue"]{font-size:1.6rem}
        </style>""",
        unsafe_allow_html=True,
    )


def _finding_label(i: int, f: dict[str, Any]) -> str:
    return f"[{f['severity']}] {f['code']}  #{i + 1}"


def show_report(report: dict[str, Any], text: str | None, *, key: str) -> None:
    """Summary metrics, findings by severity, highlighted note with a finding selector, gaps."""
    billed = " ".join(report["cpt"]) or "(none)"
    suggested = " ".join(report["suggested_cpt"]) or "none supported"
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Score", f"{report['score']}/100")
    c2.metric("Billed", billed)
    same = list(report["cpt"]) == list(report["suggested_cpt"])
    c3.metric("Suggested", suggested, delta=None if same else "differs from billed", delta_color="inverse",
              delta_arrow="off")
    mins = report.get("minutes")
    c4.metric("Minutes", f"{mins}" if mins is not None else "—", help=f"source: {report.get('minutes_source') or 'none found'}")

    findings = report["findings"]
    left, right = st.columns([5, 6], gap="large")
    with left:
        st.subheader("Findings")
        if not findings:
            st.success("No findings: the documentation supports the billed codes.")
        for sev, box in (("error", st.error), ("warning", st.warning), ("info", st.info)):
            group = [f for f in findings if f["severity"] == sev]
            if not group:
                continue
            st.markdown(f"**:{SEV_COLOR[sev]}[{sev.capitalize()}s ({len(group)})]**")
            for f in group:
                box(f"**`{f['code']}`** — {f['message']}")
                if f.get("source"):
                    st.caption(f"Rule source: {f['source']}")
        gap_list = render.gaps(report, examples())
        if gap_list:
            st.subheader("Gaps: evidence to add")
            for g in gap_list:
                tag = f" ({g['severity']}, required for the billed code)" if g["required"] else " (optional)"
                st.markdown(f"**{g['element'].replace('_', ' ')}**{tag}  \n> e.g. _{g['example']}_")
    with right:
        st.subheader("Note with evidence")
        if text is None:
            st.info("The note text is not in this file (batch output); evidence quotes are listed instead.")
            for el, v in report["elements"].items():
                for sp in v["spans"][:2]:
                    st.markdown(f"- **{el}**: {sp['text'][:160]}")
            return
        with_spans = [(i, f) for i, f in enumerate(findings) if f["spans"]]
        options = ["all"] + [str(i) for i, _ in with_spans]
        labels = {"all": "All evidence (by element)"} | {str(i): _finding_label(i, f) for i, f in with_spans}
        pick = st.selectbox("Highlight", options, format_func=labels.__getitem__, key=f"{key}-focus",
                            help="Pick a finding to outline its evidence in the note.")
        focus = findings[int(pick)]["spans"] if pick != "all" else []
        st.markdown(render.legend_html(report), unsafe_allow_html=True)
        st.markdown(render.highlight_html(text, report, focus=focus), unsafe_allow_html=True)


def download_buttons(report: dict[str, Any], text: str, *, key: str) -> None:
    rid = report.get("id") or "note"
    c1, c2 = st.columns(2)
    c1.download_button("Download report (JSON)", json.dumps(report, indent=2, ensure_ascii=False),
                       file_name=f"{rid}.cptnlp.json", mime="application/json", key=f"{key}-json")
    c2.download_button("Download printable report (HTML)", render.report_page_html(report, text, examples=examples()),
                       file_name=f"{rid}.cptnlp.html", mime="text/html", key=f"{key}-html")


@st.cache_data(show_spinner="Scoring notes…", max_entries=4)
def _load(name: str, raw: bytes, digest: str) -> tuple[list[dict[str, Any]], str | None]:
    records = data.read_records(name, raw)
    note = None
    if len(records) > data.MAX_NOTES:
        note = f"{len(records):,} records in the file; the app shows the first {data.MAX_NOTES:,}. Use `cptnlp batch` for the rest."
        records = records[: data.MAX_NOTES]
    if data.is_report_file(records):
        return list(data.report_entries(records)), note
    return list(data.score_records(get_checker(), records)), note


def caseload_loader(key: str) -> list[dict[str, Any]] | None:
    """Upload / path / sample picker; the loaded caseload is shared by the Review and Dashboard pages."""
    with st.expander("Load notes or batch output", expanded="caseload" not in st.session_state):
        st.caption("A notes file (.jsonl/.csv with text, id, cpt, minutes, provider, client_id, date) is scored here; "
                   "batch output (.jsonl reports from `cptnlp batch`) is shown as is.")
        up = st.file_uploader("Upload a file", type=["jsonl", "json", "csv"], key=f"{key}-upload")
        c1, c2 = st.columns([3, 1])
        path = c1.text_input("…or a path on this machine", key=f"{key}-path", placeholder=str(SAMPLE_CASELOAD))
        c2.write("")
        load_path = c2.button("Load path", key=f"{key}-loadpath")
        sample = SAMPLE_CASELOAD.is_file() and st.button("Load the sample caseload (30 notes)", key=f"{key}-sample")
        src: tuple[str, bytes] | None = None
        try:
            if up is not None:
                src = (up.name, up.getvalue())
            elif load_path and path.strip():
                p = Path(path.strip()).expanduser()
                src = (p.name, p.read_bytes())
            elif sample:
                src = (SAMPLE_CASELOAD.name, SAMPLE_CASELOAD.read_bytes())
        except OSError as exc:
            st.error(f"Cannot read {path.strip()!r}: {exc.strerror}")
        if src is not None:
            try:
                entries, note = _load(src[0], src[1], hashlib.sha256(src[1]).hexdigest())
            except (ValueError, UnicodeDecodeError) as exc:
                st.error(str(exc))
            else:
                st.session_state["caseload"] = {"name": src[0], "entries": entries, "note": note}
                st.rerun()  # collapse the loader
    cl = st.session_state.get("caseload")
    if not cl:
        return None
    if cl["note"]:
        st.warning(cl["note"])
    errors = sum(1 for e in cl["entries"] if "report" not in e)
    st.caption(f"Loaded **{cl['name']}**: {len(cl['entries'])} notes" + (f", {errors} not scored (see table)" if errors else ""))
    return cl["entries"]
