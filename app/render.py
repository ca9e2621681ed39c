"""Report -> HTML: evidence highlighting, legend, printable page. Every piece of note text is html.escape'd."""

from __future__ import annotations

import datetime as _dt
import html
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cptnlp import ELEMENTS

__all__ = [
    "ELEMENT_COLORS",
    "SEVERITY_COLORS",
    "gaps",
    "highlight_html",
    "legend_html",
    "report_page_html",
]

#: One colour per evidence element (colour-blind-friendly pastel set).
ELEMENT_COLORS: dict[str, str] = dict(
    zip(
        ELEMENTS,
        (
            "#ffd8a8",  # diagnosis
            "#ffec99",  # symptoms
            "#ffc9c9",  # impairment
            "#fcc2d7",  # risk
            "#d0bfff",  # mental_status
            "#a5d8ff",  # intervention
            "#99e9f2",  # response
            "#b2f2bb",  # goals
            "#c0eb75",  # plan
            "#e9ecef",  # measures
            "#eebefa",  # necessity
        ),
        strict=True,
    )
)
SEVERITY_COLORS = {"error": "#c92a2a", "warning": "#e67700", "info": "#1864ab"}
_FOCUS_STYLE = "outline:2px solid #c92a2a;outline-offset:1px;background:#fff3bf;font-weight:600"


def _esc(s: Any) -> str:
    # Note text can carry markup; '$' would start LaTeX in Streamlit markdown.
    return html.escape(str(s), quote=True).replace("$", "&#36;")


def _label(el: str) -> str:
    return el.replace("_", " ")


def _spans(report: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    out = []
    for el in ELEMENTS:
        for sp in report.get("elements", {}).get(el, {}).get("spans", []):
            out.append((int(sp["start"]), int(sp["end"]), el))
    return out


def highlight_html(
    text: str,
    report: Mapping[str, Any],
    *,
    focus: Sequence[Mapping[str, Any]] = (),
    elements: Iterable[str] | None = None,
) -> str:
    """The note as one HTML block: element evidence in <mark class="ev ev-NAME">, ``focus`` spans outlined."""
    show = set(ELEMENTS if elements is None else elements)
    spans = [(s, e, el) for s, e, el in _spans(report) if el in show and 0 <= s < e <= len(text)]
    focus_sp = [(int(f["start"]), int(f["end"])) for f in focus if 0 <= int(f["start"]) < int(f["end"]) <= len(text)]
    cuts = sorted({0, len(text), *(p for s, e, _ in spans for p in (s, e)), *(p for s, e in focus_sp for p in (s, e))})
    parts: list[str] = []
    for a, b in itertools.pairwise(cuts):
        seg = _esc(text[a:b]).replace("\n", "<br>")
        els = [el for s, e, el in spans if s <= a and b <= e]
        els = sorted(set(els), key=ELEMENTS.index)
        is_focus = any(s <= a and b <= e for s, e in focus_sp)
        if els:
            cls = "ev " + " ".join(f"ev-{el}" for el in els) + (" focus" if is_focus else "")
            style = f"background:{ELEMENT_COLORS[els[0]]};border-radius:3px;padding:0 1px"
            if is_focus:
                style += ";" + _FOCUS_STYLE.split(";background")[0]
            title = ", ".join(_label(el) for el in els)
            seg = f'<mark class="{cls}" title="{_esc(title)}" style="{style}">{seg}</mark>'
        elif is_focus:
            seg = f'<mark class="focus" title="finding evidence" style="{_FOCUS_STYLE}">{seg}</mark>'
        parts.append(seg)
    body = "".join(parts)
    return (
        '<div class="cptnlp-note" style="white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;'
        "font-size:0.86rem;line-height:1.6;border:1px solid #dee2e6;border-radius:6px;padding:0.9rem 1rem;"
        f'background:#fff;color:#212529;max-height:38rem;overflow-y:auto">{body}</div>'
    )


def legend_html(report: Mapping[str, Any] | None = None) -> str:
    """Colour legend; elements absent from ``report`` are struck through."""
    items = []
    for el in ELEMENTS:
        present = True if report is None else bool(report.get("elements", {}).get(el, {}).get("present"))
        deco = "" if present else "text-decoration:line-through;opacity:0.55;"
        items.append(
            f'<span class="legend ev-{el}" style="background:{ELEMENT_COLORS[el]};{deco}border-radius:3px;'
            f'padding:1px 6px;margin:0 4px 4px 0;display:inline-block;font-size:0.8rem">{_esc(_label(el))}</span>'
        )
    return '<div class="cptnlp-legend">' + "".join(items) + "</div>"


def gaps(report: Mapping[str, Any], examples: Mapping[str, str]) -> list[dict[str, Any]]:
    """Absent elements with the example sentence to add; those the billed code requires come first."""
    required = {f["code"].split(".", 1)[1].removesuffix("_missing") for f in report.get("findings", []) if f["code"].startswith("necessity.")}
    sev = {f["code"].split(".", 1)[1].removesuffix("_missing"): f["severity"] for f in report.get("findings", []) if f["code"].startswith("necessity.")}
    out = []
    for el in ELEMENTS:
        if report.get("elements", {}).get(el, {}).get("present"):
            continue
        out.append({"element": el, "required": el in required, "severity": sev.get(el), "example": examples.get(el, "")})
    out.sort(key=lambda g: (not g["required"], ELEMENTS.index(g["element"])))
    return out


def _codes(codes: Sequence[str]) -> str:
    return " ".join(codes) if codes else "(none)"


def report_page_html(report: Mapping[str, Any], text: str, *, examples: Mapping[str, str] | None = None) -> str:
    """A printable, self-contained HTML page for one report (no scripts, no external resources)."""
    rid = report.get("id") or "note"
    rows = []
    for f in report.get("findings", []):
        ev = "; ".join(f'"{_esc(s["text"])}"' for s in f.get("spans", [])[:3])
        rows.append(
            f'<tr><td><span class="sev" style="color:{SEVERITY_COLORS.get(f["severity"], "#333")}">{_esc(f["severity"])}</span></td>'
            f"<td><code>{_esc(f['code'])}</code></td><td>{_esc(f['message'])}"
            + (f'<div class="ev">Evidence: {ev}</div>' if ev else "")
            + f'</td><td class="src">{_esc(f.get("source", ""))}</td></tr>'
        )
    findings = (
        "<table><thead><tr><th>Severity</th><th>Finding</th><th>Fix</th><th>Rule source</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else "<p>No findings.</p>"
    )
    gap_rows = "".join(
        f"<li><b>{_esc(_label(g['element']))}</b>{' (required)' if g['required'] else ''}: "
        f"<i>{_esc(g['example'])}</i></li>"
        for g in gaps(report, examples or {})
    )
    mins = report.get("minutes")
    minutes = f"{mins} min ({_esc(report.get('minutes_source'))})" if mins is not None else "not documented"
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>cptnlp report {_esc(rid)}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#212529}}
h1{{font-size:1.4rem}} h2{{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #dee2e6}}
table{{border-collapse:collapse;width:100%;font-size:0.9rem}} td,th{{border:1px solid #dee2e6;padding:4px 6px;vertical-align:top;text-align:left}}
.sev{{font-weight:700;text-transform:uppercase;font-size:0.8rem}} .src{{color:#495057;font-size:0.8rem}} .ev{{color:#495057;font-size:0.8rem;margin-top:2px}}
.summary td{{border:none;padding:2px 12px 2px 0}}
@media print{{body{{margin:0.5in}} .cptnlp-note{{max-height:none!important;overflow:visible!important}}}}
</style></head><body>
<h1>cptnlp documentation check: {_esc(rid)}</h1>
<table class="summary">
<tr><td>Score</td><td><b>{_esc(report.get("score"))}/100</b></td></tr>
<tr><td>Billed</td><td>{_esc(_codes(report.get("cpt", [])))}</td></tr>
<tr><td>Suggested</td><td>{_esc(_codes(report.get("suggested_cpt", [])) if report.get("suggested_cpt") else "(none supported)")}</td></tr>
<tr><td>Time</td><td>{minutes}</td></tr>
</table>
<h2>Findings</h2>
{findings}
<h2>Gaps: evidence to add</h2>
<ul>{gap_rows or "<li>None: every evidence element is present.</li>"}</ul>
<h2>Note with evidence</h2>
{legend_html(report)}
{highlight_html(text, report)}
<p class="src">Generated {generated} by cptnlp. Checks documentation only; not legal or billing advice.</p>
</body></html>
"""
