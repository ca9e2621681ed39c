"""Terminal rendering of a report: severity, finding, line:col, quoted evidence, the fix."""

from __future__ import annotations

import bisect
import re

from .types import ELEMENTS, Report

__all__ = ["format_text", "line_col"]

_MARK = {"error": "ERROR  ", "warning": "WARNING", "info": "INFO   "}
_COLOR = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}


_NEWLINE = re.compile("\n")


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def _line_col(starts: list[int], pos: int) -> tuple[int, int]:
    ln = bisect.bisect_right(starts, pos)
    return ln, pos - starts[ln - 1] + 1


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of character offset ``pos``."""
    return _line_col(_line_starts(text), pos)


def _quote(s: str, limit: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def format_text(report: Report, text: str, *, name: str = "note", color: bool = False) -> str:
    starts = _line_starts(text)

    def lc(pos: int) -> str:
        ln, col = _line_col(starts, pos)
        return f"{ln}:{col}"

    def paint(sev: str, s: str) -> str:
        return f"{_COLOR[sev]}{s}\033[0m" if color else s

    lines = []
    billed = " ".join(report.cpt) or "(none)"
    suggested = " ".join(report.suggested_cpt) or "(none supported)"
    mins = f"{report.minutes} min ({report.minutes_source})" if report.minutes is not None else "not documented"
    lines.append(f"{name}: billed {billed} -> suggested {suggested}; time {mins}; score {report.score}/100")
    present = [e for e in ELEMENTS if report.elements[e]["present"]]
    missing = [e for e in ELEMENTS if not report.elements[e]["present"]]
    lines.append(f"  evidence found: {', '.join(present) or 'none'}")
    if missing:
        lines.append(f"  evidence absent: {', '.join(missing)}")
    if not report.findings:
        lines.append("  no findings")
    for f in report.findings:
        where = lc(f.spans[0].start) if f.spans else "-"
        lines.append(f"{paint(f.severity, _MARK[f.severity])} {f.code} [{where}] {f.message}")
        for s in f.spans[:3]:
            lines.append(f'         {lc(s.start)}  "{_quote(s.text)}"')
        if f.source:
            lines.append(f"         source: {f.source}")
    counts = {sev: sum(1 for f in report.findings if f.severity == sev) for sev in ("error", "warning", "info")}
    lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info")
    return "\n".join(lines)
