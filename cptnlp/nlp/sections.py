"""Note-format section headers (SOAP, DAP, BIRP, GIRP, PIE/PIRP, EHR labels) from ``sections.json``."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataFileError
from ..rules import load_json_data

__all__ = ["Section", "SectionRules", "find_sections", "load_section_rules", "section_at"]

_FILE = "cptnlp/data/sections.json"


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    header_start: int
    header_end: int
    end: int  # end of the section's content (start of the next header or end of text)
    header: str


class SectionRules:
    """Compiled header regexes and the single-letter resolution rules."""

    def __init__(self, data: Any, path: str = _FILE) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("sections"), dict):
            raise DataFileError(path, "expected an object with a 'sections' object")
        self.variants: dict[str, str] = {}
        for label, variants in data["sections"].items():
            if not isinstance(variants, list) or not all(isinstance(v, str) and v for v in variants):
                raise DataFileError(path, "expected a list of non-empty header strings", row=label)
            for v in variants:
                self.variants[v.lower()] = label
        letters = data.get("letters", {}).get("rules", [])
        if not isinstance(letters, list):
            raise DataFileError(path, "letters.rules must be a list")
        self.letter_rules: list[dict[str, Any]] = []
        for i, r in enumerate(letters, 1):
            if not isinstance(r, dict) or not isinstance(r.get("when"), list) or not isinstance(r.get("map"), dict):
                raise DataFileError(path, "each letters rule needs 'when' (list) and 'map' (object)", row=i)
            unknown = set(r) - {"when", "not", "map", "first"}
            if unknown:
                raise DataFileError(path, f"unknown key(s) {sorted(unknown)}; allowed: first, map, not, when", row=i)
            for v in r["map"].values():
                if v not in data["sections"]:
                    raise DataFileError(path, f"letters map to unknown section {v!r}", row=i)
            self.letter_rules.append(r)
        words = sorted((v for v in self.variants if len(v) > 1), key=len, reverse=True)
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        letters_alt = "|".join(sorted({v for v in self.variants if len(v) == 1}))
        # "Plan:", "PLAN -", "**Plan**", "Mental Status Exam" alone on a line, "S:", "P)".
        self.header_re = re.compile(
            rf"^[ \t]*(?:#+[ \t]*|\*\*)?(?P<h>{alt})(?:\*\*)?[ \t]*(?:(?P<sep>[:\-—–]|\*\*:)[ \t]*|(?=\r?\n|$))"
            rf"|^[ \t]*(?P<l>[{letters_alt}])[ \t]*(?P<lsep>[:)]|\s[-—–]\s)[ \t]*",
            re.IGNORECASE | re.MULTILINE,
        )

    def resolve_letters(self, letters: list[str]) -> list[str]:
        present = set(letters)
        for r in self.letter_rules:
            if all(x in present for x in r["when"]) and not any(x in present for x in r.get("not", [])):
                out = []
                first = r.get("first")
                seen_first = False
                for x in letters:
                    if first and x == first:
                        if not seen_first:
                            seen_first = True
                            out.append(r["map"][x])
                        else:
                            out.append("plan")
                    else:
                        out.append(r["map"].get(x) or self.variants.get(x, "other"))
                return out
        return [self.variants.get(x, "other") for x in letters]


@cache
def load_section_rules() -> SectionRules:
    path, data = load_json_data("sections.json")
    return SectionRules(data, path)


def find_sections(text: str, rules: SectionRules | None = None) -> list[Section]:
    """Sections of ``text`` in order; text before the first header belongs to no section."""
    rules = rules or load_section_rules()
    found: list[tuple[int, int, str, str | None]] = []  # start, end, header text, label (None = letter)
    for m in rules.header_re.finditer(text):
        if m.group("h"):
            # A long line that merely starts with a header word and no separator is prose, not a header.
            if not m.group("sep"):
                line_end = text.find("\n", m.end())
                rest = text[m.end() : line_end if line_end != -1 else len(text)]
                if rest.strip():
                    continue
            found.append((m.start(), m.end(), m.group("h"), rules.variants[re.sub(r"\s+", " ", m.group("h").lower())]))
        elif m.group("l"):
            found.append((m.start(), m.end(), m.group("l"), None))
    letters = [f[2].lower() for f in found if f[3] is None]
    resolved = iter(rules.resolve_letters(letters))
    out: list[Section] = []
    for i, (s, e, header, label) in enumerate(found):
        lab = label if label is not None else next(resolved)
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        out.append(Section(lab, s, e, end, header))
    return out


def section_at(sections: list[Section], starts: list[int], pos: int) -> str | None:
    """Label of the section containing character ``pos`` (``starts`` = header starts)."""
    i = bisect.bisect_right(starts, pos) - 1
    if i < 0:
        return None
    sec = sections[i]
    return sec.label if pos < sec.end else None
