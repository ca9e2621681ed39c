"""The note tokenizer: punctuation rules from data, and sentence boundaries it enables."""

from __future__ import annotations

import spacy

from cptnlp import Checker
from cptnlp.nlp.tokenizer import note_tokenizer


def _tokens(text: str) -> list[str]:
    nlp = spacy.blank("en")
    return [t.text for t in note_tokenizer(nlp.vocab)(text)]


def test_clause_punctuation_is_split_but_times_and_decimals_are_not() -> None:
    toks = _tokens('Mood:anxious ("ok"). Session 10:00-10:50, 1.5 hrs. Pt c/o f/u.')
    assert toks[:3] == ["Mood", ":", "anxious"]
    assert "10:00-10:50" in toks and "1.5" in toks
    assert toks[toks.index("c") : toks.index("c") + 3] == ["c", "/", "o"]
    assert toks[-2:] == ["u", "."]


def test_sentences_break_after_abbreviated_follow_up_but_not_after_an_initial() -> None:
    nlp = Checker(use_model=False).nlp
    sents = [s.text.strip() for s in nlp("Here for med f/u. Reports better sleep. Seen by Kevin O. 44M today.").sents]
    assert sents == ["Here for med f/u.", "Reports better sleep.", "Seen by Kevin O. 44M today."]
