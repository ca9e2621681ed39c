"""RE2 for the data-file regexes on ASCII text: the same matches as Python's ``re``, in linear time.

Python's ``re`` tries a pattern that opens with ``\\b(?:...)`` at every position of the note;
RE2 runs one automaton over it, 5-10x faster on our rules and with no catastrophic
backtracking however long the note. The two engines agree exactly only where their syntax and
character classes agree, so:

- a pattern without look-arounds or back-references runs on RE2 alone (:func:`compile_fast`);
- a pattern with them keeps Python's ``re`` for the match itself, and RE2 runs a *superset*
  pattern (the look-arounds dropped, each back-reference widened to any text) to find where a
  match can start; ``re`` is only tried at those positions (:class:`Hybrid`);
- either is used only on ASCII text without vertical tab or the ASCII separators 0x1C-0x1F,
  which Python's ``\\s`` matches and RE2's does not (every other note goes to ``re``).

Patterns are compiled for UTF-8 ``bytes``; on ASCII text byte offsets are character offsets, and
a non-ASCII character in a pattern simply never matches. tests/test_facts.py checks that the
paths give identical hits on the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "Exact",
    "FastPattern",
    "Hybrid",
    "PatternSet",
    "SliceFilter",
    "ascii_safe",
    "compile_fast",
    "hybrid",
    "superset",
]

try:  # google-re2 is a dependency; without it everything runs on Python's re, only slower.
    import re2 as _re2_pkg
    from re2 import _re2

    _UNANCHORED = _re2.RE2.Anchor.UNANCHORED
except ImportError:  # pragma: no cover - exercised only in a broken install
    _re2 = None

# Constructs RE2 does not support; screened before compiling so RE2 never logs a parse error.
_LOOK = re.compile(r"\(\?<?[=!]")
_BACKREF = re.compile(r"\(\?P=\w+\)|\\[1-9]")
_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\(\?P=|\\[1-9]|\\Z|\(\?>|[*+?}]\+")
_UNSAFE_TEXT = re.compile("[\x0b\x1c-\x1f]")


def _re2_compile(pattern: str, multiline: bool, *, capture: bool = True) -> Any:
    """The low-level RE2 object (its ``Match`` returns the spans of all groups), or None."""
    if _re2 is None or _UNSUPPORTED.search(pattern):
        return None
    opts = _re2_pkg.Options()
    opts.log_errors = False
    opts.never_capture = not capture
    try:
        rx = _re2.RE2((b"(?m)" if multiline else b"") + pattern.encode("utf-8"), opts)
    except Exception:  # any RE2 refusal means: stay on re
        return None
    return rx if rx.ok() else None


class _Spans:
    """The part of a match object the callers use: ``span(group)``, ``start()``, ``end()``."""

    __slots__ = ("spans",)

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans

    def span(self, group: int = 0) -> tuple[int, int]:
        return self.spans[group]

    def start(self) -> int:
        return self.spans[0][0]

    def end(self) -> int:
        return self.spans[0][1]


def compile_fast(rx: re.Pattern[str]) -> Exact | Hybrid | None:
    """The fast form of a case-sensitive ``re`` pattern (flags: at most MULTILINE), or None when there is none."""
    if rx.flags & ~(re.MULTILINE | re.UNICODE):
        return None
    exact = _re2_compile(rx.pattern, bool(rx.flags & re.MULTILINE))
    return Exact(exact) if exact is not None else Hybrid.build(rx)


class Exact:
    """A pattern RE2 matches exactly as ``re`` does."""

    __slots__ = ("rx",)

    def __init__(self, rx: Any) -> None:
        self.rx = rx

    def finditer(self, text: str, data: bytes) -> Iterator[_Spans]:
        """Non-empty matches in ``data`` (``text`` as ASCII bytes): ``span()``, ``span(group_number)``."""
        pos, n, match = 0, len(data), self.rx.Match
        while pos <= n:
            spans = match(_UNANCHORED, data, pos, n)
            start, end = spans[0]
            if start < 0:
                return
            if end > start:
                yield _Spans(spans)
                pos = end
            else:
                pos = start + 1


def superset(pattern: str, *, drop_anchors: bool = False) -> str:
    """``pattern`` with look-arounds removed and back-references widened: it matches wherever ``pattern`` does.

    ``drop_anchors`` also removes ``\\b``, ``\\B``, ``^`` and ``$``, so that the superset matches a
    slice's matches in the whole text too (a slice's edges are not the text's).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            m = _BACKREF.match(pattern, i)
            if m and not in_class:
                out.append(r"[\s\S]*?")
                i = m.end()
                continue
            if not (drop_anchors and not in_class and pattern[i + 1 : i + 2] in ("b", "B", "A", "Z", "z")):
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]" or (pattern[i - 1] == "[") or pattern[i - 2 : i] == "[^"
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            continue
        m = _BACKREF.match(pattern, i)
        if m:
            out.append(r"[\s\S]*?")
            i = m.end()
            continue
        if _LOOK.match(pattern, i):
            i = _group_end(pattern, i)
            continue
        if drop_anchors and ch in "^$":
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _group_end(pattern: str, i: int) -> int:
    """Index just past the group opening at ``pattern[i] == '('``."""
    depth = 0
    in_class = False
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]" and pattern[i - 1] != "[" and pattern[i - 2 : i] != "[^":
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parenthesis")


class Hybrid:
    """Python ``re`` matches, tried only where RE2's superset pattern can start one (see module doc)."""

    __slots__ = ("candidates", "exact")

    def __init__(self, exact: re.Pattern[str], candidates: Any) -> None:
        self.exact = exact
        self.candidates = candidates

    @classmethod
    def build(cls, exact: re.Pattern[str]) -> Hybrid | None:
        flags = _inline_flags(exact.flags)
        if flags is None:
            return None
        try:
            wide = superset(exact.pattern)
        except ValueError:
            return None
        candidates = _re2_compile(flags + wide, bool(exact.flags & re.MULTILINE), capture=False)
        return None if candidates is None else cls(exact, candidates)

    def finditer(self, text: str, data: bytes) -> Iterator[re.Match[str]]:
        """``exact.finditer(text)`` (``data`` is ``text`` as ASCII bytes), without empty matches."""
        pos, n = 0, len(text)
        match, find = self.exact.match, self.candidates.Match
        while pos <= n:
            start = find(_UNANCHORED, data, pos, n)[0][0]
            if start < 0:
                return
            m = match(text, start)
            if m is None or m.end() == start:
                pos = start + 1
                continue
            yield m
            pos = m.end()

    def search(self, text: str, data: bytes, pos: int = 0) -> re.Match[str] | None:
        """``exact.search(text, pos)``: the leftmost match starting at or after ``pos``."""
        n = len(text)
        match, find = self.exact.match, self.candidates.Match
        while pos <= n:
            start = find(_UNANCHORED, data, pos, n)[0][0]
            if start < 0:
                return None
            m = match(text, start)
            if m is not None:
                return m
            pos = start + 1
        return None

    def starts(self, data: bytes) -> set[int]:
        """Every position where a match of the pattern can start (a superset of the real starts)."""
        out: set[int] = set()
        pos, n, find = 0, len(data), self.candidates.Match
        while pos <= n:
            start = find(_UNANCHORED, data, pos, n)[0][0]
            if start < 0:
                break
            out.add(start)
            pos = start + 1
        return out


def _inline_flags(flags: int) -> str | None:
    """RE2 inline flags for a ``re`` pattern's IGNORECASE / DOTALL (MULTILINE is passed apart), or None if unsupported."""
    if flags & ~(re.MULTILINE | re.UNICODE | re.IGNORECASE | re.DOTALL):
        return None
    return ("(?i)" if flags & re.IGNORECASE else "") + ("(?s)" if flags & re.DOTALL else "")


_HYBRIDS: dict[re.Pattern[str], Hybrid | None] = {}


def hybrid(rx: re.Pattern[str]) -> Hybrid | None:
    """The :class:`Hybrid` of a pattern, built on first use (None when RE2 cannot take its superset)."""
    try:
        return _HYBRIDS[rx]
    except KeyError:
        h = _HYBRIDS[rx] = Hybrid.build(rx)
        return h


class SliceFilter:
    """Where in a text a pattern can match any slice of it: RE2 over the whole text, once, instead of
    ``re`` over every slice. A slice with no candidate start can hold no match of the pattern."""

    __slots__ = ("candidates",)

    def __init__(self, candidates: Any) -> None:
        self.candidates = candidates

    @classmethod
    def build(cls, rx: re.Pattern[str]) -> SliceFilter | None:
        flags = _inline_flags(rx.flags)
        if flags is None:
            return None
        try:
            wide = superset(rx.pattern, drop_anchors=True)
        except ValueError:
            return None
        candidates = _re2_compile(flags + wide, False, capture=False)
        return None if candidates is None else cls(candidates)

    def starts(self, data: bytes) -> list[int]:
        """Every position of ``data`` (an ASCII text as bytes) where a match of the pattern can start."""
        out: list[int] = []
        pos, n, find = 0, len(data), self.candidates.Match
        while pos <= n:
            start = find(_UNANCHORED, data, pos, n)[0][0]
            if start < 0:
                break
            out.append(start)
            pos = start + 1
        return out


class PatternSet:
    """Which of many patterns can match a text, from one RE2 pass (RE2::Set of their supersets).

    A pattern not in :meth:`possible` has no match in the text, so its own scan can be skipped.
    """

    __slots__ = ("_set",)

    def __init__(self, rx_set: Any) -> None:
        self._set = rx_set

    @classmethod
    def build(cls, patterns: list[re.Pattern[str]]) -> PatternSet | None:
        if _re2 is None or not patterns:
            return None
        opts = _re2_pkg.Options()
        opts.log_errors = False
        rx_set = _re2.Set(_UNANCHORED, opts)
        for rx in patterns:
            if rx.flags & ~(re.MULTILINE | re.UNICODE):
                return None
            try:
                wide = superset(rx.pattern)
            except ValueError:
                return None
            if (
                _UNSUPPORTED.search(wide)
                or rx_set.Add((b"(?m)" if rx.flags & re.MULTILINE else b"") + wide.encode("utf-8")) < 0
            ):
                return None
        return cls(rx_set) if rx_set.Compile() else None

    def possible(self, data: bytes) -> set[int]:
        """Indices of the patterns that may match ``data`` (an ASCII text as bytes)."""
        return set(self._set.Match(data))


class FastPattern:
    """A compiled ``re`` pattern whose whole-text ``search`` and ``finditer`` go through its :class:`Hybrid`.

    Everything else (``match``, ``fullmatch``, windowed searches, ``groupindex``...) is the
    pattern's own. Calls on the same text reuse its ASCII check and bytes (one-entry cache).
    """

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.match = rx.match
        self.fullmatch = rx.fullmatch
        self.pattern = rx.pattern
        self.flags = rx.flags
        self.groupindex = rx.groupindex
        self.groups = rx.groups
        self._hybrid = hybrid(rx) if _min_width(rx) > 0 else None  # Hybrid skips empty matches; re yields them

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rx, name)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if endpos is None and self._hybrid is not None:
            data = _ascii_bytes(text)
            if data is not None:
                return self._hybrid.search(text, data, pos)
        return self.rx.search(text, pos) if endpos is None else self.rx.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        if pos == 0 and endpos is None and self._hybrid is not None:
            data = _ascii_bytes(text)
            if data is not None:
                return self._finditer(text, data)
        return self.rx.finditer(text, pos) if endpos is None else self.rx.finditer(text, pos, endpos)

    def _finditer(self, text: str, data: bytes) -> Iterator[re.Match[str]]:
        yield from self._hybrid.finditer(text, data)  # type: ignore[union-attr]


def _min_width(rx: re.Pattern[str]) -> int:
    """The fewest characters a match of ``rx`` can span (0 when unknown)."""
    try:
        from re import _parser

        return int(_parser.parse(rx.pattern, rx.flags).getwidth()[0])
    except Exception:  # a private module: any surprise means "could be empty"
        return 0


_LAST: tuple[str | None, bytes | None] = (None, None)


def _ascii_bytes(text: str) -> bytes | None:
    """``text`` as bytes when RE2 may read it (see :func:`ascii_safe`), else None; the last answer is kept."""
    global _LAST
    last = _LAST  # one read: another thread may replace the pair, never half of it
    if last[0] is text:
        return last[1]
    data = text.encode("ascii") if ascii_safe(text) else None
    _LAST = (text, data)
    return data


def ascii_safe(text: str) -> bool:
    """True when RE2 and ``re`` read ``text`` the same way (ASCII, no VT or 0x1C-0x1F)."""
    return text.isascii() and _UNSAFE_TEXT.search(text) is None
