"""spaCy components: sentence boundaries for notes and session facts, registered as cptnlp_*."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .facts import FactRule, find_facts, load_fact_rules
from .sections import SectionRules, find_sections, load_section_rules
from .timeparse import TimeRules, find_time_mentions, load_time_rules

__all__ = ["NoteSentencizer", "SessionFacts"]

if not Doc.has_extension("cptnlp"):
    Doc.set_extension("cptnlp", default=None)

_ABBREV = {"dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "etc", "approx", "st", "jr", "sr", "appt"}
_END = re.compile(r"^[.!?]+$")


class NoteSentencizer:
    """Sentence starts at line breaks, after sentence-final punctuation and at list bullets.

    Clinical notes break lines without punctuation (bullets, `Label: value` fields), which
    spaCy's punctuation sentencizer runs together; line breaks end a sentence here.
    """

    def __init__(self, nlp: Language, name: str = "cptnlp_sentences") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        starts = [1] * n
        prev_end = False
        prev_text = ""
        prev_tok_text = ""
        prev_newline = False
        # One pass with the previous token's attributes in locals: each doc[i] builds a Token object.
        for i, tok in enumerate(doc):
            text = tok.text
            space = tok.is_space
            if i:
                start = False
                if prev_newline:
                    start = True
                elif prev_end and not tok.is_punct and (text[:1].isupper() or text[:1].isdigit() or space):
                    # not after an abbreviation ("Dr.") or an initial ("Kevin O.")
                    start = prev_text.lower().rstrip(".") not in _ABBREV and not (len(prev_text) == 1 and prev_text.isupper())
                if space and "\n" in text:
                    start = False
                starts[i] = 1 if start else -1
                if _END.match(text):
                    prev_end = True
                    prev_text = prev_tok_text
                elif not space:
                    prev_end = False
            prev_tok_text = text
            prev_newline = space and "\n" in text
        # One array write: setting Token.is_sent_start per token re-scans the Doc each time (quadratic).
        doc.from_array([SENT_START], numpy.asarray(starts, dtype="int32").astype("uint64").reshape(n, 1))
        return doc


class SessionFacts:
    """Sections, session-time mentions and session facts of a note, as plain data on ``doc._.cptnlp``."""

    def __init__(self, nlp: Language, name: str = "cptnlp_session", *, max_session_minutes: int | None = None) -> None:
        self.name = name
        if max_session_minutes is None:
            from ..rules import load_settings

            max_session_minutes = load_settings()["time"]["max_session_minutes"]
        self.max_session_minutes: int = max_session_minutes
        self.time_rules: TimeRules = load_time_rules()
        self.fact_rules: tuple[FactRule, ...] = load_fact_rules()
        self.section_rules: SectionRules = load_section_rules()

    def __call__(self, doc: Doc) -> Doc:
        data = doc._.cptnlp or {}
        # Doc.text joins every token's text; keep the one copy for the later components.
        text = data["text"] = doc.text
        data["sections"] = find_sections(text, self.section_rules)
        data["time"] = find_time_mentions(text, self.time_rules, max_minutes=self.max_session_minutes)
        data["facts"] = find_facts(text, self.fact_rules)
        doc._.cptnlp = data
        return doc


@Language.factory("cptnlp_sentences")
def make_sentences(nlp: Language, name: str) -> NoteSentencizer:
    return NoteSentencizer(nlp, name)


@Language.factory("cptnlp_session", default_config={"max_session_minutes": None})
def make_session(nlp: Language, name: str, max_session_minutes: int | None) -> SessionFacts:
    return SessionFacts(nlp, name, max_session_minutes=max_session_minutes)
