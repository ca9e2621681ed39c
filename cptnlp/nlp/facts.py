"""Regex fact rules from ``patterns/facts.toml``: attendees, modality, consent, complexity, E/M work..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataFileError
from ..rules import load_data_text, parse_toml, validate_fields

__all__ = ["FACT_NAMES", "FactHit", "FactRule", "find_facts", "load_fact_rules"]

_FILE = "patterns/facts.toml"

FACT_NAMES = (
    "client_absent",
    "client_present",
    "family_members",
    "group",
    "group_size",
    "modality",
    "telehealth",
    "client_location",
    "telehealth_consent",
    "complexity_communication",
    "complexity_caregiver",
    "complexity_sentinel",
    "complexity_play",
    "interpreter",
    "em_work",
    "crisis_urgent",
    "crisis_routine",
    "disposition",
    "eval_history",
    "eval_recommendations",
    "mental_status",
    "risk",
    "diagnosis",
    "signature",
)


@dataclass(frozen=True, slots=True)
class FactRule:
    fact: str
    value: str
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class FactHit:
    fact: str
    value: str
    start: int
    end: int
    capture: str | None = None


def parse_fact_rules(text: str, path: str = _FILE) -> tuple[FactRule, ...]:
    data = parse_toml(path, text)
    rows = data.get("rule")
    if not isinstance(rows, list) or not rows:
        raise DataFileError(path, "expected one or more [[rule]] tables")
    out = []
    for i, row in enumerate(rows, 1):
        validate_fields(path, row, i, required={"fact": str, "value": str, "pattern": str}, optional={"case": bool})
        if row["fact"] not in FACT_NAMES:
            raise DataFileError(path, f"fact {row['fact']!r} not one of {list(FACT_NAMES)}", row=i)
        flags = re.MULTILINE if row.get("case") else re.IGNORECASE | re.MULTILINE
        try:
            rx = re.compile(row["pattern"], flags)
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression for {row['fact']}: {exc}", row=i) from None
        out.append(FactRule(row["fact"], row["value"], rx))
    return tuple(out)


@cache
def load_fact_rules() -> tuple[FactRule, ...]:
    path, text = load_data_text(_FILE)
    return parse_fact_rules(text, path)


def _capture(m: re.Match[str]) -> str | None:
    for k, v in m.groupdict().items():
        if v is not None and (k.startswith("n") or k == "cred"):
            return v
    return None


def find_facts(text: str, rules: tuple[FactRule, ...] | None = None) -> dict[str, list[FactHit]]:
    """All fact hits in ``text``, grouped by fact name."""
    rules = rules or load_fact_rules()
    hits: dict[str, list[FactHit]] = {}
    for r in rules:
        for m in r.regex.finditer(text):
            # A rule may name its evidence with (?P<ev>...) when the match needs wider context.
            start, end = m.span("ev") if "ev" in r.regex.groupindex and m.group("ev") is not None else m.span()
            if end == start:
                continue
            hits.setdefault(r.fact, []).append(FactHit(r.fact, r.value, start, end, _capture(m)))
    return hits


def facts_summary(hits: dict[str, list[FactHit]]) -> dict[str, Any]:
    """Plain-data view of the facts for the report's ``facts`` field."""
    out: dict[str, Any] = {}
    present = bool(hits.get("client_present"))
    absent = bool(hits.get("client_absent"))
    out["client_present"] = False if absent and not present else (True if present else None)
    if absent and present:
        out["client_present"] = None  # contradictory: left to the attendee check
    out["family_members"] = bool(hits.get("family_members"))
    out["group"] = bool(hits.get("group"))
    sizes = [int(h.capture) for h in hits.get("group_size", []) if h.capture and h.capture.isdigit()]
    out["group_size"] = max(sizes) if sizes else None
    modalities = {h.value for h in hits.get("modality", [])}
    out["modality"] = next((m for m in ("audio_only", "video", "in_person") if m in modalities), None)
    out["telehealth"] = bool(hits.get("telehealth")) or out["modality"] in ("audio_only", "video")
    out["client_location"] = bool(hits.get("client_location"))
    out["telehealth_consent"] = bool(hits.get("telehealth_consent"))
    out["complexity_factors"] = [
        f for f in ("complexity_communication", "complexity_caregiver", "complexity_sentinel", "complexity_play") if hits.get(f)
    ]
    out["interpreter"] = bool(hits.get("interpreter"))
    out["em_work"] = bool(hits.get("em_work"))
    creds = [h.capture for h in hits.get("signature", []) if h.capture]
    out["signature"] = creds[-1] if creds else None
    return out
