"""cptnlp_evidence: sentences -> evidence element spans with scores, from the trained classifier."""

from __future__ import annotations

import bisect
import re
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..types import ELEMENTS, CharSpan
from .sections import Section

__all__ = ["Evidence", "section_elements", "sentence_records"]


@cache
def _placeholder() -> re.Pattern[str]:
    """Unfilled template lines, from ``sections.json`` (loaded once per process)."""
    from ..errors import DataFileError
    from ..rules import load_json_data

    path, data = load_json_data("sections.json")
    try:
        return re.compile(data["placeholder"]["regex"], re.IGNORECASE)
    except (KeyError, TypeError, re.error) as exc:
        raise DataFileError(path, f"placeholder.regex must be a valid regular expression ({exc})") from None


def sentence_records(doc: Doc, sections: list[Section]) -> list[tuple[int, int, str, str | None]]:
    """(start, end, text, section label) of each sentence with content, stripped of surrounding whitespace.

    Unfilled template lines ('Plan: -', 'Risk: N/A') are skipped: they document nothing.
    """
    placeholder = _placeholder()
    starts = [s.header_start for s in sections]
    text = (doc._.cptnlp or {}).get("text") or doc.text
    out = []
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s < 2:
            continue
        i = bisect.bisect_right(starts, s) - 1
        label = None
        if i >= 0 and s < sections[i].end:
            sec = sections[i]
            label = sec.label
            if s < sec.header_end and e <= sec.header_end:
                continue  # the header alone
        if placeholder.match(text, s, e):
            continue
        out.append((s, e, text[s:e], label))
    return out


def section_elements(records: list[tuple[int, int, str, str | None]], mapping: dict[str, list[str]]) -> dict[str, list[CharSpan]]:
    """Rules-only evidence: each sentence carries the elements its section implies."""
    out: dict[str, list[CharSpan]] = {e: [] for e in ELEMENTS}
    for s, e, t, label in records:
        for el in mapping.get(label or "", []):
            out[el].append(CharSpan(s, e, t, label=el))
    return out


def load_evidence_rules() -> list[tuple[str, re.Pattern[str]]]:
    """High-precision rules from ``patterns/evidence_rules.toml`` that add evidence to the model's."""
    from ..errors import DataFileError
    from ..rules import load_toml_data, validate_fields
    from ..types import ELEMENTS as _ELEMENTS

    path, data = load_toml_data("patterns/evidence_rules.toml")
    rows = data.get("rule", [])
    out = []
    for i, row in enumerate(rows, 1):
        validate_fields(path, row, i, required={"element": str, "pattern": str, "source": str}, optional={"case": bool})
        if row["element"] not in _ELEMENTS:
            raise DataFileError(path, f"element {row['element']!r} not one of {list(_ELEMENTS)}", row=i)
        try:
            out.append((row["element"], re.compile(row["pattern"], 0 if row.get("case") else re.IGNORECASE)))
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression ({exc})", row=i) from None
    return out


def add_rule_evidence(
    elements: dict[str, list[CharSpan]],
    records: list[tuple[int, int, str, str | None]],
    rules: list[tuple[str, re.Pattern[str]]],
) -> dict[str, list[CharSpan]]:
    """Add sentences matched by a rule to their element (in text order, without duplicates)."""
    for el, rx in rules:
        have = {(sp.start, sp.end) for sp in elements[el]}
        added = False
        for s, e, t, _ in records:
            if (s, e) not in have and rx.search(t):
                elements[el].append(CharSpan(s, e, t, label=el))
                added = True
        if added:
            elements[el].sort(key=lambda sp: sp.start)
    return elements


class Evidence:
    """Runs the evidence model (or the section rules when none is given) over a Doc's sentences."""

    def __init__(self, nlp: Language, name: str = "cptnlp_evidence", *, model: Any = None) -> None:
        self.name = name
        self.model = model
        from ..rules import load_json_data

        _, data = load_json_data("sections.json")
        self.mapping = {k: v for k, v in data.get("elements", {}).items() if not k.startswith("_")}
        self.rules = load_evidence_rules()

    def __call__(self, doc: Doc) -> Doc:
        data = doc._.cptnlp or {}
        records = sentence_records(doc, data.get("sections", []))
        if self.model is None:
            data["elements"] = section_elements(records, self.mapping)
        else:
            data["elements"] = self.model.element_spans(records)
        data["elements"] = add_rule_evidence(data["elements"], records, self.rules)
        doc._.cptnlp = data
        return doc


@Language.factory("cptnlp_evidence", default_config={"model": None})
def make_evidence(nlp: Language, name: str, model: Any) -> Evidence:
    return Evidence(nlp, name, model=model)
