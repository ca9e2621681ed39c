"""Checks: one module per finding family; each exposes ``run(ctx) -> list[Finding]``."""

from __future__ import annotations

from . import codes, crisis, evaluation, necessity, signature, telehealth, timing

#: Checks in the order they run; time runs first because others read the minutes it resolves.
CHECKS = (
    ("time", timing.run),
    ("code", codes.run),
    ("crisis", crisis.run),
    ("eval", evaluation.run),
    ("telehealth", telehealth.run),
    ("signature", signature.run),
    ("necessity", necessity.run),
)

__all__ = ["CHECKS"]
