"""Sentence features: normalised text with ConText-style negation marks and the section token."""

from __future__ import annotations

import re

__all__ = ["NEGATION_CUES", "prepare", "prepare_tokens"]

# ConText-style: words after a negation cue, up to a clause break, carry a neg_ mark, so that
# "no impairment noted" and "impairment at work" differ while "denies SI" stays learnable as risk.
NEGATION_CUES = frozenset(
    {"no", "not", "denies", "denied", "deny", "without", "negative", "none", "never", "n/a", "na", "nor", "absent"}
)
# Form layouts: a ticked box becomes the token ``chkyes`` and an empty box ``chkno``, so that
# "[x] SI" and "[ ] SI" differ. An empty box opens a negation scope like a cue; a ticked box ends one.
CHECK_YES, CHECK_NO = "chkyes", "chkno"
_CHECKED = re.compile(r"\[\s*[xX✓✔✗*]\s*\]|\(\s*[xX✓✔]\s*\)|[☒☑✅]")
_UNCHECKED = re.compile(r"\[\s*\]|\(\s\)|[☐□]")
# camelCase and snake_case keys of exported records ("riskLevel", "risk_si") -> separate words.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_TOKEN = re.compile(r"[a-z]+(?:[-'/][a-z]+)*|\d+(?:\.\d+)?|[%#/=+<>:&]")
# Clause breaks: punctuation, "but", "however", "though" (the look-behind form of the leading \b is faster).
_BREAK = re.compile(r"[.;,()\n]|(?<!\w)(?:but|however|though)\b")
_BREAK_WORDS = ("but", "however", "though")
_BREAK_MARKS = re.compile(r"[.;,()\n]")  # _BREAK when no break word is in the text (much faster)
_BOX_CHARS = re.compile(r"[\[(☒☑✅☐□]")  # every _CHECKED / _UNCHECKED match holds one of these
_DIGITS = re.compile(r"\d")


def _normalise(text: str) -> str:
    if _BOX_CHARS.search(text):
        text = _CHECKED.sub(f" {CHECK_YES} ", text)
        text = _UNCHECKED.sub(f" {CHECK_NO} ", text)
    lowered = text.lower()
    return lowered if lowered == text else _CAMEL.sub(" ", text).lower()


def prepare(text: str, section: str | None) -> str:
    """A single string for the vectorizers: section token, then tokens with negation scope marked."""
    head, tokens = _prepare(text, section)
    return " ".join([head, *tokens]) if tokens else head


def prepare_tokens(text: str, section: str | None) -> list[str]:
    """``prepare(text, section).lower().split()``, built without the string: what the fast model reads."""
    head, tokens = _prepare(text, section)
    return [*head.lower().split(), *tokens]


def _prepare(text: str, section: str | None) -> tuple[str, list[str]]:
    head = f"sec_{section or 'none'}"
    norm = _normalise(text)
    breaks = _BREAK if any(w in norm for w in _BREAK_WORDS) else _BREAK_MARKS
    clauses = breaks.split(norm)
    # Tokens never span a clause break, so the clauses can be tokenised as one string. Without a
    # negation cue there is no scope to mark: the tokens go out as they are, numbers folded to 0.
    tokens = _TOKEN.findall(" ".join(clauses))
    if NEGATION_CUES.isdisjoint(tokens) and CHECK_NO not in tokens:
        # only the number alternative of _TOKEN holds digits
        return head, [_DIGITS.sub("0", t) if t[0].isdigit() else t for t in tokens]
    out = []
    for clause in clauses:
        neg = 0
        for tok in _TOKEN.findall(clause):
            if tok in NEGATION_CUES or tok == CHECK_NO:
                out.append(tok)
                neg = 4
                continue
            if tok == CHECK_YES:
                out.append(tok)
                neg = 0
                continue
            if tok[0].isdigit():
                tok = _DIGITS.sub("0", tok)
            if neg:
                out.append("neg_" + tok)
                neg -= 1
            out.append(tok)
    return head, out
