"""cptnlp app router: `cptnlp app` or `streamlit run app/streamlit_app.py`."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # `streamlit run` puts app/ on the path, not the repository root
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

st.set_page_config(page_title="cptnlp", page_icon=":material/fact_check:", layout="wide")
_PAGES = Path(__file__).resolve().parent / "pages"
nav = st.navigation(
    [
        st.Page(_PAGES / "check.py", title="Check a note", icon=":material/fact_check:", default=True),
        st.Page(_PAGES / "review.py", title="Review notes", icon=":material/rule_folder:"),
        st.Page(_PAGES / "dashboard.py", title="Dashboard", icon=":material/bar_chart:"),
        st.Page(_PAGES / "rules.py", title="Rules", icon=":material/menu_book:"),
    ]
)
st.sidebar.caption("cptnlp runs locally: notes never leave this machine. Only supervisor reviews are saved (SQLite).")
nav.run()
