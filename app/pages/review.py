"""Page: supervisor review of many notes: filter, audit sample, drill in, mark reviewed."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from app import data, reviews, ui  # noqa: E402

ui.style()
st.title("Review notes")
entries = ui.caseload_loader("review")
db = reviews.db_path()
if entries is None:
    st.info("Load a notes file or batch output to start. Reviews are saved to "
            f"`{db}` (set with `cptnlp app --reviews-db` or CPTNLP_REVIEWS_DB).")
    st.stop()

done = reviews.load_reviews(db)
df = data.summary_frame(entries, done)
by_id = {e["id"]: e for e in entries}

st.subheader("Filters")
f1, f2, f3, f4 = st.columns(4)
all_codes = sorted({c for cs in df["finding codes"] for c in cs})
sel_find = f1.multiselect("Finding code", all_codes, key="f_finding")
sel_sev = f2.multiselect("Severity", ["error", "warning", "info"], key="f_severity")
sel_prov = f3.multiselect("Provider", sorted(df["provider"].unique()), key="f_provider")
sel_code = f4.multiselect("Billed code", sorted({c for b in df["billed"] for c in b.split()}), key="f_code")
view = df
if sel_find:
    view = view[view["finding codes"].map(lambda cs: bool(set(cs) & set(sel_find)))]
if sel_sev:
    view = view[view["severities"].map(lambda ss: bool(set(ss) & set(sel_sev)))]
if sel_prov:
    view = view[view["provider"].isin(sel_prov)]
if sel_code:
    view = view[view["billed"].map(lambda b: bool(set(b.split()) & set(sel_code)))]

s1, s2, s3 = st.columns([1, 1, 2])
n = s1.number_input("Audit sample size", min_value=0, max_value=max(1, len(view)), value=0, step=1, key="sample_n",
                    help="0 = show every matching note. The sample is stratified by provider.")
seed = s2.number_input("Seed", min_value=0, value=2025, step=1, key="sample_seed",
                       help="Same seed and filters -> same sample.")
if n:
    ids = data.stratified_sample(view, int(n), int(seed))
    view = view.set_index("id").loc[ids].reset_index()
    s3.success(f"Audit sample: {len(ids)} notes across {view['provider'].nunique()} provider(s), seed {seed}.")
else:
    s3.caption(f"{len(view)} of {len(df)} notes match the filters; {len(done)} reviewed in total.")

st.dataframe(
    view.drop(columns=["finding codes", "severities"]),
    hide_index=True,
    width="stretch",
    column_config={
        "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%d"),
        "reviewed": st.column_config.CheckboxColumn("reviewed"),
        "top findings": st.column_config.TextColumn(width="large"),
    },
    key="review_table",
)

st.divider()
st.subheader("Drill into a note")
ids = list(view["id"])
if not ids:
    st.info("No note matches the filters.")
    st.stop()
pick = st.selectbox("Note", ids, key="drill_id",
                    format_func=lambda i: f"{i} · {by_id[i].get('provider') or '?'} · {by_id[i].get('date') or ''}"
                    + ("  (reviewed)" if i in done else ""))
entry = by_id[pick]
if "report" not in entry:
    st.error(f"This record was not scored: {entry.get('error')}")
else:
    ui.show_report(entry["report"], entry.get("text"), key="review")

st.subheader("Mark reviewed")
prev = done.get(pick)
if prev:
    st.caption(f"Reviewed {prev['reviewed_at']}" + (f" by {prev['reviewer']}" if prev["reviewer"] else "")
               + f": {prev['comment'] or '(no comment)'}")
with st.form("mark_form", clear_on_submit=True):
    c1, c2 = st.columns([1, 3])
    reviewer = c1.text_input("Reviewer", key="reviewer")
    comment = c2.text_input("Comment", key="review_comment", placeholder="e.g. discussed time documentation with provider")
    if st.form_submit_button("Mark reviewed", type="primary"):
        reviews.mark_reviewed(db, pick, comment, reviewer)
        st.toast(f"Saved review of {pick}")
        st.rerun()

st.download_button("Export reviews (CSV)", reviews.export_csv(db), file_name="cptnlp-reviews.csv", mime="text/csv",
                   disabled=not done, key="export_reviews")
st.caption(f"Reviews database: `{db}`")
