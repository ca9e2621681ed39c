"""Page: the code table and every check with its sources, read from the library's data files."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import inspect  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from cptnlp.checks import CHECKS  # noqa: E402
from cptnlp.requirements import load_requirements  # noqa: E402
from cptnlp.rules import load_code_table, load_settings  # noqa: E402

ui.style()
st.title("Rules")
st.caption("Everything below is read from the data files in `cptnlp/data/`; the app holds no rule of its own.")
table = load_code_table()
reqs = load_requirements()

tab_codes, tab_checks, tab_req, tab_pairs, tab_src = st.tabs(
    ["Code table", "Checks", "Necessity requirements", "Same-day pairs", "Sources"]
)
with tab_codes:
    rows = [
        {
            "code": r.code,
            "summary": r.summary,
            "kind": r.kind,
            "minutes": r.band(),
            "add-on to": (", ".join(r.primaries) if len(r.primaries) <= 4 else f"{r.primaries[0]}…{r.primaries[-1]} ({len(r.primaries)})") if r.addon else "",
            "attendee": r.attendee or "",
            "deleted": r.deleted.isoformat() if r.deleted else "",
            "source": table.source_text(r.source),
        }
        for r in sorted(table.codes.values(), key=lambda r: (r.deleted is not None, r.code))
    ]
    st.dataframe(
        pd.DataFrame(rows), hide_index=True, width="stretch", height=(len(rows) + 1) * 35 + 3,
        column_config={"summary": st.column_config.TextColumn(width="medium"), "kind": st.column_config.TextColumn(width="small"),
                       "add-on to": st.column_config.TextColumn(width="small"), "source": st.column_config.TextColumn(width="large")},
    )
    cr = table.crisis
    st.markdown(f"**Crisis time:** {cr.first_code} for {cr.first_min}–{cr.addon_from - 1} min; +{cr.addon_code} from "
                f"{cr.addon_from} min, one more unit per {cr.addon_step} min.  \nSource: {cr.source}")

with tab_checks:
    st.markdown("The checks run in this order on every note; each finding carries its rule source.")
    for name, fn in CHECKS:
        doc = inspect.getdoc(sys.modules[fn.__module__]) or ""
        st.markdown(f"- **{name}** — {doc}")
    st.markdown("**Thresholds** (`settings.toml`)")
    settings = load_settings()
    trows = []
    for section, values in settings.items():
        src = next((v for k, v in values.items() if k.endswith("source") and k != "source"), values.get("source", ""))
        for k, v in values.items():
            if not k.endswith("source"):
                key_src = values.get(k.split("_")[0] + "_source", src) if not isinstance(v, str) else src
                trows.append({"setting": f"{section}.{k}", "value": str(v), "source": key_src})
    st.dataframe(pd.DataFrame(trows), hide_index=True, width="stretch")

with tab_req:
    st.markdown("Evidence each code family needs (`necessity.<element>_missing`), the example sentence the app "
                "suggests for a gap, and the source.")
    seen: dict[tuple, list[str]] = {}
    for kind, fam in reqs.families.items():
        seen.setdefault(fam, []).append(kind)
    for fam, kinds in seen.items():
        st.markdown(f"**{', '.join(kinds)}**")
        st.dataframe(
            pd.DataFrame([{"element": r.element, "severity": r.severity, "weight": r.weight,
                           "example to add": reqs.examples.get(r.element, ""), "source": r.source} for r in fam]),
            hide_index=True, width="stretch",
        )
    if reqs.overrides:
        st.markdown("**Per-code overrides**")
        st.dataframe(pd.DataFrame([{"code": c, "element": e, "severity": r.severity, "source": r.source}
                                   for (c, e), r in reqs.overrides.items()]), hide_index=True, width="stretch")

with tab_pairs:
    groups: dict[tuple, dict] = {}
    for p in table.pairs:
        g = groups.setdefault((p.reason, p.modifier_indicator, p.severity, p.source), {"a": set(), "b": set()})
        g["a"].add(p.a)
        g["b"].add(p.b)
    st.dataframe(
        pd.DataFrame([{"codes": " ".join(sorted(g["a"])), "with": " ".join(sorted(g["b"])), "modifier indicator": mi,
                       "severity": sev, "reason": reason, "source": src}
                      for (reason, mi, sev, src), g in groups.items()]),
        hide_index=True, width="stretch",
    )
    st.caption("Modifier indicator 0 = never together; 1 = only as distinct services.")

with tab_src:
    for k, v in {**table.sources, **reqs.sources}.items():
        st.markdown(f"- **{k}**: {v}")
