"""Checker: text -> Doc -> facts + evidence -> checks -> Report. The only place a Doc exists."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language

from . import nlp as _nlp  # noqa: F401  (registers the cptnlp_* factories)
from .checks import CHECKS
from .checks.context import Context
from .checks.necessity import required
from .checks.suggest import suggest
from .errors import CheckError, CptnlpError, InputError
from .nlp.facts import facts_summary
from .nlp.tokenizer import make_note_tokenizer  # noqa: F401  (registers cptnlp_note_tokenizer.v1)
from .requirements import load_requirements
from .rules import CodeTable, load_code_table, load_settings, parse_codes
from .types import ELEMENTS, SEVERITIES, CharSpan, Finding, Note, Report

__all__ = ["Checker", "check", "load_checker", "make_note"]


def make_note(
    text: Any,
    *,
    id: str | None = None,
    cpt: Any = None,
    minutes: Any = None,
    date: Any = None,
    client_id: str | None = None,
    provider: str | None = None,
    max_chars: int | None = None,
) -> Note:
    """Validate raw inputs into a Note; raise InputError naming the record and field (never the text)."""
    rid = str(id) if id is not None else None
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}", record=rid, field="text")
    if not text.strip():
        raise InputError("note text is empty" if not text else "note text is only whitespace", record=rid, field="text")
    if "\x00" in text:
        raise InputError("note text contains NUL bytes (binary data?)", record=rid, field="text")
    limit = max_chars or load_settings()["input"]["max_note_chars"]
    if len(text) > limit:
        raise InputError(
            f"note is {len(text):,} characters; the limit is {limit:,} (one note is far shorter: split the file into notes)",
            record=rid,
            field="text",
        )
    try:
        codes = parse_codes(cpt)
    except ValueError as exc:
        raise InputError(str(exc), record=rid, field="cpt") from None
    mins: int | None = None
    if minutes is not None and not (isinstance(minutes, str) and not minutes.strip()):
        if isinstance(minutes, bool):
            raise InputError("minutes must be a whole number, got a boolean", record=rid, field="minutes")
        try:
            f = float(minutes)
        except (TypeError, ValueError):
            raise InputError("minutes must be a whole number of minutes", record=rid, field="minutes") from None
        if f != f or f < 0 or f > 24 * 60 or f != int(f):
            raise InputError("minutes must be a whole number between 0 and 1440", record=rid, field="minutes")
        mins = int(f)
    d: _dt.date | None = None
    if date is not None and date != "":
        if isinstance(date, _dt.datetime):
            d = date.date()
        elif isinstance(date, _dt.date):
            d = date
        else:
            try:
                d = _dt.date.fromisoformat(str(date).strip()[:10])
            except ValueError:
                raise InputError("date must be ISO YYYY-MM-DD", record=rid, field="date") from None
    return Note(text=text, id=rid, cpt=codes, minutes=mins, client_id=client_id, provider=provider, date=d)


class Checker:
    """Holds the spaCy pipeline, the evidence model and the rule tables; checks notes."""

    def __init__(self, *, model: Any = None, model_path: str | Path | None = None, use_model: bool = True) -> None:
        self.table: CodeTable = load_code_table()
        self.settings = load_settings()
        self.requirements = load_requirements()
        if use_model and model is None:
            from .classify.model import load_model

            model = load_model(model_path)
        self.model = model
        self._billed_re = re.compile(self.settings["claim"]["billed_codes_regex"])
        self.nlp = self._build()

    def _build(self) -> Language:
        # The note tokenizer by name (data/tokenizer.toml): spaCy's English tokenizer is never built.
        nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "cptnlp_note_tokenizer.v1"}}})
        # Only the lexical flags the components read: every new word (names, dates, numbers) otherwise
        # runs some twenty Python attribute functions when it enters the vocabulary.
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {attr: getters[attr] for attr in (IS_SPACE, IS_PUNCT)}
        nlp.max_length = self.settings["input"]["max_note_chars"] + 1
        nlp.add_pipe("cptnlp_sentences")
        nlp.add_pipe("cptnlp_session", config={"max_session_minutes": self.settings["time"]["max_session_minutes"]})
        ev = nlp.add_pipe("cptnlp_evidence")
        ev.model = self.model
        return nlp

    def renew_if_grown(self) -> bool:
        """Build a fresh pipeline when the vocabulary has outgrown ``[batch] max_vocab_entries``.

        spaCy's vocabulary only grows; a long batch run would otherwise hold every distinct string
        of the archive. The model is kept; reports do not depend on the vocabulary's history.
        """
        if len(self.nlp.vocab) <= self.settings["batch"]["max_vocab_entries"]:
            return False
        self.nlp = self._build()
        return True

    # -- public ------------------------------------------------------------------------------
    def check(self, note: Note | str, **kwargs: Any) -> Report:
        if not isinstance(note, Note):
            note = make_note(note, **kwargs)
        doc = self.nlp(note.text)
        return self._report(note, doc)

    def _codes_from_text(self, note: Note) -> Note:
        """Codes the note names as billed, used only when the caller gives none."""
        if note.cpt:
            return note
        m = self._billed_re.search(note.text)
        if not m:
            return note
        return dataclasses.replace(note, cpt=parse_codes(re.sub(r"\band\b", " ", m.group("codes"))))

    def check_many(self, notes: Iterable[Note], *, batch_size: int = 64) -> Iterator[Report]:
        """Reports for many notes, in order, using nlp.pipe."""
        it = iter(notes)
        pairs = ((n.text, n) for n in it)
        for doc, note in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self._report(note, doc)

    # -- internals ---------------------------------------------------------------------------
    def _report(self, note: Note, doc: Any) -> Report:
        given = bool(note.cpt)
        note = self._codes_from_text(note)
        data = doc._.cptnlp
        hits = data["facts"]
        elements: dict[str, list[CharSpan]] = data["elements"]
        on_date = note.date or _dt.date.today()
        ctx = Context(
            note=note,
            text=note.text,
            table=self.table,
            settings=self.settings,
            on_date=on_date,
            sections=data["sections"],
            time=data["time"],
            facts=hits,
            summary=facts_summary(hits),
            elements=elements,
            requirements=self.requirements,
        )
        for name, fn in CHECKS:
            try:
                ctx.findings += fn(ctx)
            except CptnlpError:
                raise
            except Exception as exc:  # a bug in a check must name the check, never the note text
                raise CheckError(name, note.id, exc) from exc
        suggested = suggest(ctx)
        findings = sorted(ctx.findings, key=lambda f: (SEVERITIES.index(f.severity), f.code))
        score = self._score(ctx, findings)
        el_out = {e: {"present": bool(elements.get(e)), "spans": list(elements.get(e, []))[:20]} for e in ELEMENTS}
        facts = dict(ctx.summary)
        facts["cpt_source"] = "input" if given else ("note" if note.cpt else None)
        facts["sections"] = sorted({s.label for s in ctx.sections})
        facts["time_mentions"] = [t.to_dict() for t in ctx.time]
        return Report(
            id=note.id,
            cpt=note.cpt,
            minutes=ctx.minutes,
            minutes_source=ctx.minutes_source,
            suggested_cpt=tuple(suggested),
            score=score,
            elements=el_out,
            findings=tuple(findings),
            facts=facts,
        )

    def _score(self, ctx: Context, findings: list[Finding]) -> int:
        """Weighted share of required items present, minus penalties for non-necessity problems."""
        reqs = required(ctx)
        items = self.requirements.score_items
        total = sum(r.weight for r in reqs)
        have = sum(r.weight for r in reqs if ctx.elements.get(r.element))
        if any(r.time_based for r in ctx.current):
            total += items.get("time", 0)
            have += items.get("time", 0) if ctx.minutes_source in ("start_stop", "stated") else 0
        total += items.get("signature", 0)
        have += items.get("signature", 0) if ctx.summary["signature"] else 0
        base = 100.0 * have / total if total else 100.0
        pen = self.settings["score"]
        for f in findings:
            if f.code.startswith(("necessity.", "time.missing", "signature.")):
                continue  # already counted as a missing item
            if f.severity == "error":
                base -= pen["error_penalty"]
            elif f.severity == "warning":
                base -= pen["warning_penalty"]
        return max(0, min(100, round(base)))


_DEFAULT: Checker | None = None


def load_checker(model_path: str | Path | None = None, *, use_model: bool = True) -> Checker:
    """A Checker with the shipped model (cached for the default arguments)."""
    global _DEFAULT
    if model_path is None and use_model:
        if _DEFAULT is None:
            _DEFAULT = Checker()
        return _DEFAULT
    return Checker(model_path=model_path, use_model=use_model)


def check(text: str, **kwargs: Any) -> Report:
    """Check one note with the default checker: ``check(text, cpt="90834", minutes=45)``."""
    return load_checker().check(text, **kwargs)
