"""necessity.<element>_missing: required evidence elements absent for the billed code family (domain.md §3)."""

from __future__ import annotations

from ..types import Finding
from .context import Context

__all__ = ["required", "run"]


def required(ctx: Context):
    reqs = ctx.requirements
    return reqs.for_codes([(r.code, r.kind) for r in ctx.current])


def run(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for req in required(ctx):
        if ctx.elements.get(req.element):
            continue
        example = ctx.requirements.examples[req.element]
        name = req.element.replace("_", " ")
        out.append(
            Finding(
                f"necessity.{req.element}_missing",
                req.severity,
                f"No {name} evidence found. Add a sentence such as: \"{example}\"",
                (),
                req.source,
            )
        )
    return out
