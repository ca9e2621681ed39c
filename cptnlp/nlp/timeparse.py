"""Session-time mentions: clock ranges and stated durations, with the cue that qualifies each."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataFileError
from ..rules import load_toml_data, validate_fields

__all__ = ["TimeMention", "TimeRules", "find_time_mentions", "load_time_rules"]

_FILE = "patterns/time.toml"


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression the note documents as time of this session."""

    kind: str  # "range" | "duration"
    minutes: int
    start: int
    end: int
    category: str  # session | psychotherapy | em | crisis | total
    clock: tuple[int, int] | None = None  # minutes after midnight, start and end (end may exceed 1440)
    # "" | "total" (stated as the total) | "block" (one block of a non-continuous session, e.g. "Part 2:")
    # | "part" (part of the visit spent on the category, e.g. "22 minutes of the visit were psychotherapy")
    qualifier: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "minutes": self.minutes,
            "start": self.start,
            "end": self.end,
            "category": self.category,
        }
        if self.clock:
            d["clock"] = list(self.clock)
        if self.qualifier:
            d["qualifier"] = self.qualifier
        return d


def _suffix_groups(pattern: str, suffix: str) -> str:
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}{suffix}>", pattern)


def _trie(phrases: list[str]) -> str:
    """One regex alternation for many literal phrases, factored by common prefix (much faster than a flat
    alternation in ``re``); spaces match any run of whitespace. Longer phrases win over their prefixes."""
    root: dict[str, Any] = {}
    for ph in phrases:
        node = root
        for ch in ph:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + emit(node[ch]))
        if not alts:
            return ""
        if end:
            return "(?:" + "|".join(alts) + ")?"
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


class TimeRules:
    """Compiled regexes and cue tables from ``patterns/time.toml``."""

    def __init__(self, data: dict[str, Any], path: str = _FILE) -> None:
        clock = validate_fields(
            path,
            data.get("clock"),
            "[clock]",
            required={
                "time": str,
                "bare_hour": str,
                "military": str,
                "range_sep": str,
                "start_labels": str,
                "end_labels": str,
                "label_gap": int,
            },
            optional={
                "aside": str,
                "log_start": str,
                "log_end": str,
                "log_gap": int,
                "word_minutes": dict,
                "word_relations": dict,
                "word_time_follow": str,
                "year_like": str,
                "label_filler": str,
                "start_label_initials": str,
                "scheduled_before": str,
                "scheduled_after": str,
                "arrival_not_after": str,
            },
        )
        dur = validate_fields(
            path,
            data.get("duration"),
            "[duration]",
            required={"minute_units": str, "hour_units": str, "hhmm_labels": str, "number_words": dict, "fixed": dict},
            optional={
                "not_after": str,
                "compact_hm": str,
                "prime": str,
                "echo": str,
                "sum_sep": str,
                "hms": str,
                "minutes_field": str,
            },
        )
        cues = validate_fields(
            path,
            data.get("cues"),
            "[cues]",
            required={
                "psychotherapy": list,
                "em": list,
                "crisis": list,
                "total": list,
                "session": list,
                "negative": list,
                "clause_breaks": str,
            },
            optional={
                "partial": list,
                "near_negative": list,
                "near_chars": int,
                "block_label": str,
                "total_marker": str,
                "session_nouns": list,
                "session_verbs": list,
                "bind_after": str,
            },
        )
        self.source = str(data.get("source", ""))
        try:
            self._compile(clock, dur, cues)
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression: {exc}") from None

    def _compile(self, clock: dict[str, Any], dur: dict[str, Any], cues: dict[str, Any]) -> None:
        flags = re.IGNORECASE
        words = {k.lower(): int(v) for k, v in dur["number_words"].items()}
        self.number_words = words
        tens = [w for w, v in words.items() if v >= 20 and v % 10 == 0]
        ones = [w for w, v in words.items() if 1 <= v <= 9 and w not in ("a", "an")]
        compound = rf"(?:{_trie(tens)})[\s-](?:{_trie(ones)})"
        word_alt = _trie([w for w in words if w not in ("a", "an")])
        num = rf"(?:\d+(?:\.\d+)?|{compound}|{word_alt})"
        self.num_re = re.compile(rf"\b{num}\b", flags)

        # -- clock times in words ("quarter past two", "three o'clock", "two forty-five", "noon")
        hour_words = [w for w, v in words.items() if 1 <= v <= 12 and w not in ("a", "an")]
        self.word_minutes = {k.lower(): int(v) for k, v in clock.get("word_minutes", {}).items()}
        self.word_relations = {k.lower(): int(v) for k, v in clock.get("word_relations", {}).items()}
        minute_words = [w for w, v in words.items() if 1 <= v <= 59 and w not in ("a", "an")]
        word_clock = (
            rf"(?:(?P<WQ>{_trie(list(self.word_minutes) + minute_words)}|\d{{1,2}})(?:\s+minutes?)?\s+"
            rf"(?P<WR>{_trie(list(self.word_relations))})\s+)?"
            rf"(?P<WH>{_trie([*hour_words, 'noon', 'midnight'])}|1[0-2]|0?[1-9])\b"
            rf"(?:\s+(?P<WO>o['’]?\s*clock)\b|[\s-]+(?P<WM>oh[\s-]?(?:{_trie(ones)})|{compound}|{word_alt})\b)?"
            rf"(?:\s*(?P<WAP>[ap])\.?\s*m\b\.?)?"
        )
        follow = clock.get("word_time_follow", "")
        aside = clock.get("aside", "")
        t, sep = clock["time"] + aside, clock["range_sep"]
        t1, t2 = _suffix_groups(t, "_1"), _suffix_groups(t, "_2")
        b1 = _suffix_groups(clock["bare_hour"], "_1")
        b2 = _suffix_groups(clock["bare_hour"], "_2")
        mil = clock["military"] + aside
        m1, m2 = _suffix_groups(mil, "_1"), _suffix_groups(mil, "_2")
        w1, w2 = _suffix_groups(word_clock, "_1"), _suffix_groups(word_clock, "_2")
        # 10:02am-10:55am, 10:02–10:55, 3-4:30pm, from 9 to 9:50
        # All patterns below but the labelled ones start at a digit or a number word: they are tried only there
        # (``re.match`` at candidate positions), which is several times faster than scanning every position.
        self.range_re = re.compile(rf"(?<![\w:./])(?:{t1}|{b1}){sep}(?:{t2}|{b2})(?![\w:/])", flags)
        self.from_before_re = re.compile(r"\b(?:from|between)\s+$", flags)
        # from half past two until quarter past three; from 11:30 to noon
        self.word_range_re = re.compile(
            rf"(?:from|between)\s+(?:{t1}|{w1})(?:{sep}|\s+and\s+)(?:{t2}|{w2}){follow}",
            flags,
        )
        self.military_range_re = re.compile(rf"(?<![\w:./-]){m1}{sep}{m2}(?![\w:/-])", flags)
        self.year_like_re = re.compile(clock["year_like"]) if clock.get("year_like") else None
        self.year_before_re = re.compile(r"\b(?:in|from|since|during|between|of|circa|until|till)\s*$", flags)
        gap = clock["label_gap"]
        filler = clock.get("label_filler") or r"\s*[:=\-]?\s*(?:at\s+)?"
        # Tried only where a word starts with one of the labels' first letters (twice as fast on long notes).
        initials = clock.get("start_label_initials", "")
        head = rf"(?=[{re.escape(initials)}])" if initials else ""
        self.labelled_re = re.compile(
            rf"{head}\b{clock['start_labels']}{filler}(?:{t1}|{m1}|{w1}{follow})"
            rf"(?P<gap>[^\n]{{0,{gap}}}?|[^\n]{{0,{gap}}}?\n[^\n]{{0,{gap}}}?)"
            rf"\b{clock['end_labels']}{filler}(?:{t2}|{m2}|{w2}{follow})(?![\w:])",
            flags,
        )
        self.scheduled_before_re = (
            re.compile(clock["scheduled_before"], flags) if clock.get("scheduled_before") else None
        )
        self.scheduled_after_re = re.compile(clock["scheduled_after"], flags) if clock.get("scheduled_after") else None
        self.arrival_not_after_re = (
            re.compile(clock["arrival_not_after"], flags) if clock.get("arrival_not_after") else None
        )
        # One clock time (for log entries): "14:06", "1406 hrs", "2:10 pm".
        self.clock_tok_re = re.compile(rf"(?<![\w:./])(?:{t1}|{m1})(?![\w:])", flags)
        self.log_gap = int(clock.get("log_gap", 1500))
        self.log_after: dict[str, re.Pattern[str]] = {}
        self.log_before: dict[str, re.Pattern[str]] = {}
        if clock.get("log_start") and clock.get("log_end"):
            actor = r"(?:(?:client|patient|pt|clt)\s+)?"
            for key in ("start", "end"):
                lab = clock[f"log_{key}"]
                self.log_after[key] = re.compile(rf"\s*[-–—:|]?\s*{actor}{lab}\b", flags)
                self.log_before[key] = re.compile(rf"\b{lab}(?:{filler}|\s*[:=\-–]?\s*(?:at\s+)?)$", flags)

        # -- durations
        mu, hu = dur["minute_units"], dur["hour_units"]
        echo = rf"(?:{dur['echo']})?" if dur.get("echo") else ""
        self.hm_re = re.compile(
            rf"(?<![\w.])(?P<h>{num}|an?){echo}\s*-?\s*{hu}\s*(?:,\s*|and\s+|&\s*)?(?P<m>{num}){echo}\s*-?\s*{mu}",
            flags,
        )
        self.min_re = re.compile(rf"(?<![\w.:/-])(?P<n>{num}){echo}\s*-?\s*{mu}", flags)
        self.hour_re = re.compile(
            rf"(?<![\w.:/-])(?P<h>{num}|one\s+and\s+a\s+half|an?){echo}\s*-?\s*{hu}(?!\s*(?:and\s+|,\s*)?(?:a\s+half|\d))",
            flags,
        )
        self.compact_re = re.compile(dur["compact_hm"], flags) if dur.get("compact_hm") else None
        self.prime_re = re.compile(dur["prime"], flags) if dur.get("prime") else None
        self.sum_re = None
        if dur.get("sum_sep"):
            term = rf"{num}(?:\s*-?\s*{mu})?"
            self.sum_re = re.compile(rf"(?<![\w.:/-])(?:{term}{dur['sum_sep']}){{1,4}}{num}\s*-?\s*{mu}", flags)
        # Where a number word may start a duration or a clock time in words.
        starters = (
            [w for w in words if w not in ("a", "an")]
            + list(self.word_minutes)
            + ["noon", "midnight", "from", "between"]
        )
        self.word_starts = frozenset(starters)
        self.an_hour_re = re.compile(rf"\ban?\s*-?\s*{hu}", flags)
        self.not_after_re = re.compile(dur["not_after"], flags) if dur.get("not_after") else None
        fixed = sorted(dur["fixed"].items(), key=lambda kv: len(kv[0]), reverse=True)
        self.fixed = {re.sub(r"\s+", " ", k.lower()): int(v) for k, v in fixed}
        self.fixed_re = re.compile(r"\b" + _trie(list(self.fixed)) + r"\b", flags)
        self.hhmm_re = re.compile(
            r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?!\s*(?:[ap]\.?m|-|–|to\b))(?![\d:])", flags
        )
        self.hhmm_label_re = re.compile(rf"\b{dur['hhmm_labels']}\s*[:=\-]?\s*$", flags)
        self.hms_re = re.compile(dur["hms"], flags) if dur.get("hms") else None
        self.minutes_field_re = re.compile(dur["minutes_field"], flags) if dur.get("minutes_field") else None

        # -- cues
        cue_cat: dict[str, str] = {}
        # "<noun> <verb>" session pairs first: a phrase listed under a category keeps that category
        groups: list[tuple[str, list[Any]]] = [
            ("session", [f"{n} {v}" for n in cues.get("session_nouns", []) for v in cues.get("session_verbs", [])])
        ]
        for cat in ("session", "total", "psychotherapy", "em", "crisis", "negative", "partial", "near_negative"):
            groups.append((cat, cues.get(cat, [])))
        for cat, phrases in groups:
            for phrase in phrases:
                if not isinstance(phrase, str) or not phrase.strip():
                    raise DataFileError(_FILE, f"cue {phrase!r} must be a non-empty string", row=f"[cues].{cat}")
                cue_cat[re.sub(r"\s+", " ", phrase.lower().strip())] = cat
        self.cue_cat = cue_cat
        self.cue_re = re.compile(r"(?<![\w/])" + _trie(list(cue_cat)) + r"(?![\w])", flags)
        self.clause_re = re.compile(cues["clause_breaks"], flags)
        self.near_chars = int(cues.get("near_chars", 12))
        self.block_label_re = re.compile(cues["block_label"], flags) if cues.get("block_label") else None
        self.total_marker_re = re.compile(cues["total_marker"], flags) if cues.get("total_marker") else None
        self.bind_after_re = re.compile(cues["bind_after"], flags) if cues.get("bind_after") else None

    # -- numbers --------------------------------------------------------------------------
    def word_number(self, s: str) -> float | None:
        s = s.lower().strip()
        try:
            return float(s)
        except ValueError:
            pass
        if s in self.number_words:
            return float(self.number_words[s])
        if s.startswith("one and a half"):
            return 1.5
        parts = re.split(r"[\s-]+", s)
        if len(parts) == 2 and all(p in self.number_words for p in parts):
            return float(self.number_words[parts[0]] + self.number_words[parts[1]])
        return None


@cache
def load_time_rules() -> TimeRules:
    path, data = load_toml_data(_FILE)
    return TimeRules(data, path)


# -- clock arithmetic ----------------------------------------------------------------------


def _clock(m: re.Match[str], side: str, rules: TimeRules | None = None) -> tuple[int, int, str | None] | None:
    """(hour, minute, am/pm) of one side of a range match (``side`` is a group suffix such as "_1")."""
    g = m.groupdict()
    if g.get(f"H{side}") is not None:
        return int(g[f"H{side}"]), int(g[f"M{side}"]), (g.get(f"AP{side}") or None)
    if g.get(f"H2{side}") is not None:
        return int(g[f"H2{side}"]), 0, g.get(f"AP2{side}")
    if g.get(f"HB{side}") is not None:
        return int(g[f"HB{side}"]), 0, None
    if g.get(f"MIL{side}") is not None:
        v = g[f"MIL{side}"]
        return int(v[:2]), int(v[2:]), None
    if g.get(f"WH{side}") is not None and rules is not None:
        return _word_clock(g, side, rules)
    return None


def _word_clock(g: dict[str, Any], side: str, rules: TimeRules) -> tuple[int, int, str | None] | None:
    """A clock time in words: "quarter past two", "three o'clock", "two forty-five", "noon"."""
    hw = g[f"WH{side}"].lower()
    q, rel, mw = g.get(f"WQ{side}"), g.get(f"WR{side}"), g.get(f"WM{side}")
    ap = g.get(f"WAP{side}")
    if hw in ("noon", "midnight"):
        if q or mw:
            return None
        return 12, 0, "p" if hw == "noon" else "a"
    if hw.isdigit() and not (q or g.get(f"WO{side}") or mw):
        return None  # a bare digit is a count, not a time, unless "quarter past 2" / "2 o'clock"
    h = int(hw) if hw.isdigit() else rules.number_words.get(hw)
    if h is None or not 1 <= h <= 12:
        return None
    mi = 0
    if mw:
        v = rules.word_number(re.sub(r"^oh[\s-]?", "", mw.lower()))
        if v is None or not 0 < v < 60:
            return None
        mi = int(v)
    if q:
        if mw:
            return None
        qv = rules.word_minutes.get(q.lower())
        if qv is None:
            v = rules.word_number(q)
            qv = int(v) if v is not None else None
        if qv is None or not 0 < qv < 60:
            return None
        if rules.word_relations.get((rel or "").lower(), 1) > 0:
            mi = qv
        else:
            h, mi = (h - 1 if h > 1 else 12), 60 - qv
    return h, mi, ap


def _abs(h: int, mi: int, ap: str | None) -> int:
    if ap:
        ap = ap.lower()
        if ap == "p" and h < 12:
            h += 12
        elif ap == "a" and h == 12:
            h = 0
    return h * 60 + mi


def clock_span(a: tuple[int, int, str | None], b: tuple[int, int, str | None]) -> tuple[int, int] | None:
    """Start and end in minutes after midnight (end may pass midnight), or None if implausible."""
    (h1, m1, ap1), (h2, m2, ap2) = a, b
    if ap1 is None and ap2 is not None and h1 <= 12:
        # "3:10 - 4:02 PM": the start takes the end's half of the day when that keeps it before the end
        ap1 = ap2 if _abs(h1, m1, ap2) <= _abs(h2, m2, ap2) else ("a" if ap2.lower() == "p" else "p")
    s = _abs(h1, m1, ap1)
    e = _abs(h2, m2, ap2)
    if ap2 is None and ap1 is not None and h2 <= 12 and e < s:
        e += 720
    if e <= s:
        if ap1 is None and ap2 is None and h2 <= 12 and e + 720 > s:
            e += 720  # 12-hour clock without am/pm: "11:40-12:35", "11:30 to 1:15"
        else:
            e += 1440  # across midnight
    return (s, e)


# -- cues ----------------------------------------------------------------------------------


class _Context:
    """Clause positions of one text, found once; cues found per clause, only where a time expression is."""

    def __init__(self, text: str, rules: TimeRules) -> None:
        self.rules = rules
        self.breaks = [m.start() for m in rules.clause_re.finditer(text)]
        self.text = text
        self._cues: dict[tuple[int, int], list[tuple[int, int, str]]] = {}

    def clause(self, start: int, end: int) -> tuple[int, int]:
        while end > start + 1 and self.text[end - 1] == ".":
            end -= 1  # "3:05-3:55 P.M." ends the sentence; the next sentence is not this clause
        i = bisect.bisect_right(self.breaks, start - 1)
        lo = self.breaks[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(self.breaks, end)
        hi = self.breaks[j] if j < len(self.breaks) else len(self.text)
        return lo, hi

    def _clause_cues(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        key = (lo, hi)
        found = self._cues.get(key)
        if found is None:
            rules = self.rules
            found = []
            for m in rules.cue_re.finditer(self.text, lo, hi):
                k = re.sub(r"\s+", " ", m.group(0).lower())
                found.append((m.start(), m.end(), rules.cue_cat.get(k, "session")))
            self._cues[key] = found
        return found

    def cues_in(self, lo: int, hi: int, exclude: tuple[int, int]) -> list[tuple[int, int, str]]:
        """Cues of the clause outside ``exclude``; a near-only negative counts only right next to it (as "negative")."""
        s, e = exclude
        near = self.rules.near_chars
        out = []
        for c in self._clause_cues(lo, hi):
            if not (c[1] <= s or c[0] >= e):
                continue
            if c[2] == "near_negative":
                if (s - c[1] if c[1] <= s else c[0] - e) > near:
                    continue
                c = (c[0], c[1], "negative")
            out.append(c)
        return out


_COMMA_COST = 8  # a comma between a cue and a time expression loosens their bond ("Of the 40-minute visit, 22 minutes were psychotherapy")


def _judge(ctx: _Context, start: int, end: int, *, labelled: bool) -> tuple[str, str] | None:
    """(category, qualifier) of a time expression, or None when it is not session time."""
    lo, hi = ctx.clause(start, end)
    cues = ctx.cues_in(lo, hi, (start, end))
    text = ctx.text
    best: tuple[int, int, str] | None = None  # (distance, negative-first tiebreak, category)
    category = "session"
    cat_best: tuple[int, str] | None = None
    bind = ctx.rules.bind_after_re
    for cs, ce, cat in cues:
        between = text[ce:start] if ce <= start else text[end:cs]
        dist = len(between) + _COMMA_COST * between.count(",")
        key = (dist, 0 if cat in ("negative", "partial") else 1, cat)
        if best is None or key < best:
            best = key
        if cat not in ("negative", "partial", "session"):
            if bind is not None and cs >= end and bind.match(between):
                dist = 0  # "16 minutes in supportive psychotherapy": the minutes are of what follows
            if cat_best is None or dist < cat_best[0]:
                cat_best = (dist, cat)
    if cat_best is not None:
        category = cat_best[1]
    qualifier = ""
    tm = ctx.rules.total_marker_re
    if tm is not None and tm.search(text, lo, start):
        qualifier = "total"
    if labelled:
        if best is not None and best[2] in ("negative", "partial") and best[0] <= 3:
            return None
        return category, qualifier
    if best is None:
        return None
    if best[2] == "partial":
        # "20 minutes of the visit on psychotherapy": part of the visit, kept only when it names what the part was
        if cat_best is not None and cat_best[1] in ("psychotherapy", "em", "crisis"):
            return category, "part"
        return None
    if best[2] == "negative":
        return None
    return category, qualifier


def _label_before(ctx: _Context, lo: int, start: int) -> str | None:
    """'block' after a block label ("Part 2:", "Contact 1:"), '' on a bare line, None after other text."""
    prefix = ctx.text[lo:start]
    if not prefix.strip(" \t-*•"):
        return ""
    bl = ctx.rules.block_label_re
    if bl is not None and bl.search(prefix):
        return "block"
    return None


_WORD = re.compile(r"[A-Za-z]{2,}")
_FIELD_SEP = re.compile(r"[ ]{2,}|\t|\s\|\s")


def _bare_range_ok(ctx: _Context, lo: int, hi: int, start: int, end: int) -> bool:
    """A clock range with no cue counts only where nothing else is said about it: alone on its line,
    after a label, or with at most a few words around it ("10:00-10:50 in office"). In running prose
    ("night shift at the warehouse (10 pm - 6 am), written up twice") the cue may sit on another line."""
    if _label_before(ctx, lo, start) is not None:
        return True
    # Header lines hold several fields apart by wide spaces, tabs or bars: the range's own field is what counts.
    seps = [m.end() for m in _FIELD_SEP.finditer(ctx.text, lo, start)]
    lo = seps[-1] if seps else lo
    nxt = _FIELD_SEP.search(ctx.text, end, hi)
    hi = nxt.start() if nxt else hi
    return len(_WORD.findall(ctx.text, lo, start)) + len(_WORD.findall(ctx.text, end, hi)) <= 3


_DIGIT_RUN = re.compile(r"[0-9]+")
_NOT_WORD = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~–—’‘“”•"})
# Words a minutes field may start with (where ``minutes_field`` is tried): "Contact Duration (min)", "Minutes:".
_FIELD_STARTS = frozenset(
    [
        "duration",
        "length",
        "time",
        "min",
        "mins",
        "minutes",
        "minute",
        "total",
        "session",
        "therapy",
        "psychotherapy",
        "face",
        "f2f",
        "service",
        "svc",
        "contact",
        "visit",
        "crisis",
        "billable",
        "timed",
    ]
)
_AN_BEFORE = re.compile(r"\ban?\s*-?\s*$", re.IGNORECASE)


def _word_positions(low: str, words: frozenset[str], vocab: set[str] | None = None) -> list[int]:
    """Start offsets of the words of ``words`` that occur in ``low`` as whole words."""
    present = words.intersection(vocab if vocab is not None else low.translate(_NOT_WORD).split())
    out = []
    n = len(low)
    for w in present:
        i = low.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not low[i - 1].isalnum()) and (j >= n or not low[j].isalnum()):
                out.append(i)
            i = low.find(w, j)
    return out


def _scan(rx: re.Pattern[str], text: str, positions: list[int]) -> list[re.Match[str]]:
    """Non-overlapping matches of ``rx`` starting at one of ``positions`` (sorted), like ``finditer``."""
    out = []
    last = -1
    for p in positions:
        if p < last:
            continue
        m = rx.match(text, p)
        if m is not None:
            out.append(m)
            last = m.end() if m.end() > p else p + 1
    return out


def _after_scheduled(
    text: str,
    m: re.Match[str],
    a: tuple[int, int, str | None],
    b: tuple[int, int, str | None],
    clock_toks: list[re.Match[str]],
    rules: TimeRules,
) -> tuple[int, int, str | None]:
    """The start of a session that starts at an arrival time: the scheduled time instead when the client came early
    ("arrived at 9:48 for her 10:00 appointment ... we met until 10:50")."""
    span = clock_span(a, b)
    sb, sa = rules.scheduled_before_re, rules.scheduled_after_re
    if span is None or (sb is None and sa is None):
        return a
    lo = text.rfind("\n\n", 0, m.start()) + 1
    for t in clock_toks:
        if t.start() < lo or t.start() >= m.end():
            continue
        c = _clock(t, "_1")
        if c is None:
            continue
        marked = (sb is not None and sb.search(text, max(0, t.start() - 40), t.start())) or (
            sa is not None and sa.match(text, t.end())
        )
        if not marked:
            continue
        s2 = clock_span(c, b)
        if s2 is not None and span[0] < s2[0] < span[1] and s2[1] == span[1]:
            return c
    return a


def find_time_mentions(text: str, rules: TimeRules | None = None, *, max_minutes: int | None = None) -> list[TimeMention]:
    """Every clock range and stated duration in ``text`` that documents time of this session."""
    rules = rules or load_time_rules()
    if max_minutes is None:
        from ..rules import load_settings

        max_minutes = load_settings()["time"]["max_session_minutes"]
    low = text.lower()
    digits = [m.start() for m in _DIGIT_RUN.finditer(text)]
    vocab = set(low.translate(_NOT_WORD).split())
    words = _word_positions(low, rules.word_starts, vocab)
    if "hour" in low or "hr" in low:
        for unit in ("hour", "hr"):
            i = low.find(unit)
            while i >= 0:
                am = _AN_BEFORE.search(low, max(0, i - 5), i)
                if am is not None:
                    words.append(am.start())
                i = low.find(unit, i + 1)
    if not digits and not words:
        return []
    positions = sorted(set(digits + words))
    ctx = _Context(text, rules)
    out: list[TimeMention] = []
    taken: list[tuple[int, int]] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    def add_range(
        s: int,
        e: int,
        a: tuple[int, int, str | None] | None,
        b: tuple[int, int, str | None] | None,
        judged: tuple[str, str] | None,
    ) -> bool:
        if a is None or b is None or judged is None:
            return False
        span = clock_span(a, b)
        if span is None or not 0 < span[1] - span[0] <= max_minutes:
            return False
        out.append(TimeMention("range", span[1] - span[0], s, e, judged[0], span, judged[1]))
        taken.append((s, e))
        return True

    def fallback(s: int, e: int) -> tuple[str, str] | None:
        # A clock range with no cue, on a line of its own or after a block label ("Contact 1: 1510-1620"), is session time.
        lo, hi = ctx.clause(s, e)
        if ctx.cues_in(lo, hi, (s, e)):
            return None
        lab = _label_before(ctx, lo, s)
        return ("session", lab) if lab is not None else None

    # -- labelled start/end ("Start: 14:00 End: 14:41", "began at quarter past two, ended at three")
    clock_toks = _scan(rules.clock_tok_re, text, digits)
    if clock_toks or words:
        pos = 0
        while (m := rules.labelled_re.search(text, pos)) is not None:
            pos = m.end()
            a, b = _clock(m, "_1", rules), _clock(m, "_2", rules)
            if m.groupdict().get("ARR") and a is not None and b is not None:
                na = rules.arrival_not_after_re
                if na is not None and na.search(text, max(0, m.start() - 30), m.start()):
                    pos = m.start() + 1  # "Mother arrived at 4:15": someone else's; a later start may pair
                    continue
                a = _after_scheduled(text, m, a, b, clock_toks, rules)
            add_range(m.start(), m.end(), a, b, _judge(ctx, m.start(), m.end(), labelled=True))

    # -- log entries ("14:06 session begins" ... "14:58 session ends"), the label before or after the time
    if rules.log_after and len(clock_toks) >= 2:
        entries: dict[str, list[tuple[int, int, int, int, tuple[int, int, str | None]]]] = {"start": [], "end": []}
        for m in clock_toks:
            c = _clock(m, "_1")
            if c is None:
                continue
            for key in ("start", "end"):
                am = rules.log_after[key].match(text, m.end())
                if am is not None:
                    entries[key].append((m.start(), am.end(), m.start(), m.end(), c))
                    continue
                bm = rules.log_before[key].search(text, max(0, m.start() - 40), m.start())
                if bm is not None:
                    entries[key].append((bm.start(), m.end(), m.start(), m.end(), c))
        for s0, e0, ts0, _te0, c0 in entries["start"]:
            nxt = next(
                (en for en in entries["end"] if en[2] > ts0 and en[0] >= e0 and en[0] - e0 <= rules.log_gap), None
            )
            if nxt is None or overlaps(s0, nxt[1]):
                continue
            add_range(s0, nxt[1], c0, nxt[4], _judge(ctx, s0, nxt[1], labelled=True))

    # -- clock ranges ("10:02am-10:55am", "from 9 to 9:50")
    for m in _scan(rules.range_re, text, digits):
        s, e = m.start(), m.end()
        fm = rules.from_before_re.search(text, max(0, s - 12), s)
        if fm is not None:
            s = fm.start()
        if overlaps(s, e):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        if a is None or b is None:
            continue
        bare1 = m.group("HB_1") is not None
        bare2 = m.group("HB_2") is not None
        if bare1 and bare2:
            continue  # "3-4" is a score or a count, not a clock range
        has_marker = (a[2] is not None) or (b[2] is not None) or (":" in m.group(0)) or ("." in m.group(0))
        if (bare1 or bare2) and not (fm is not None or (b[2] is not None) or (a[2] is not None)):
            continue
        if not has_marker:
            continue
        judged = _judge(ctx, s, e, labelled=False)
        if judged is None:
            lo, hi = ctx.clause(s, e)
            if ctx.cues_in(lo, hi, (s, e)) or not _bare_range_ok(ctx, lo, hi, s, e):
                continue
            judged = ("session", "")
        add_range(s, e, a, b, judged)

    # -- clock ranges in words ("from half past two until quarter past three")
    if words:
        for m in _scan(rules.word_range_re, text, sorted(words)):
            if overlaps(m.start(), m.end()):
                continue
            g = m.groupdict()
            # "from two to three" is a count unless a cue says otherwise: a clock time in words wants minutes,
            # o'clock or am/pm on one side
            judged = _judge(ctx, m.start(), m.end(), labelled=False)
            bare = not any(
                g.get(k) for k in ("WQ_1", "WO_1", "WM_1", "WAP_1", "WQ_2", "WO_2", "WM_2", "WAP_2", "H_1", "H_2")
            )
            if bare and judged is None:
                continue  # "from ten to eleven" only next to a cue ("met with client from ten to eleven")
            a, b = _clock(m, "_1", rules), _clock(m, "_2", rules)
            add_range(m.start(), m.end(), a, b, judged or fallback(m.start(), m.end()))

    # -- 24-hour ranges ("0842-0920", "1510-1620 hrs", "2340 (11/21) to 0045 (11/22)")
    yl = rules.year_like_re
    for m in _scan(rules.military_range_re, text, digits):
        if overlaps(m.start(), m.end()):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        judged = _judge(ctx, m.start(), m.end(), labelled=False)
        if (
            yl is not None
            and yl.fullmatch(m.group("MIL_1"))
            and yl.fullmatch(m.group("MIL_2"))
            and "h" not in m.group(0).lower()
        ):
            # "2019-2020", "in therapy 2015-2018": years, unless a cue names it as session time and it is long enough
            span = clock_span(a, b) if a and b else None
            if (
                judged is None
                or span is None
                or span[1] - span[0] < 16
                or rules.year_before_re.search(text, max(0, m.start() - 12), m.start())
            ):
                continue
        add_range(m.start(), m.end(), a, b, judged or fallback(m.start(), m.end()))

    # -- stated durations
    def add_duration(s: int, e: int, minutes: float) -> None:
        mins = round(minutes)
        if overlaps(s, e) or not 0 < mins <= max_minutes:
            return
        if rules.not_after_re is not None and rules.not_after_re.search(text, max(0, s - 30), s):
            return
        judged = _judge(ctx, s, e, labelled=False)
        if judged is None:
            # A duration that is the whole line ("53 min" under the header) documents the session.
            lo, hi = ctx.clause(s, e)
            if ctx.cues_in(lo, hi, (s, e)) or text[e:hi].strip(" \t.,;)"):
                return
            lab = _label_before(ctx, lo, s)
            if lab is None:
                return
            judged = ("session", lab)
        out.append(TimeMention("duration", mins, s, e, judged[0], None, judged[1]))
        taken.append((s, e))

    if rules.minutes_field_re is not None and ("min" in low):
        # "Contact Duration (min): 60", "Minutes: 53": the label is the cue
        for m in _scan(rules.minutes_field_re, text, sorted(_word_positions(low, _FIELD_STARTS, vocab))):
            s, e = m.start(), m.end()
            n = int(m.group("n"))
            judged = _judge(ctx, m.start("n"), e, labelled=True)  # cues in the label count ("Psychotherapy minutes")
            if judged is None or overlaps(s, e) or not 0 < n <= max_minutes:
                continue
            out.append(TimeMention("duration", n, s, e, judged[0], None, judged[1]))
            taken.append((s, e))
    if rules.hms_re is not None:
        # "Call duration 00:47:12", "0:52:13" on its own line
        for m in _scan(rules.hms_re, text, digits):
            h = int(m.group("h"))
            if h > 8:
                continue
            labelled = rules.hhmm_label_re.search(text, max(0, m.start() - 40), m.start()) is not None
            if labelled or h == 0:
                add_duration(m.start(), m.end(), h * 60 + int(m.group("m")))
    for m in _scan(rules.hhmm_re, text, digits):
        if rules.hhmm_label_re.search(text, max(0, m.start() - 40), m.start()):
            h, mi = int(m.group("h")), int(m.group("m"))
            # "Duration 52:13" is minutes and seconds: no session runs 52 hours
            add_duration(m.start("h"), m.end("m"), h * 60 + mi if h < 24 else h)
    for m in _scan(rules.hm_re, text, positions):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        mi = rules.word_number(m.group("m"))
        if h is not None and mi is not None:
            add_duration(m.start(), m.end(), h * 60 + mi)
    if rules.compact_re is not None:
        for m in _scan(rules.compact_re, text, digits):
            h, mi = (m.group("h"), m.group("m")) if m.group("h") is not None else (m.group("h2"), m.group("m2"))
            add_duration(m.start(), m.end(), int(h) * 60 + int(mi))
    if rules.sum_re is not None:
        for m in _scan(rules.sum_re, text, positions):
            vals = [rules.word_number(x.group(0)) for x in rules.num_re.finditer(m.group(0))]
            if len(vals) >= 2 and all(v is not None for v in vals):
                add_duration(m.start(), m.end(), sum(v for v in vals if v is not None))
    if "hour" in low or "half" in low:
        for m in rules.fixed_re.finditer(text):
            add_duration(m.start(), m.end(), rules.fixed[re.sub(r"\s+", " ", m.group(0).lower())])
    for m in _scan(rules.hour_re, text, positions):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        if h is not None:
            add_duration(m.start(), m.end(), h * 60)
    for m in _scan(rules.min_re, text, positions):
        n = rules.word_number(m.group("n"))
        if n is not None and n != 1:
            add_duration(m.start(), m.end(), n)
    if rules.prime_re is not None:
        for m in _scan(rules.prime_re, text, digits):
            add_duration(m.start(), m.end(), int(m.group("p")))
    out.sort(key=lambda t: t.start)
    return out
