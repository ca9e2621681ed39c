"""crisis.* checks: 90839/90840 need urgent assessment, mental status, risk and disposition (domain.md §1.3, A-05)."""

from __future__ import annotations

from ..types import Finding
from .context import Context

__all__ = ["run"]

_SRC = "Headway CPT 90839/90840 (urgent assessment, MSE, risk, disposition); AAPC forum on scheduled visits coded as crisis"


def run(ctx: Context) -> list[Finding]:
    if not ctx.has_kind("crisis", "crisis_addon"):
        return []
    have = {
        "urgent assessment of a crisis state": ctx.has_fact("crisis_urgent"),
        "mental status": ctx.has_fact("mental_status") or bool(ctx.elements.get("mental_status")),
        "risk assessment": ctx.has_fact("risk") or bool(ctx.elements.get("risk")),
        "disposition / safety plan": ctx.has_fact("disposition"),
    }
    out: list[Finding] = []
    missing = [k for k, v in have.items() if not v]
    if missing:
        out.append(
            Finding(
                "crisis.elements_missing",
                "error",
                f"Crisis psychotherapy is billed but the note lacks: {', '.join(missing)}. Document the urgent situation, "
                f"a mental status exam, the risk assessment and the disposition (e.g. safety plan, ED referral).",
                ctx.fact_spans("crisis_urgent", "disposition", limit=3),
                _SRC,
            )
        )
    if ctx.has_fact("crisis_routine"):
        out.append(
            Finding(
                "crisis.routine_visit",
                "warning",
                "The note reads like a scheduled, routine visit; crisis codes are for urgent, unscheduled, high-distress "
                "situations. Bill the timed psychotherapy code unless a crisis is documented.",
                ctx.fact_spans("crisis_routine", limit=2),
                _SRC,
            )
        )
    return out
