"""Plain, frozen value types that cross the library's public surface."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ELEMENTS", "SEVERITIES", "CharSpan", "Finding", "Note", "Report"]

#: The evidence elements of the public contract, in contract order.
ELEMENTS: tuple[str, ...] = (
    "diagnosis",
    "symptoms",
    "impairment",
    "risk",
    "mental_status",
    "intervention",
    "response",
    "goals",
    "plan",
    "measures",
    "necessity",
)

#: Finding severities, most serious first.
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class CharSpan:
    """A span of the original note text: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str
    label: str | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.score is not None:
            out["score"] = round(self.score, 3)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CharSpan:
        return cls(int(d["start"]), int(d["end"]), str(d["text"]), score=d.get("score"))


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem an auditor would raise, with its evidence and the rule's source."""

    code: str
    severity: str
    message: str
    spans: tuple[CharSpan, ...] = ()
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "spans": [s.to_dict() for s in self.spans],
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            code=d["code"],
            severity=d["severity"],
            message=d["message"],
            spans=tuple(CharSpan.from_dict(s) for s in d.get("spans", [])),
            source=d.get("source", ""),
        )


@dataclass(frozen=True, slots=True)
class Note:
    """A note to check: its text plus what the claim says about it."""

    text: str
    id: str | None = None
    cpt: tuple[str, ...] = ()
    minutes: int | None = None
    client_id: str | None = None
    provider: str | None = None
    date: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """The contract's report for one note (see contract.md §4)."""

    id: str | None
    cpt: tuple[str, ...]
    minutes: int | None
    minutes_source: str | None
    suggested_cpt: tuple[str, ...]
    score: int
    elements: dict[str, dict[str, Any]]
    findings: tuple[Finding, ...]
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def worst_severity(self) -> str | None:
        for sev in SEVERITIES:
            if any(f.severity == sev for f in self.findings):
                return sev
        return None

    def exit_code(self, *, strict: bool = False) -> int:
        """0, or 1 when ``strict`` and an error-severity finding exists."""
        return 1 if strict and self.worst_severity == "error" else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cpt": list(self.cpt),
            "minutes": self.minutes,
            "minutes_source": self.minutes_source,
            "suggested_cpt": list(self.suggested_cpt),
            "score": self.score,
            "elements": {
                name: {
                    "present": bool(el["present"]),
                    "spans": [s.to_dict() if isinstance(s, CharSpan) else s for s in el["spans"]],
                }
                for name, el in self.elements.items()
            },
            "findings": [f.to_dict() for f in self.findings],
            "facts": self.facts,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        return cls(
            id=d.get("id"),
            cpt=tuple(d.get("cpt", [])),
            minutes=d.get("minutes"),
            minutes_source=d.get("minutes_source"),
            suggested_cpt=tuple(d.get("suggested_cpt", [])),
            score=int(d.get("score", 0)),
            elements={
                k: {"present": v["present"], "spans": [CharSpan.from_dict(s) for s in v.get("spans", [])]}
                for k, v in d.get("elements", {}).items()
            },
            findings=tuple(Finding.from_dict(f) for f in d.get("findings", [])),
            facts=d.get("facts", {}),
        )
