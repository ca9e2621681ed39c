"""eval.* checks: 90791/90792 need history, mental status, diagnosis and recommendations (domain.md §1.7)."""

from __future__ import annotations

from ..types import Finding
from .context import Context

__all__ = ["run"]

_SRC = "NGS L33632 / CERT: history, mental status, initial diagnosis, recommendations and initial plan"


def run(ctx: Context) -> list[Finding]:
    evals = [r.code for r in ctx.current if r.kind == "eval"]
    if not evals:
        return []
    have = {
        "history": ctx.has_fact("eval_history") or any(s.label == "history" for s in ctx.sections),
        "mental status": ctx.has_fact("mental_status") or bool(ctx.elements.get("mental_status")),
        "diagnosis": ctx.has_fact("diagnosis") or bool(ctx.elements.get("diagnosis")),
        "recommendations / initial plan": ctx.has_fact("eval_recommendations") or bool(ctx.elements.get("plan")),
    }
    if "90792" in evals:
        have["medical services (exam, prescription, labs)"] = ctx.has_fact("em_work")
    missing = [k for k, v in have.items() if not v]
    if not missing:
        return []
    return [
        Finding(
            "eval.elements_missing",
            "error",
            f"{', '.join(evals)} is billed but the evaluation lacks: {', '.join(missing)}.",
            (),
            _SRC,
        )
    ]
