"""Page: check one note against its billed codes."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import io  # noqa: E402

import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from cptnlp import InputError, make_note  # noqa: E402


def _read_upload(up) -> str:  # type: ignore[no-untyped-def]
    name = up.name.lower()
    raw = up.getvalue()
    if name.endswith(".docx"):
        import docx

        doc = docx.Document(io.BytesIO(raw))
        return "\n".join(p.text for p in doc.paragraphs)
    if name.endswith(".pdf"):
        from pypdf import PdfReader

        return "\n".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(raw)).pages)
    from cptnlp.textio import decode_note_bytes

    return decode_note_bytes(raw, record=up.name)


ui.style()
st.title("Check a note")
st.caption("Paste or upload a progress note, pick the billed codes, and check the documentation against them.")
checker = ui.get_checker()  # load the model while the user types, so Check answers at once

left, right = st.columns([3, 2], gap="large")
with left:
    tab_paste, tab_upload = st.tabs(["Paste", "Upload (.txt, .docx, .pdf)"])
    with tab_paste:
        pasted = st.text_area("Note text", height=300, key="note_text", placeholder="Paste the progress note here…")
    with tab_upload:
        up = st.file_uploader("Note file", type=["txt", "docx", "pdf"], key="note_file")
with right:
    options = ui.code_options()
    codes = st.multiselect("Billed CPT code(s)", list(options), format_func=options.__getitem__, key="codes",
                           placeholder="e.g. 90837")
    minutes = st.number_input("Minutes from the EHR/claim (optional)", min_value=0, max_value=1440, value=None, step=1,
                              key="minutes")
    date = st.date_input("Date of service (optional)", value=None, key="date", format="YYYY-MM-DD")
    go = st.button("Check", type="primary", width="stretch", key="check")

if go:
    text, name = pasted, "pasted-note"
    if up is not None:
        try:
            text, name = _read_upload(up), Path(up.name).stem
        except InputError as exc:
            st.error(str(exc))
            text = ""
        except Exception as exc:  # a broken .docx/.pdf: say so, never show its content
            st.error(f"Could not read {up.name}: {type(exc).__name__}")
            text = ""
    if text.strip():
        try:
            note = make_note(text, id=name, cpt=codes or None, minutes=minutes, date=date)
        except InputError as exc:
            st.error(str(exc))
        else:
            st.session_state["check_result"] = {"report": checker.check(note).to_dict(), "text": note.text}
    elif up is None:
        st.error("Paste a note or upload a file first.")

result = st.session_state.get("check_result")
if result:
    st.divider()
    ui.show_report(result["report"], result["text"], key="check")
    st.divider()
    ui.download_buttons(result["report"], result["text"], key="check")
