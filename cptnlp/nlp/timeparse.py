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
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression the note documents as time of this session."""

    kind: str  # "range" | "duration"
    minutes: int
    start: int
    end: int
    category: str  # session | psychotherapy | em | crisis | total
    clock: tuple[int, int] | None = None  # minutes after midnight, start and end (end may exceed 1440)

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
        return d


def _suffix_groups(pattern: str, suffix: str) -> str:
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}{suffix}>", pattern)


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
        )
        dur = validate_fields(
            path,
            data.get("duration"),
            "[duration]",
            required={"minute_units": str, "hour_units": str, "hhmm_labels": str, "number_words": dict, "fixed": dict},
            optional={"not_after": str},
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
        )
        self.source = str(data.get("source", ""))
        try:
            self._compile(clock, dur, cues)
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression: {exc}") from None

    def _compile(self, clock: dict[str, Any], dur: dict[str, Any], cues: dict[str, Any]) -> None:
        t, sep = clock["time"], clock["range_sep"]
        t1, t2 = _suffix_groups(t, "_1"), _suffix_groups(t, "_2")
        b1 = _suffix_groups(clock["bare_hour"], "_1")
        b2 = _suffix_groups(clock["bare_hour"], "_2")
        m1, m2 = _suffix_groups(clock["military"], "_1"), _suffix_groups(clock["military"], "_2")
        flags = re.IGNORECASE
        # 10:02am-10:55am, 10:02–10:55, 3-4:30pm, from 9 to 9:50
        self.range_re = re.compile(
            rf"(?<![\w:./])(?:(?P<from>from|between)\s+)?(?:{t1}|{b1}){sep}(?:{t2}|{b2})(?![\w:/])",
            flags,
        )
        self.military_range_re = re.compile(rf"(?<![\w:./-]){m1}{sep}{m2}(?![\w:/-])", flags)
        gap = clock["label_gap"]
        self.labelled_re = re.compile(
            rf"\b{clock['start_labels']}\s*[:=\-]?\s*(?:at\s+)?(?:{t1}|{m1})"
            rf"(?P<gap>[^\n]{{0,{gap}}}?|[^\n]{{0,{gap}}}?\n[^\n]{{0,{gap}}}?)"
            rf"\b{clock['end_labels']}\s*[:=\-]?\s*(?:at\s+)?(?:{t2}|{m2})(?![\w:])",
            flags,
        )
        words = {k.lower(): int(v) for k, v in dur["number_words"].items()}
        self.number_words = words
        tens = [w for w, v in words.items() if v >= 20 and v % 10 == 0]
        ones = [w for w, v in words.items() if 1 <= v <= 9 and w not in ("a", "an")]
        word_alt = "|".join(sorted((w for w in words if w not in ("a", "an")), key=len, reverse=True))
        compound = rf"(?:{'|'.join(tens)})[\s-](?:{'|'.join(ones)})"
        num = rf"(?:\d+(?:\.\d+)?|{compound}|{word_alt})"
        mu, hu = dur["minute_units"], dur["hour_units"]
        self.hm_re = re.compile(
            rf"(?<![\w.])(?P<h>{num}|an?)\s*-?\s*{hu}\s*(?:,\s*|and\s+|&\s*)?(?P<m>{num})\s*-?\s*{mu}",
            flags,
        )
        self.min_re = re.compile(rf"(?<![\w.:/-])(?P<n>{num})\s*-?\s*{mu}", flags)
        self.hour_re = re.compile(
            rf"(?<![\w.:/-])(?P<h>{num}|one\s+and\s+a\s+half|an?)\s*-?\s*{hu}(?!\s*(?:and\s+|,\s*)?(?:a\s+half|\d))",
            flags,
        )
        self.not_after_re = re.compile(dur["not_after"], flags) if dur.get("not_after") else None
        fixed = sorted(dur["fixed"].items(), key=lambda kv: len(kv[0]), reverse=True)
        self.fixed = {k.lower(): int(v) for k, v in fixed}
        self.fixed_re = re.compile(r"\b(?:" + "|".join(re.escape(k) for k, _ in fixed) + r")\b", flags)
        self.hhmm_re = re.compile(
            rf"\b{dur['hhmm_labels']}\s*[:=\-]?\s*(?P<h>\d{{1,2}}):(?P<m>[0-5]\d)(?!\s*(?:[ap]\.?m|-|–|to\b))(?![\d:])",
            flags,
        )
        cue_cat: dict[str, str] = {}
        for cat in ("session", "total", "psychotherapy", "em", "crisis", "negative"):
            for phrase in cues[cat]:
                if not isinstance(phrase, str) or not phrase.strip():
                    raise DataFileError(_FILE, f"cue {phrase!r} must be a non-empty string", row=f"[cues].{cat}")
                cue_cat[re.sub(r"\s+", " ", phrase.lower().strip())] = cat
        self.cue_cat = cue_cat
        alts = sorted(cue_cat, key=len, reverse=True)
        self.cue_re = re.compile(
            r"(?<![\w/])(?:" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts) + r")(?![\w])",
            flags,
        )
        self.clause_re = re.compile(cues["clause_breaks"], flags)

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


def _clock(m: re.Match[str], side: str) -> tuple[int, int, str | None] | None:
    """(hour, minute, am/pm) of one side of a range match."""
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
    return None


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
    """Cue and clause positions of one text, found once."""

    def __init__(self, text: str, rules: TimeRules) -> None:
        self.cues: list[tuple[int, int, str]] = []
        for m in rules.cue_re.finditer(text):
            key = re.sub(r"\s+", " ", m.group(0).lower())
            self.cues.append((m.start(), m.end(), rules.cue_cat.get(key, "session")))
        self.cue_starts = [c[0] for c in self.cues]
        self.breaks = [m.start() for m in rules.clause_re.finditer(text)]
        self.text = text

    def clause(self, start: int, end: int) -> tuple[int, int]:
        while end > start + 1 and self.text[end - 1] == ".":
            end -= 1  # "3:05-3:55 P.M." ends the sentence; the next sentence is not this clause
        i = bisect.bisect_right(self.breaks, start - 1)
        lo = self.breaks[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(self.breaks, end)
        hi = self.breaks[j] if j < len(self.breaks) else len(self.text)
        return lo, hi

    def cues_in(self, lo: int, hi: int, exclude: tuple[int, int]) -> list[tuple[int, int, str]]:
        i = bisect.bisect_left(self.cue_starts, lo)
        out = []
        while i < len(self.cues) and self.cues[i][0] < hi:
            c = self.cues[i]
            if c[1] <= hi and (c[1] <= exclude[0] or c[0] >= exclude[1]):
                out.append(c)
            i += 1
        return out


def _judge(ctx: _Context, start: int, end: int, *, labelled: bool) -> str | None:
    """Category of a time expression, or None when it is not session time."""
    lo, hi = ctx.clause(start, end)
    cues = ctx.cues_in(lo, hi, (start, end))
    best: tuple[int, int, str] | None = None  # (distance, negative-first tiebreak, category)
    category = "session"
    cat_best: tuple[int, str] | None = None
    for cs, ce, cat in cues:
        dist = start - ce if ce <= start else cs - end
        dist = max(dist, 0)
        key = (dist, 0 if cat == "negative" else 1, cat)
        if best is None or key < best:
            best = key
        if cat not in ("negative", "session") and (cat_best is None or dist < cat_best[0]):
            cat_best = (dist, cat)
    if cat_best is not None:
        category = cat_best[1]
    if labelled:
        if best is not None and best[2] == "negative" and best[0] <= 3:
            return None
        return category
    if best is None:
        return None
    if best[2] == "negative":
        return None
    return category


def find_time_mentions(text: str, rules: TimeRules | None = None, *, max_minutes: int = 480) -> list[TimeMention]:
    """Every clock range and stated duration in ``text`` that documents time of this session."""
    rules = rules or load_time_rules()
    low = text.lower()
    if _DIGIT.search(text) is None and "hour" not in low and "minute" not in low:
        return []
    ctx = _Context(text, rules)
    out: list[TimeMention] = []
    taken: list[tuple[int, int]] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    for m in rules.labelled_re.finditer(text):
        a, b = _clock(m, "_1"), _clock(m, "_2")
        if a is None or b is None:
            continue
        span = clock_span(a, b)
        if span is None or not 0 < span[1] - span[0] <= max_minutes:
            continue
        cat = _judge(ctx, m.start(), m.end(), labelled=True)
        if cat is None:
            continue
        out.append(TimeMention("range", span[1] - span[0], m.start(), m.end(), cat, span))
        taken.append((m.start(), m.end()))

    for m in rules.range_re.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        if a is None or b is None:
            continue
        bare1 = m.group("HB_1") is not None
        bare2 = m.group("HB_2") is not None
        if bare1 and bare2:
            continue  # "3-4" is a score or a count, not a clock range
        has_marker = (a[2] is not None) or (b[2] is not None) or (":" in m.group(0)) or ("." in m.group(0))
        if (bare1 or bare2) and not (m.group("from") or (b[2] is not None) or (a[2] is not None)):
            continue
        if not has_marker:
            continue
        span = clock_span(a, b)
        if span is None or not 0 < span[1] - span[0] <= max_minutes:
            continue
        cat = _judge(ctx, m.start(), m.end(), labelled=False)
        if cat is None:
            # A bare clock range on a line of its own or after a label is session time unless a cue says otherwise.
            lo, hi = ctx.clause(m.start(), m.end())
            if ctx.cues_in(lo, hi, (m.start(), m.end())):
                continue
            cat = "session"
        out.append(TimeMention("range", span[1] - span[0], m.start(), m.end(), cat, span))
        taken.append((m.start(), m.end()))

    for m in rules.military_range_re.finditer(text):
        if overlaps(m.start(), m.end()):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        span = clock_span(a, b) if a and b else None
        if span is None or not 0 < span[1] - span[0] <= max_minutes:
            continue
        cat = _judge(ctx, m.start(), m.end(), labelled=False)  # 24-hour ranges need a positive cue
        if cat is not None:
            out.append(TimeMention("range", span[1] - span[0], m.start(), m.end(), cat, span))
            taken.append((m.start(), m.end()))

    def add_duration(s: int, e: int, minutes: float) -> None:
        mins = round(minutes)
        if overlaps(s, e) or not 0 < mins <= max_minutes:
            return
        if rules.not_after_re is not None and rules.not_after_re.search(text, max(0, s - 30), s):
            return
        cat = _judge(ctx, s, e, labelled=False)
        if cat is None:
            # A duration that is the whole line ("53 min" under the header) documents the session.
            lo, hi = ctx.clause(s, e)
            if ctx.cues_in(lo, hi, (s, e)) or text[lo:s].strip(" \t-*•") or text[e:hi].strip(" \t.,;)"):
                return
            cat = "session"
        out.append(TimeMention("duration", mins, s, e, cat))
        taken.append((s, e))

    for m in rules.hhmm_re.finditer(text):
        add_duration(m.start("h"), m.end("m"), int(m.group("h")) * 60 + int(m.group("m")))
    for m in rules.hm_re.finditer(text):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        mi = rules.word_number(m.group("m"))
        if h is not None and mi is not None:
            add_duration(m.start(), m.end(), h * 60 + mi)
    for m in rules.fixed_re.finditer(text):
        add_duration(m.start(), m.end(), rules.fixed[re.sub(r"\s+", " ", m.group(0).lower())])
    for m in rules.hour_re.finditer(text):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        if h is not None:
            add_duration(m.start(), m.end(), h * 60)
    for m in rules.min_re.finditer(text):
        n = rules.word_number(m.group("n"))
        if n is not None and n != 1:
            add_duration(m.start(), m.end(), n)
    out.sort(key=lambda t: t.start)
    return out
