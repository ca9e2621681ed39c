"""signature.* check: a provider signature with credentials (domain.md §3.3, M-10)."""

from __future__ import annotations

from ..types import Finding
from .context import Context

__all__ = ["run"]

_SRC = "FCSO & Novitas checklists: valid signature and credentials; OIG; Noridian targeted review"


def run(ctx: Context) -> list[Finding]:
    if ctx.summary["signature"]:
        return []
    return [
        Finding(
            "signature.missing",
            "error",
            "No provider signature with credentials found. Add e.g. 'Electronically signed: Jane Doe, LCSW, 2025-03-14'.",
            (),
            _SRC,
        )
    ]
