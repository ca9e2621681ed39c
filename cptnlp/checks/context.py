"""The per-note context every check reads: billed codes, facts, time mentions, evidence elements."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from ..nlp.facts import FactHit
from ..nlp.sections import Section
from ..nlp.timeparse import TimeMention
from ..rules import CodeRule, CodeTable
from ..types import CharSpan, Finding, Note

__all__ = ["Context"]


@dataclass
class Context:
    note: Note
    text: str
    table: CodeTable
    settings: dict[str, Any]
    on_date: _dt.date
    sections: list[Section]
    time: list[TimeMention]
    facts: dict[str, list[FactHit]]
    summary: dict[str, Any]
    elements: dict[str, list[CharSpan]]
    requirements: Any = None
    # Filled by the time check.
    minutes: int | None = None
    minutes_source: str | None = None
    time_spans: list[CharSpan] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    # -- billed codes ------------------------------------------------------------------------
    @property
    def billed(self) -> tuple[str, ...]:
        return self.note.cpt

    def rule(self, code: str) -> CodeRule | None:
        r = self.table.get(code)
        if r is None or r.is_deleted(self.on_date):
            return None
        return r

    @property
    def current(self) -> list[CodeRule]:
        """Billed codes that are in the table and not deleted on the note's date."""
        return [r for c in self.billed if (r := self.rule(c)) is not None]

    def billed_kinds(self) -> set[str]:
        return {r.kind for r in self.current}

    def has_kind(self, *kinds: str) -> bool:
        return any(r.kind in kinds for r in self.current)

    # -- spans -------------------------------------------------------------------------------
    def span(self, start: int, end: int) -> CharSpan:
        return CharSpan(start, end, self.text[start:end])

    def fact_spans(self, *facts: str, limit: int = 5) -> tuple[CharSpan, ...]:
        out: list[CharSpan] = []
        for f in facts:
            for h in self.facts.get(f, []):
                out.append(self.span(h.start, h.end))
        out.sort(key=lambda s: s.start)
        return tuple(out[:limit])

    def has_fact(self, *facts: str) -> bool:
        return any(self.facts.get(f) for f in facts)

    def source(self, key: str) -> str:
        return self.table.source_text(key)
