"""spaCy components: sentence boundaries for notes and session facts, registered as cptnlp_*."""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .facts import FactRule, find_facts, load_fact_rules
from .sections import SectionRules, find_sections, load_section_rules
from .timeparse import TimeRules, find_time_mentions, load_time_rules
from .tokenizer import doc_text

__all__ = ["NoteSentencizer", "SessionFacts", "sentence_spans"]

if not Doc.has_extension("cptnlp"):
    Doc.set_extension("cptnlp", default=None)

_ABBREV = {"dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "etc", "approx", "st", "jr", "sr", "appt"}


def sentence_spans(is_start: numpy.ndarray, start: numpy.ndarray, stop: numpy.ndarray) -> list[tuple[int, int]]:
    """(start_char, end_char) of each sentence, from per-token arrays: sentence start flags (the first token
    starts one) and each token's first and past-the-end character."""
    first = numpy.flatnonzero(is_start)
    last = numpy.append(first[1:], len(is_start)) - 1
    return list(zip(start[first].tolist(), stop[last].tolist(), strict=True))


class NoteSentencizer:
    """Sentence starts at line breaks, after sentence-final punctuation and at list bullets.

    Clinical notes break lines without punctuation (bullets, `Label: value` fields), which
    spaCy's punctuation sentencizer runs together; line breaks end a sentence here.

    A token starts a sentence when the token before it is whitespace holding a line break, or
    when the last non-space token before it is sentence-final punctuation (``.``, ``!``, ``?``)
    and it is whitespace, or begins with a capital or a digit and is not punctuation, unless the
    punctuation follows an abbreviation ("Dr.") or an initial ("Kevin O."). Whitespace holding
    a line break never starts one. Worked out on token arrays (no Token objects): per-token
    Python costs as much as the rest of the pipeline.
    """

    def __init__(self, nlp: Language, name: str = "cptnlp_sentences") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        text = doc_text(doc)
        arr = doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]).astype(numpy.int64)
        idx, length = arr[:, 0], arr[:, 1]
        space, punct = arr[:, 2].astype(bool), arr[:, 3].astype(bool)
        stop = idx + length
        # Line breaks live in whitespace tokens and sentence-final marks in punctuation tokens: look at those only.
        starts_l, stops_l = idx.tolist(), stop.tolist()  # list indexing is cheaper than numpy scalars
        spaces = numpy.flatnonzero(space).tolist()
        has_newline = numpy.zeros(n, dtype=bool)
        has_newline[[i for i in spaces if "\n" in text[starts_l[i] : stops_l[i]]]] = True
        puncts = (numpy.flatnonzero(punct[1:]) + 1).tolist()  # a note opening with "." has no sentence to end
        is_end = numpy.zeros(n, dtype=bool)
        is_end[[i for i in puncts if not text[starts_l[i] : stops_l[i]].strip(".!?")]] = True
        # The last non-space token before each token, and whether it ends a sentence.
        last = numpy.maximum.accumulate(numpy.where(space, -1, numpy.arange(n)))
        last = numpy.concatenate(([-1], last[:-1]))
        after_end = (last >= 0) & is_end[numpy.maximum(last, 0)]
        after_newline = numpy.concatenate(([False], has_newline[:-1]))
        starts = after_newline.copy()
        for i in numpy.flatnonzero(after_end & ~after_newline & ~punct).tolist():
            first = text[starts_l[i]]
            if not (space[i] or first.isupper() or first.isdigit()):
                continue
            j = int(last[i]) - 1  # the token before the full stop
            prev = text[starts_l[j] : stops_l[j]] if j >= 0 else ""
            starts[i] = prev.lower().rstrip(".") not in _ABBREV and not (len(prev) == 1 and prev.isupper())
        starts &= ~has_newline
        starts[0] = True
        # One array write: setting Token.is_sent_start per token re-scans the Doc each time (quadratic).
        doc.from_array([SENT_START], numpy.where(starts, 1, -1).astype("uint64").reshape(n, 1))
        # The sentences' character bounds, for the components after this one (evidence.sentence_bounds).
        data = doc._.cptnlp
        if data is not None:
            data["sent_bounds"] = (n, sentence_spans(starts, idx, stop))
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
        text = doc_text(doc)
        data = doc._.cptnlp
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
