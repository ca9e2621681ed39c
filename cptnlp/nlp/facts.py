"""Regex fact rules from ``patterns/facts.toml``: attendees, modality, consent, complexity, E/M work..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataFileError
from ..rules import load_data_text, parse_toml, validate_fields
from . import fastre

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
    """A fact regex. Case-insensitive rules run on the lower-cased text (``lower``), which is
    2-3x faster than re.IGNORECASE; ``regex`` is the IGNORECASE form, used when lower-casing
    would change the text's length (offsets must index the original text). ``fast`` is the
    fast form of the matching pattern (:mod:`cptnlp.nlp.fastre`): RE2 alone on plain ASCII text, or
    RE2 finding candidate starts for ``re`` when the pattern has look-arounds or back-references."""

    fact: str
    value: str
    regex: re.Pattern[str]
    lower: re.Pattern[str] | None = None
    fast: Any = None


_ESCAPE = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)")


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
        pattern = row["pattern"]
        if not row.get("case") and any(ch.isupper() for ch in _ESCAPE.sub("", pattern)):
            raise DataFileError(
                path,
                f"case-insensitive pattern for {row['fact']} must be written in lower case (or set case = true)",
                row=i,
            )
        try:
            if row.get("case"):
                rx = re.compile(pattern, re.MULTILINE)
                out.append(FactRule(row["fact"], row["value"], rx, None, fastre.compile_fast(rx)))
            else:
                rx = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
                lower = re.compile(pattern, re.MULTILINE)
                out.append(FactRule(row["fact"], row["value"], rx, lower, fastre.compile_fast(lower)))
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression for {row['fact']}: {exc}", row=i) from None
    return tuple(out)


@cache
def load_fact_rules() -> tuple[FactRule, ...]:
    path, text = load_data_text(_FILE)
    return parse_fact_rules(text, path)


def _capture(m: Any, text: str, groups: dict[str, int]) -> str | None:
    for k, g in groups.items():
        if k.startswith("n") or k == "cred":
            start, end = m.span(g)
            if start >= 0:
                return text[start:end]
    return None


def find_facts(
    text: str, rules: tuple[FactRule, ...] | None = None, *, use_fast: bool = True
) -> dict[str, list[FactHit]]:
    """All fact hits in ``text``, grouped by fact name.

    RE2 finds the matches, or where ``re`` need look for them (same matches, linear time);
    ``use_fast=False`` forces Python's ``re`` (the reference the RE2 path is tested against).
    """
    rules = rules or load_fact_rules()
    hits: dict[str, list[FactHit]] = {}
    lowered = text.lower()
    same = len(lowered) == len(text)
    # RE2 reads shadows of the text (fastre.shadow); when lower-casing changes the length, re does it all.
    fast = use_fast and same
    lowered_b, wild = fastre.shadow(lowered) if fast else (b"", False)
    text_b = fastre.shadow(text)[0] if fast else b""
    # The one-pass prefilter pays on notes of ordinary size; on a huge paste nearly every rule matches anyway.
    prefilter = _prefilter(rules) if fast and len(text) <= _PREFILTER_MAX_CHARS else None
    possible = prefilter.possible(lowered_b, text_b, wild) if prefilter is not None else None
    for k, r in enumerate(rules):
        if possible is not None and k not in possible:
            continue  # RE2 found no place where this rule can match
        groups = r.regex.groupindex
        if fast and r.fast is not None:
            matches: Any = (
                r.fast.finditer(text, text_b, wild) if r.lower is None else r.fast.finditer(lowered, lowered_b, wild)
            )
        else:
            matches = r.lower.finditer(lowered) if r.lower is not None and same else r.regex.finditer(text)
        ev = groups.get("ev")
        for m in matches:
            # A rule may name its evidence with (?P<ev>...) when the match needs wider context.
            start, end = m.span()
            if ev is not None:
                es, ee = m.span(ev)
                if es >= 0:
                    start, end = es, ee
            if end == start:
                continue
            hits.setdefault(r.fact, []).append(
                FactHit(r.fact, r.value, start, end, _capture(m, text, groups) if groups else None)
            )
    return hits


class _Prefilter:
    """One RE2 pass per form of the text (lower-cased, as written) telling which rules can match."""

    def __init__(self, rules: tuple[FactRule, ...]) -> None:
        self.lower = [k for k, r in enumerate(rules) if r.lower is not None]
        self.case = [k for k, r in enumerate(rules) if r.lower is None]
        self.lower_set = fastre.PatternSet.build([rules[k].lower for k in self.lower])  # type: ignore[misc]
        self.case_set = fastre.PatternSet.build([rules[k].regex for k in self.case]) if self.case else None
        self.ok = self.lower_set is not None and (self.case_set is not None or not self.case)

    def possible(self, lowered: bytes, text: bytes, wild: bool) -> set[int] | None:
        if not self.ok:
            return None
        out = {self.lower[i] for i in self.lower_set.possible(lowered, wild)}  # type: ignore[union-attr]
        if self.case_set is not None:
            out |= {self.case[i] for i in self.case_set.possible(text, wild)}
        return out


_PREFILTER_MAX_CHARS = 20_000
_PREFILTERS: dict[int, tuple[tuple[FactRule, ...], _Prefilter | None]] = {}


def _prefilter(rules: tuple[FactRule, ...]) -> _Prefilter | None:
    """The prefilter of a rule tuple, built once (keyed by identity: hashing the rules costs more than the scan)."""
    hit = _PREFILTERS.get(id(rules))
    if hit is None or hit[0] is not rules:
        pf = _Prefilter(rules)
        if len(_PREFILTERS) > 8:
            _PREFILTERS.clear()
        hit = _PREFILTERS[id(rules)] = (rules, pf if pf.ok else None)
    return hit[1]


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
        f
        for f in ("complexity_communication", "complexity_caregiver", "complexity_sentinel", "complexity_play")
        if hits.get(f)
    ]
    out["interpreter"] = bool(hits.get("interpreter"))
    out["em_work"] = bool(hits.get("em_work"))
    creds = [h.capture for h in hits.get("signature", []) if h.capture]
    out["signature"] = creds[-1] if creds else None
    return out
