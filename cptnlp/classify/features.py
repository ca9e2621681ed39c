"""Sentence features: normalised text with ConText-style negation marks and the section token."""

from __future__ import annotations

import re

__all__ = ["NEGATION_CUES", "prepare"]

# ConText-style: words after a negation cue, up to a clause break, carry a neg_ mark, so that
# "no impairment noted" and "impairment at work" differ while "denies SI" stays learnable as risk.
NEGATION_CUES = frozenset({"no", "not", "denies", "denied", "deny", "without", "negative", "none", "never", "n/a", "na", "nor", "absent"})
_TOKEN = re.compile(r"[a-z]+(?:[-'/][a-z]+)*|\d+(?:\.\d+)?|[%#/=+<>:&]")
_BREAK = re.compile(r"[.;,()\n]|\bbut\b|\bhowever\b|\bthough\b")
_DIGITS = re.compile(r"\d")


def prepare(text: str, section: str | None) -> str:
    """A single string for the vectorizers: section token, then tokens with negation scope marked."""
    out = [f"sec_{section or 'none'}"]
    low = text.lower()
    for clause in _BREAK.split(low):
        neg = 0
        for tok in _TOKEN.findall(clause):
            if tok in NEGATION_CUES:
                out.append(tok)
                neg = 4
                continue
            tok = _DIGITS.sub("0", tok)
            if neg:
                out.append("neg_" + tok)
                neg -= 1
            out.append(tok)
    return " ".join(out)
