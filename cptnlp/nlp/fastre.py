"""RE2 for the data-file regexes: the same matches as Python's ``re``, in linear time.

Python's ``re`` tries a pattern that opens with ``\\b(?:...)`` at every position of the note;
RE2 runs one automaton over it, 5-10x faster on our rules and with no catastrophic
backtracking however long the note. The two engines agree exactly only where their syntax and
character classes agree, so RE2 works on a *shadow* of the note (:func:`shadow`): the note as
ASCII bytes, one byte per character, where every non-ASCII character (and the ASCII separators
that Python's ``\\s`` matches and RE2's does not) becomes the wildcard byte 0x01.

- On a plain ASCII note the shadow is the note itself: a pattern without look-arounds or
  back-references runs on RE2 alone (:class:`Exact`).
- Otherwise Python's ``re`` makes every match, and RE2 runs a *superset* of the pattern (built
  from ``re``'s own parse tree: look-arounds dropped, back-references widened, and on a shadow
  with wildcards every character atom also matching 0x01) to find where a match can start;
  ``re`` is tried only there (:class:`Hybrid`).

Offsets into the shadow are offsets into the note. tests/test_fastre.py checks that every path
gives ``re``'s matches, on the corpus and on random text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import Any

__all__ = [
    "Exact",
    "FastPattern",
    "Hybrid",
    "PatternSet",
    "SliceFilter",
    "compile_fast",
    "hybrid",
    "shadow",
    "superset",
]

try:  # google-re2 is a dependency; without it everything runs on Python's re, only slower.
    import re2 as _re2_pkg
    from re2 import _re2

    _UNANCHORED = _re2.RE2.Anchor.UNANCHORED
except ImportError:  # pragma: no cover - exercised only in a broken install
    _re2 = None

# Constructs of a pattern that RE2 would read differently or not at all (the Exact path needs none).
_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\(\?P=|\\[1-9]|\\Z|\(\?>|[*+?}]\+")
WILD = 0x01
# ASCII characters Python's \s matches and RE2's does not, and the wildcard itself: all become 0x01.
_UNSAFE = bytes([WILD, 0x0B, 0x1C, 0x1D, 0x1E, 0x1F])
_TO_WILD = bytes.maketrans(_UNSAFE, bytes([WILD]) * len(_UNSAFE))
_UNSAFE_TEXT = re.compile("[\x01\x0b\x1c-\x1f]")


def _wild_errors(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeEncodeError)
    return "\x01" * (err.end - err.start), err.end


codecs.register_error("cptnlp-wild", _wild_errors)


def shadow(text: str) -> tuple[bytes, bool]:
    """The note as one ASCII byte per character, and whether any byte is the wildcard 0x01."""
    if text.isascii():
        if _UNSAFE_TEXT.search(text) is None:
            return text.encode("ascii"), False
        return text.encode("ascii").translate(_TO_WILD), True
    return text.encode("ascii", "cptnlp-wild").translate(_TO_WILD), True


def _re2_compile(pattern: str, *, capture: bool = True) -> Any:
    """The low-level RE2 object (its ``Match`` returns the spans of all groups), or None if RE2 refuses."""
    if _re2 is None:
        return None
    opts = _re2_pkg.Options()
    opts.log_errors = False
    opts.never_capture = not capture
    try:
        rx = _re2.RE2(pattern.encode("utf-8"), opts)
    except Exception:  # any RE2 refusal means: stay on re
        return None
    return rx if rx.ok() else None


def _starts(rx: Any, data: bytes, pos: int = 0) -> Iterator[int]:
    """Every position at or after ``pos`` where ``rx`` has a match (ascending)."""
    n, find = len(data), rx.Match
    while pos <= n:
        start = find(_UNANCHORED, data, pos, n)[0][0]
        if start < 0:
            return
        yield start
        pos = start + 1


@lru_cache(maxsize=512)
def _parse(pattern: str, flags: int) -> Any:
    """``re``'s parse tree of a pattern, once per pattern (a rule is read for several RE2 forms)."""
    from re import _parser

    return _parser.parse(pattern, flags)


def superset(pattern: str, flags: int = 0, *, drop_anchors: bool = False, wild: bool = False) -> str:
    """An RE2 pattern that matches wherever ``re.compile(pattern, flags)`` does, at the same start.

    Built from Python's own parse tree: look-arounds dropped, back-references widened to any text,
    atomic groups and possessive repeats made ordinary. ``drop_anchors`` also drops ``\\b``, ``\\B``,
    ``^``, ``$``, ``\\A``, ``\\Z`` (for matches of a slice found in the whole text). ``wild`` is for the
    shadow of a non-ASCII text (:func:`shadow`): every character-matching atom also matches the
    wildcard byte, and word boundaries are dropped (they depend on the characters it replaced).
    Raises ValueError for a construct it does not know.
    """
    from re import _constants as c
    tree = _parse(pattern, flags)
    glob = tree.state.flags
    head = "".join(f for f, bit in (("(?i)", re.IGNORECASE), ("(?m)", re.MULTILINE), ("(?s)", re.DOTALL)) if glob & bit)
    multiline = bool(glob & re.MULTILINE)

    def lit(ch: int, in_class: bool = False) -> str:
        s = chr(ch)
        if s.isalnum() and s.isascii():
            return s
        if ch <= 0x20 or ch == 0x7F:
            return f"\\x{ch:02x}"
        if not s.isascii():
            return s
        return "\\" + s

    cats = {
        c.CATEGORY_DIGIT: r"\d",
        c.CATEGORY_NOT_DIGIT: r"\D",
        c.CATEGORY_SPACE: r"\s",
        c.CATEGORY_NOT_SPACE: r"\S",
        c.CATEGORY_WORD: r"\w",
        c.CATEGORY_NOT_WORD: r"\W",
    }

    def klass(items: list) -> str:
        out = []
        for op, av in items:
            if op is c.NEGATE:
                out.insert(0, "^")
            elif op is c.LITERAL:
                out.append(lit(av, True))
            elif op is c.RANGE:
                out.append(f"{lit(av[0], True)}-{lit(av[1], True)}")
            elif op is c.CATEGORY and av in cats:
                out.append(cats[av])
            else:
                raise ValueError(f"class item {op}")
        return "[" + "".join(out) + "]"

    def widen(atom: str) -> str:
        return f"(?:{atom}|\\x01)" if wild else atom

    def emit(seq: list) -> str:
        out = []
        for op, av in seq:
            if op is c.LITERAL:
                out.append(widen(lit(av)))
            elif op is c.NOT_LITERAL:
                out.append(widen(f"[^{lit(av, True)}]"))
            elif op is c.IN:
                out.append(widen(klass(av)))
            elif op is c.ANY:
                out.append(widen("."))
            elif op is c.BRANCH:
                out.append("(?:" + "|".join(emit(list(alt)) for alt in av[1]) + ")")
            elif op is c.SUBPATTERN:
                _, add, dele, sub = av
                fl = "".join(f for f, bit in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)) if add & bit)
                fl_off = "".join(
                    f for f, bit in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)) if dele & bit
                )
                prefix = "(?" + fl + ("-" + fl_off if fl_off else "") + ":"
                out.append(prefix + emit(list(sub)) + ")")
            elif op is c.ATOMIC_GROUP:
                out.append("(?:" + emit(list(av)) + ")")
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                lo, hi, sub = av
                body = emit(list(sub))
                lo = min(lo, 1000)
                if hi is c.MAXREPEAT or hi > 1000:
                    q = "*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}"
                else:
                    q = f"{{{lo},{hi}}}"
                out.append(f"(?:{body}){q}" + ("?" if op is c.MIN_REPEAT else ""))
            elif op in (c.ASSERT, c.ASSERT_NOT):
                continue
            elif op is c.GROUPREF:
                out.append(r"[\s\S]*?")
            elif op is c.GROUPREF_EXISTS:
                _, yes, no = av
                out.append("(?:" + emit(list(yes)) + "|" + (emit(list(no)) if no else "") + ")")
            elif op is c.AT:
                if drop_anchors:
                    continue
                if av in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY):
                    if not wild:
                        out.append(r"\b" if av is c.AT_BOUNDARY else r"\B")
                elif av is c.AT_BEGINNING:
                    out.append("^")
                elif av is c.AT_END:
                    out.append("$" if multiline else "(?m:$)")  # re's $ also matches before a final newline
                elif av is c.AT_BEGINNING_STRING:
                    out.append(r"\A")
                elif av is c.AT_END_STRING:
                    out.append(r"\z")
                else:
                    raise ValueError(f"anchor {av}")
            else:
                raise ValueError(f"construct {op}")
        return "".join(out)

    return head + emit(list(tree))


def _candidate_pair(rx: re.Pattern[str], *, drop_anchors: bool = False) -> tuple[Any, Any] | None:
    """RE2 automata of ``rx``'s superset for a plain shadow and for one with wildcards, or None."""
    try:
        plain = _re2_compile(superset(rx.pattern, rx.flags, drop_anchors=drop_anchors), capture=False)
        wild = _re2_compile(superset(rx.pattern, rx.flags, drop_anchors=drop_anchors, wild=True), capture=False)
    except (ValueError, re.error):
        return None
    return None if plain is None or wild is None else (plain, wild)


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


class Hybrid:
    """``re``'s matches, tried only where RE2 finds that a superset of the pattern can start one."""

    __slots__ = ("candidates", "exact", "wild")

    def __init__(self, exact: re.Pattern[str], candidates: Any, wild: Any) -> None:
        self.exact = exact
        self.candidates = candidates  # superset for a shadow without wildcards
        self.wild = wild  # superset for a shadow with wildcards

    @classmethod
    def build(cls, exact: re.Pattern[str]) -> Hybrid | None:
        pair = _candidate_pair(exact)
        return None if pair is None else cls(exact, *pair)

    def finditer(self, text: str, data: bytes, wild: bool = False) -> Iterator[re.Match[str]]:
        """``exact.finditer(text)`` without empty matches (``data, wild = shadow(text)``)."""
        match = self.exact.match
        find = (self.wild if wild else self.candidates).Match
        pos, n = 0, len(text)
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

    def search(self, text: str, data: bytes, wild: bool = False, pos: int = 0) -> re.Match[str] | None:
        """``exact.search(text, pos)``: the leftmost match starting at or after ``pos``."""
        match = self.exact.match
        for start in _starts(self.wild if wild else self.candidates, data, pos):
            m = match(text, start)
            if m is not None:
                return m
        return None


_HYBRIDS: dict[re.Pattern[str], Hybrid | None] = {}


def hybrid(rx: re.Pattern[str]) -> Hybrid | None:
    """The :class:`Hybrid` of a pattern, built on first use (None when RE2 cannot take its superset)."""
    try:
        return _HYBRIDS[rx]
    except KeyError:
        h = _HYBRIDS[rx] = Hybrid.build(rx)
        return h


class Exact:
    """A pattern RE2 matches exactly as ``re`` does on a shadow without wildcards (its Hybrid otherwise)."""

    __slots__ = ("hybrid", "rx")

    def __init__(self, rx: Any, fallback: Hybrid) -> None:
        self.rx = rx
        self.hybrid = fallback

    def finditer(self, text: str, data: bytes, wild: bool = False) -> Iterator[Any]:
        """Non-empty matches: ``span()``, ``span(group_number)``."""
        if wild:
            yield from self.hybrid.finditer(text, data, True)
            return
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


def compile_fast(rx: re.Pattern[str]) -> Exact | Hybrid | None:
    """The fast form of a case-sensitive ``re`` pattern (flags: at most MULTILINE), or None when there is none."""
    if rx.flags & ~(re.MULTILINE | re.UNICODE):
        return None
    fallback = Hybrid.build(rx)
    if fallback is None:
        return None
    if _UNSUPPORTED.search(rx.pattern):
        return fallback
    exact = _re2_compile(("(?m)" if rx.flags & re.MULTILINE else "") + rx.pattern)
    return Exact(exact, fallback) if exact is not None else fallback


class SliceFilter:
    """Where in a text a pattern can match any slice of it: RE2 over the whole text, once, instead of
    ``re`` over every slice. A slice with no candidate start can hold no match of the pattern."""

    __slots__ = ("candidates", "wild")

    def __init__(self, candidates: Any, wild: Any) -> None:
        self.candidates = candidates
        self.wild = wild

    @classmethod
    def build(cls, rx: re.Pattern[str]) -> SliceFilter | None:
        pair = _candidate_pair(rx, drop_anchors=True)
        return None if pair is None else cls(*pair)

    def starts(self, data: bytes, wild: bool = False) -> list[int]:
        """Every position of the shadow ``data`` where a match of the pattern can start."""
        return list(_starts(self.wild if wild else self.candidates, data))


class PatternSet:
    """Which of many patterns can match a text, from one RE2 pass (RE2::Set of their supersets).

    A pattern not in :meth:`possible` has no match in the text, so its own scan can be skipped.
    """

    __slots__ = ("plain", "wild")

    def __init__(self, plain: Any, wild: Any) -> None:
        self.plain = plain
        self.wild = wild

    @classmethod
    def build(cls, patterns: list[re.Pattern[str]]) -> PatternSet | None:
        if _re2 is None or not patterns:
            return None
        sets = []
        for wild in (False, True):
            opts = _re2_pkg.Options()
            opts.log_errors = False
            rx_set = _re2.Set(_UNANCHORED, opts)
            for rx in patterns:
                try:
                    wide = superset(rx.pattern, rx.flags, wild=wild)
                except (ValueError, re.error):
                    return None
                if rx_set.Add(wide.encode("utf-8")) < 0:
                    return None
            if not rx_set.Compile():
                return None
            sets.append(rx_set)
        return cls(*sets)

    def possible(self, data: bytes, wild: bool = False) -> set[int]:
        """Indices of the patterns that may match the shadow ``data``."""
        return set((self.wild if wild else self.plain).Match(data))


_MIN_CHARS = 256  # on shorter strings (a matched phrase, one line) re alone is faster


class FastPattern:
    """A compiled ``re`` pattern whose whole-text ``search`` and ``finditer`` go through its :class:`Hybrid`.

    Everything else (``match``, ``fullmatch``, windowed searches, ``groupindex``...) is the
    pattern's own. Calls on the same text reuse its shadow (one-entry cache).
    """

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.match = rx.match
        self.fullmatch = rx.fullmatch
        self.pattern = rx.pattern
        self.flags = rx.flags
        self.groupindex = rx.groupindex
        self.groups = rx.groups

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rx, name)

    @cached_property
    def _hybrid(self) -> Hybrid | None:
        """Built on the first whole-text search: most patterns never need one. None for a pattern that can
        match the empty string (Hybrid skips empty matches; re yields them)."""
        return hybrid(self.rx) if _min_width(self.rx) > 0 else None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if endpos is None and len(text) >= _MIN_CHARS and self._hybrid is not None:
            data, wild = _shadow_cached(text)
            return self._hybrid.search(text, data, wild, pos)
        return self.rx.search(text, pos) if endpos is None else self.rx.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        if pos == 0 and endpos is None and len(text) >= _MIN_CHARS and self._hybrid is not None:
            data, wild = _shadow_cached(text)
            return self._hybrid.finditer(text, data, wild)
        return self.rx.finditer(text, pos) if endpos is None else self.rx.finditer(text, pos, endpos)


def _min_width(rx: re.Pattern[str]) -> int:
    """The fewest characters a match of ``rx`` can span (0 when unknown)."""
    try:
        return int(_parse(rx.pattern, rx.flags).getwidth()[0])
    except Exception:  # a private module: any surprise means "could be empty"
        return 0


_LAST: tuple[str | None, tuple[bytes, bool]] = (None, (b"", False))


def _shadow_cached(text: str) -> tuple[bytes, bool]:
    """:func:`shadow` of ``text``, remembering the last answer (one text is searched many times)."""
    global _LAST
    last = _LAST  # one read: another thread may replace the pair, never half of it
    if last[0] is text:
        return last[1]
    sh = shadow(text)
    _LAST = (text, sh)
    return sh
