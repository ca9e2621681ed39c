"""cptnlp_evidence: sentences -> evidence element spans with scores, from the trained classifier."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import numpy
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ..types import ELEMENTS, CharSpan
from . import fastre
from .components import sentence_spans
from .sections import Section
from .tokenizer import doc_text

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
    text = doc_text(doc)
    out = []
    for s, e in sentence_bounds(doc):
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


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of each sentence, as ``doc.sents`` gives them, read off token arrays
    (or as the sentencizer left them, when the Doc still has the length it saw)."""
    n = len(doc)
    if n == 0:
        return []
    data = doc._.cptnlp
    kept = data.get("sent_bounds") if data is not None else None
    if kept is not None and kept[0] == n:
        return kept[1]
    arr = doc.to_array([SENT_START, IDX, LENGTH]).astype(numpy.int64)
    is_start = arr[:, 0] == 1
    is_start[0] = True
    return sentence_spans(is_start, arr[:, 1], arr[:, 1] + arr[:, 2])


def section_elements(
    records: list[tuple[int, int, str, str | None]], mapping: dict[str, list[str]]
) -> dict[str, list[CharSpan]]:
    """Rules-only evidence: each sentence carries the elements its section implies."""
    out: dict[str, list[CharSpan]] = {e: [] for e in ELEMENTS}
    for s, e, t, label in records:
        for el in mapping.get(label or "", []):
            out[el].append(CharSpan(s, e, t, label=el))
    return out


EvidenceRule = tuple[str, re.Pattern[str], "fastre.SliceFilter | None"]


def load_evidence_rules() -> list[EvidenceRule]:
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
            rx = re.compile(row["pattern"], 0 if row.get("case") else re.IGNORECASE)
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression ({exc})", row=i) from None
        out.append((row["element"], rx, fastre.SliceFilter.build(rx)))
    return out


def add_rule_evidence(
    elements: dict[str, list[CharSpan]],
    records: list[tuple[int, int, str, str | None]],
    rules: list[EvidenceRule],
    text: str | None = None,
) -> dict[str, list[CharSpan]]:
    """Add sentences matched by a rule to their element (in text order, without duplicates).

    With the note's ``text``, a rule is only tried on the sentences where RE2 finds it
    can start a match in the whole note.
    """
    data, wild = fastre.shadow(text) if text is not None else (None, False)
    bounds = [r[0] for r in records]
    for el, rx, filt in rules:
        todo = records
        if data is not None and filt is not None:
            todo = [
                records[k]
                for k in sorted({bisect.bisect_right(bounds, p) - 1 for p in filt.starts(data, wild)})
                if k >= 0
            ]
        have = {(sp.start, sp.end) for sp in elements[el]}
        added = False
        for s, e, t, _ in todo:
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
        return self._run([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Several notes per model call: the model's fixed cost per call is shared (same spans as __call__)."""
        group: list[Doc] = []
        for doc in docs:
            group.append(doc)
            if len(group) == _NOTES_PER_CALL:
                yield from self._run(group)
                group = []
        if group:
            yield from self._run(group)

    def _run(self, docs: list[Doc]) -> list[Doc]:
        datas = [doc._.cptnlp or {} for doc in docs]
        records = [sentence_records(doc, data.get("sections", [])) for doc, data in zip(docs, datas, strict=True)]
        if self.model is None:
            elements = [section_elements(r, self.mapping) for r in records]
        else:
            elements = self.model.element_spans_many(records)
        for doc, data, recs, els in zip(docs, datas, records, elements, strict=True):
            data["elements"] = add_rule_evidence(els, recs, self.rules, data.get("text"))
            doc._.cptnlp = data
        return docs


_NOTES_PER_CALL = 4  # about 110 sentences: one model chunk


@Language.factory("cptnlp_evidence", default_config={"model": None})
def make_evidence(nlp: Language, name: str, model: Any) -> Evidence:
    return Evidence(nlp, name, model=model)
