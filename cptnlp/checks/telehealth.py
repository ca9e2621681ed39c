"""telehealth.* checks: modality, client location and consent (domain.md §1.10, TH-01)."""

from __future__ import annotations

from ..types import Finding
from .context import Context

__all__ = ["run"]

_SRC = "FCSO & Novitas checklists (telehealth method); CMS POS 02/10 (client location); payer telehealth consent rules"


def run(ctx: Context) -> list[Finding]:
    s = ctx.summary
    if not s["telehealth"]:
        return []
    missing = []
    if s["modality"] not in ("video", "audio_only"):
        missing.append("modality (audio-video or audio-only)")
    if not s["client_location"]:
        missing.append("client location (e.g. 'client at home in Ohio')")
    if not s["telehealth_consent"]:
        missing.append("consent to telehealth")
    if not missing:
        return []
    return [
        Finding(
            "telehealth.elements_missing",
            "warning",
            f"Telehealth session without: {'; '.join(missing)}.",
            ctx.fact_spans("telehealth", "modality", limit=2),
            _SRC,
        )
    ]
