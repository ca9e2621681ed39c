"""Page: caseload dashboard: finding rates, scores, 90837 share, dollars at risk."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import data, ui  # noqa: E402
from cptnlp.rules import load_code_table  # noqa: E402

# Anthem/EquiClaim wrote to providers billing 90837 on more than half of sessions (domain.md §4.3).
LONG_CODE = "90837"
LONG_SHARE_FLAG = 50

ui.style()
st.title("Dashboard")
entries = ui.caseload_loader("dash")
if entries is None:
    st.info("Load a notes file or batch output (here or on Review notes) to see the dashboard.")
    st.stop()
df = data.summary_frame(entries)
df = df[df["score"].notna()]
if df.empty:
    st.warning("No note in this file could be scored.")
    st.stop()

df["has error"] = df["errors"] > 0
df["has warning"] = df["warnings"] > 0
k1, k2, k3, k4 = st.columns(4)
k1.metric("Notes", len(df))
k2.metric("Median score", f"{df['score'].median():.0f}")
k3.metric("Notes with errors", f"{df['has error'].mean():.0%}")
k4.metric("Billed ≠ suggested", f"{(df['billed'] != df['suggested']).mean():.0%}")


def rate_chart(frame: pd.DataFrame, by: str) -> alt.Chart:
    long = frame.melt(id_vars=[by], value_vars=["has error", "has warning"], var_name="finding", value_name="flag")
    rates = long.groupby([by, "finding"], as_index=False)["flag"].mean()
    return (
        alt.Chart(rates)
        .mark_bar()
        .encode(
            x=alt.X(f"{by}:N", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=False, labelLimit=140)),
            xOffset="finding:N",
            y=alt.Y("flag:Q", title="share of notes", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("finding:N", scale=alt.Scale(range=["#c92a2a", "#f59f00"]), legend=alt.Legend(orient="top")),
            tooltip=[by, "finding", alt.Tooltip("flag:Q", format=".0%")],
        )
        .properties(height=260)
    )


c1, c2 = st.columns(2)
with c1:
    st.subheader("Finding rates by provider")
    st.altair_chart(rate_chart(df, "provider"), width="stretch")
with c2:
    st.subheader("Finding rates by billed code")
    codes = df.assign(code=df["billed"].str.split()).explode("code").fillna({"code": "(none)"})
    st.altair_chart(rate_chart(codes, "code"), width="stretch")

c3, c4 = st.columns(2)
with c3:
    st.subheader("Score distribution")
    hist = (
        alt.Chart(df)
        .mark_bar(color="#1f5f8b")
        .encode(x=alt.X("score:Q", bin=alt.Bin(step=10), title="score"), y=alt.Y("count():Q", title="notes"))
        .properties(height=260)
    )
    st.altair_chart(hist, width="stretch")
with c4:
    st.subheader(f"{LONG_CODE} share per provider")
    flag = st.slider("Flag above (%)", 0, 100, LONG_SHARE_FLAG, key="long_flag",
                     help="Payers have written to providers billing 90837 on more than half of sessions.")
    # Share among individual psychotherapy notes (code-table kind "psychotherapy"), as payers count it.
    psy = {c.code for c in load_code_table().by_kind("psychotherapy")}
    base = df[df["billed"].str.split().map(lambda cs: bool(psy & set(cs)))]
    share = base.assign(long=base["billed"].str.split().map(lambda cs: LONG_CODE in cs)).groupby("provider", as_index=False)[
        "long"
    ].mean()
    share["flag"] = share["long"] * 100 > flag
    bars = (
        alt.Chart(share)
        .mark_bar()
        .encode(
            x=alt.X("provider:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("long:Q", title=f"share billed {LONG_CODE}", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.condition("datum.flag", alt.value("#c92a2a"), alt.value("#1f5f8b")),
            tooltip=["provider", alt.Tooltip("long:Q", format=".0%"), "flag"],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [flag / 100]})).mark_rule(color="#495057", strokeDash=[6, 4]).encode(y="y:Q")
    st.altair_chart((bars + rule).properties(height=200), width="stretch")
    flagged = share[share["flag"]]
    if len(flagged):
        st.error("Above the reference line: " + ", ".join(f"{p} ({v:.0%})" for p, v in zip(flagged["provider"], flagged["long"], strict=True)))
    else:
        st.success(f"No provider bills {LONG_CODE} on more than {flag}% of notes.")

st.subheader("Dollars at risk")
fc1, fc2 = st.columns([2, 3])
fee_up = fc1.file_uploader("Fee table (CSV code,fee or TOML code = fee)", type=["csv", "toml"], key="fee_upload")
fee_path = fc2.text_input("…or a fee table path", key="fee_path", placeholder="fees.csv")
fees = None
try:
    if fee_up is not None:
        fees = data.parse_fee_table(fee_up.name, fee_up.getvalue())
    elif fee_path.strip():
        p = Path(fee_path.strip()).expanduser()
        fees = data.parse_fee_table(p.name, p.read_bytes())
except (OSError, ValueError, UnicodeDecodeError) as exc:
    st.error(f"Fee table not loaded: {exc}")
if not fees:
    st.caption("Configure a fee table to estimate dollars at risk: the billed fee of notes with error findings, "
               "and the difference between billed and suggested codes.")
else:
    risk = data.at_risk(entries, fees)
    m1, m2, m3 = st.columns(3)
    m1.metric("Billed", f"${risk['billed fee'].sum():,.0f}")
    m2.metric("At risk: notes with errors", f"${risk['at risk (error findings)'].sum():,.0f}")
    m3.metric("At risk: billed − suggested", f"${risk['at risk (billed - suggested)'].sum():,.0f}")
    st.dataframe(risk.groupby("provider", as_index=False).sum(numeric_only=True), hide_index=True,
                 width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="$%.0f") for c in risk.columns if c not in ("id", "provider")})
