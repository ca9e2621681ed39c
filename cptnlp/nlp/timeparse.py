"""Session-time mentions: clock ranges and stated durations, with the cue that qualifies each."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataFileError
from ..rules import load_toml_data, validate_fields
from . import fastre
from .fastre import FastPattern

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
            piece = r"[\s_]+" if ch == " " else re.escape(ch)
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
                "log_after_words": str,
                "log_pause": str,
                "pause_after": str,
                "log_resume": str,
                "word_minutes": dict,
                "word_relations": dict,
                "word_time_follow": str,
                "year_like": str,
                "range_list_joiner": str,
                "label_filler": str,
                "start_label_initials": str,
                "scheduled_before": str,
                "scheduled_after": str,
                "arrival_not_after": str,
                "bare_start_cue": str,
                "pair_start": str,
                "pair_end": str,
                "table_start": str,
                "table_end": str,
                "resume_before": str,
                "pause_before": str,
            },
        )
        dur = validate_fields(
            path,
            data.get("duration"),
            "[duration]",
            required={"minute_units": str, "hour_units": str, "hhmm_labels": str, "number_words": dict, "fixed": dict},
            optional={
                "implied_minutes_follow": str,
                "hhmm_format": str,
                "ended_after": str,
                "elliptic_minutes": str,
                "not_after": str,
                "rate_after": str,
                "thing_after": str,
                "descriptor_before": str,
                "descriptor_after": str,
                "descriptor_minutes": list,
                "code_before": str,
                "unitless_field": str,
                "unitless_field_starts": list,
                "compact_hm": str,
                "prime": str,
                "echo": str,
                "sum_sep": str,
                "hms": str,
                "seconds": str,
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
                "near_place_gap": str,
                "near_session": list,
                "exclude": list,
                "session_pattern": str,
                "session_pattern_words": list,
                "exclude_chars": int,
                "additional_marker": str,
                "void_marker": str,
                "corrected_marker": str,
                "attended_marker": str,
                "copied_start": str,
                "void_words": list,
                "copied_words": list,
                "copied_end": str,
                "near_positive_chars": int,
                "third_party": str,
                "past_frame": str,
                "block_label": str,
                "total_marker": str,
                "session_nouns": list,
                "session_verbs": list,
                "bind_after": str,
                "wrap_min_line": int,
                "subject_gap": str,
                "excluded_before": str,
                "activity_time": str,
                "other_excluded": str,
                "excluded_next": str,
                "excluded_label": str,
                "technique_part": str,
                "excluded_paren": str,
                "excluded_label_apart": str,
                "section_heading": str,
                "relative_after": str,
                "call_label": str,
                "group_length_before": str,
                "group_length_after": str,
            },
        )
        self.source = str(data.get("source", ""))
        try:
            self._compile(clock, dur, cues)
        except re.error as exc:
            raise DataFileError(path, f"invalid regular expression: {exc}") from None
        # Whole-text searches go through RE2 candidates (fastre.FastPattern); every match is still re's own.
        for name, value in list(vars(self).items()):
            if isinstance(value, re.Pattern):
                setattr(self, name, FastPattern(value))
        self._scan_set: tuple[fastre.PatternSet | None, list[int], set[int]] | None = None  # built on first use
        self._slice_filters: dict[int, fastre.SliceFilter | None] = {}  # by id() of the pattern, built on first use

    # The patterns find_time_mentions tries at digit or word positions (its scan()).
    _SCANNED = (
        "clock_tok_re", "range_re", "word_range_re", "military_range_re", "minutes_field_re", "unitless_re",
        "hms_re", "hhmm_re", "hm_re", "implied_hm_re", "compact_re", "sum_re", "hour_re", "min_re",
        "elliptic_re", "prime_re", "seconds_re",
    )  # fmt: skip
    def scannable(self, text: str) -> set[int]:
        """``id()`` of the scanned patterns that may match somewhere in ``text``, from one RE2 pass over all of
        them; a pattern RE2 cannot stand in for is always included. (Adding the window-searched patterns to this
        pass was measured: its DFA then outgrows its budget on varied notes, and the pass costs 1.5-4 ms.)"""
        if self._scan_set is None:
            pats = [p for n in self._SCANNED if isinstance(p := getattr(self, n, None), FastPattern)]
            ok = [p for p in pats if fastre.PatternSet.build([p.rx]) is not None]
            always = {id(p) for p in pats if all(p is not q for q in ok)}
            self._scan_set = (fastre.PatternSet.build([p.rx for p in ok]), [id(p) for p in ok], always)
        pset, ids, always = self._scan_set
        if pset is None:
            return always | set(ids)
        data, wild = fastre._shadow_cached(text)
        return always | {ids[k] for k in pset.possible(data, wild)}

    def slice_filter(self, rx: Any) -> fastre.SliceFilter | None:
        """The RE2 filter of where ``rx`` (one of these rules' patterns) can match a slice of a text: a windowed
        search or an anchored match is tried only where it can start. None when RE2 cannot take the pattern."""
        key = id(rx)
        if key not in self._slice_filters:
            self._slice_filters[key] = fastre.SliceFilter.build(rx.rx if isinstance(rx, FastPattern) else rx)
        return self._slice_filters[key]

    def _compile(self, clock: dict[str, Any], dur: dict[str, Any], cues: dict[str, Any]) -> None:
        flags = re.IGNORECASE

        def opt(table: dict[str, Any], key: str) -> re.Pattern[str] | None:
            """The table's optional pattern ``key``, compiled, or None when the data file leaves it out."""
            return re.compile(table[key], flags) if table.get(key) else None

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
            rf"(?:(?:a\s+)?(?P<WQ>{_trie(list(self.word_minutes) + minute_words)}|\d{{1,2}})(?:\s+minutes?)?\s+"
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
        # a colon right after the range ends a label ("Psychotherapy 10:18-10:41: CBT ..."), not before more digits
        self.range_re = re.compile(rf"(?<![\w:./])(?:{t1}|{b1}){sep}(?:{t2}|{b2})(?![\w/]|:\d)", flags)
        self.from_before_re = re.compile(r"\b(?:from|between)\s+$", flags)
        self.bare_start_cue_re = opt(clock, "bare_start_cue")
        # from half past two until quarter past three; from 11:30 to noon
        self.word_range_re = re.compile(
            rf"(?:from|between)\s+(?:{t1}|{w1})(?:{sep}|\s+and\s+)(?:{t2}|{w2}){follow}",
            flags,
        )
        self.military_range_re = re.compile(rf"(?<![\w:./-]){m1}{sep}{m2}(?![\w:/-])", flags)
        self.year_like_re = re.compile(clock["year_like"]) if clock.get("year_like") else None
        self.range_list_joiner_re = opt(clock, "range_list_joiner")
        self.year_before_re = re.compile(r"\b(?:in|from|since|during|between|of|circa|until|till)\s*$", flags)
        gap = clock["label_gap"]
        filler = clock.get("label_filler") or r"\s*[:=\-]?\s*(?:at\s+)?"
        # A bare hour as the start ("began at 10 sharp and ended at 10:50"), the end a clock time with minutes.
        bare_follow = r"(?=[^\S\n]*(?:sharp|exactly|on\s+the\s+dot)?[^\S\n]*(?:[,;&]|and\b|then\b))"
        # The end time may wrap to the next line ("session ran until\n10:55"); a start time may not (a log line under
        # "-> session began" is the next entry, not its time).
        end_filler = filler.replace(r"[^\S\n]*", r"\s*")
        # Tried only where a word starts with one of the labels' first letters (twice as fast on long notes).
        initials = clock.get("start_label_initials", "")
        head = rf"(?=[{re.escape(initials)}])" if initials else ""
        self.labelled_re = re.compile(
            rf"{head}(?<![^\W_]){clock['start_labels']}{filler}(?:{t1}|{m1}|{b1}{bare_follow}|{w1}{follow})"
            rf"(?P<gap>[^\n]{{0,{gap}}}?|[^\n]{{0,{gap}}}?\n[^\n]{{0,{gap}}}?)"
            rf"(?<![^\W_]){clock['end_labels']}{end_filler}(?:{t2}|{m2}|{w2}{follow})(?![\w:])",
            flags,
        )
        self.scheduled_before_re = (
            opt(clock, "scheduled_before")
        )
        self.scheduled_after_re = opt(clock, "scheduled_after")
        self.resume_before_re = opt(clock, "resume_before")
        self.arrival_not_after_re = (
            opt(clock, "arrival_not_after")
        )
        # "S/T: 09:00/09:52", "| Start / End | 13:30 / 14:24 |": one label for both ends, the times apart by a slash
        self.pair_re = self.pair_gate_re = None
        if clock.get("pair_start") and clock.get("pair_end"):
            sep_ = r"[^\S\n]*(?:\|[^\S\n]*)?(?:(?:\.{2,}|…+)[^\S\n]*)?(?:[:=\-][^\S\n]*)?(?:\|[^\S\n]*)?"
            self.pair_re = re.compile(
                rf"\b{clock['pair_start']}\s*/\s*{clock['pair_end']}{sep_}(?:{t1}|{m1})\s*/\s*(?:{t2}|{m2})(?![\w:])",
                flags,
            )
            self.pair_gate_re = re.compile(rf"/\s*{clock['pair_end']}\b", flags)
        # Table header cells naming the start and end columns ("START|END|MIN", "Code<tab>From<tab>To<tab>Minutes").
        self.table_start_re = opt(clock, "table_start")
        self.table_end_re = opt(clock, "table_end")
        # One clock time (for log entries): "14:06", "1406 hrs", "2:10 pm".
        self.clock_tok_re = re.compile(rf"(?<![\w:./])(?:{t1}|{m1})(?![\w:])", flags)
        self.log_gap = int(clock.get("log_gap", 1500))
        self.log_resume_re = opt(clock, "log_resume")
        self.log_after: dict[str, re.Pattern[str]] = {}
        self.log_before: dict[str, re.Pattern[str]] = {}
        if clock.get("log_start") and clock.get("log_end"):
            actor = r"(?:(?:client|patient|pt|clt)\s+)?"
            for key in ("start", "end", "pause"):
                lab = clock.get(f"log_{key}")
                if not lab:
                    continue
                # "At 10:31 her phone rang": a few words may stand between the time and an end label after it
                words_ = clock.get("log_after_words", "") if key != "start" else ""
                self.log_after[key] = re.compile(rf"\s*[-–—:|]?\s*{words_}{actor}{lab}\b", flags)
                # "Reconnected by video from client's phone hotspot at 6:26 PM": a few words, then "at"
                words_before = r"|[^\n.;:]{0,50}?\s(?:at|@)\s*" if key != "end" else ""
                self.log_before[key] = re.compile(
                    rf"(?<![^\W_]){lab}(?:{filler}|[^\S\n]*[:=\-–]?[^\S\n]*(?:at\s+)?{words_before})$", flags
                )

        # -- durations
        mu, hu = dur["minute_units"], dur["hour_units"]
        echo = rf"(?:{dur['echo']})?" if dur.get("echo") else ""
        self.hm_re = re.compile(
            rf"(?<![\w.])(?P<h>{num}|an?){echo}\s*-?\s*{hu}\s*(?:,\s*|and\s+|&\s*)?(?P<m>{num}){echo}\s*-?\s*{mu}",
            flags,
        )
        # "x28min" (shorthand "for 28 min") as well as "28 min"
        self.min_re = re.compile(rf"(?:(?<![\w.:/\-–—])|(?<=\bx))(?P<n>{num}){echo}\s*-?\s*{mu}", flags)
        self.hour_re = re.compile(
            rf"(?<![\w.:/\-–—])(?P<h>{num}|one\s+and\s+a\s+half|an?){echo}\s*-?\s*{hu}(?!\s*(?:and\s+|,\s*)?(?:a\s+half|\d))",
            flags,
        )
        # "an hour and ten", "1 hr 15": the minute unit left out
        self.implied_hm_re = None
        if dur.get("implied_minutes_follow"):
            self.implied_hm_re = re.compile(
                rf"(?<![\w.])(?P<h>{num}|an?)\s*-?\s*{hu}\s*(?:,\s*|and\s+|&\s*)?(?P<m>{num})\b(?!\s*-?\s*{mu})"
                + dur["implied_minutes_follow"],
                flags,
            )
        self.compact_re = opt(dur, "compact_hm")
        self.prime_re = opt(dur, "prime")
        self.sum_re = None
        if dur.get("sum_sep"):
            term = rf"{num}(?:\s*-?\s*{mu})?"
            self.sum_re = re.compile(rf"(?<![\w.:/\-–—])(?:{term}{dur['sum_sep']}){{1,4}}{num}\s*-?\s*{mu}", flags)
        # Where a number word may start a duration or a clock time in words.
        starters = (
            [w for w in words if w not in ("a", "an")]
            + list(self.word_minutes)
            + ["noon", "midnight", "from", "between"]
        )
        self.word_starts = frozenset(starters)
        self.an_hour_re = re.compile(rf"\ban?\s*-?\s*{hu}", flags)
        self.not_after_re = opt(dur, "not_after")
        self.ended_after_re = opt(dur, "ended_after")
        self.elliptic_re = opt(dur, "elliptic_minutes")
        self.rate_after_re = opt(dur, "rate_after")
        # "a 12-minute audio", "a 2-minute self-introduction on video": the length of a thing, not of the session
        self.thing_after_re = opt(dur, "thing_after")
        self.descriptor_before_re = (
            opt(dur, "descriptor_before")
        )
        self.descriptor_after_re = opt(dur, "descriptor_after")
        self.descriptor_minutes = frozenset(int(v) for v in dur.get("descriptor_minutes") or ())
        self.code_before_re = opt(dur, "code_before")
        fixed = sorted(dur["fixed"].items(), key=lambda kv: len(kv[0]), reverse=True)
        self.fixed = {re.sub(r"\s+", " ", k.lower()): int(v) for k, v in fixed}
        self.fixed_re = re.compile(r"\b" + _trie(list(self.fixed)) + r"\b", flags)
        self.hhmm_re = re.compile(
            r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?!\s*(?:[ap]\.?m|-|–|to\b))(?![\d:])", flags
        )
        self.hhmm_label_re = re.compile(
            rf"\b{dur['hhmm_labels']}{dur.get('hhmm_format', '')}\s*(?:\.{{2,}}|…+)?\s*[:=\-]?\s*$", flags
        )
        self.hms_re = opt(dur, "hms")
        self.seconds_re = opt(dur, "seconds")
        self.minutes_field_re = opt(dur, "minutes_field")
        self.unitless_re = opt(dur, "unitless_field")
        self.unitless_starts = frozenset(w.lower() for w in dur.get("unitless_field_starts", []))

        # -- cues
        cue_cat: dict[str, str] = {}
        # "<noun> <verb>" session pairs first: a phrase listed under a category keeps that category
        groups: list[tuple[str, list[Any]]] = [
            ("session", [f"{n} {v}" for n in cues.get("session_nouns", []) for v in cues.get("session_verbs", [])])
        ]
        for cat in (
            "session",
            "total",
            "psychotherapy",
            "em",
            "crisis",
            "negative",
            "partial",
            "near_negative",
            "near_session",
            "exclude",
        ):
            groups.append((cat, cues.get(cat, [])))
        for cat, phrases in groups:
            for phrase in phrases:
                if not isinstance(phrase, str) or not phrase.strip():
                    raise DataFileError(_FILE, f"cue {phrase!r} must be a non-empty string", row=f"[cues].{cat}")
                cue_cat[re.sub(r"\s+", " ", phrase.lower().strip())] = cat
        self.cue_cat = cue_cat
        # not inside a hyphenated word ("late-start Thursday", "walk-in"): those are listed whole where they are cues
        # an underscore joins words ("scheduled_slot", "video_start")
        self.cue_re = re.compile(r"(?<![^\W_])(?<![/-])" + _trie(list(cue_cat)) + r"(?![^\W_])", flags)
        self.clause_re = re.compile(cues["clause_breaks"], flags)
        self.near_chars = int(cues.get("near_chars", 12))
        # Between a time and a near-only negative after it: a place, not an identifier ("45 minutes in room 3B").
        self.near_place_gap_re = opt(cues, "near_place_gap")
        self.wrap_min_line = int(cues.get("wrap_min_line", 0))
        self.near_positive_chars = int(cues.get("near_positive_chars", 3))
        self.third_party_re = opt(cues, "third_party")
        self.past_frame_re = opt(cues, "past_frame")
        self.exclude_chars = int(cues.get("exclude_chars", 40))
        self.session_pattern_re = opt(cues, "session_pattern")
        self.session_pattern_words = tuple(w.lower() for w in cues.get("session_pattern_words", []))
        self.additional_re = opt(cues, "additional_marker")
        self.block_label_re = opt(cues, "block_label")
        # Range qualifiers that change which ranges count (checks/timing.py): "void" (times said to be wrong),
        # "corrected" (the amended times), "attended" (the client's own part of a group or family session).
        self.copied_start_re = opt(cues, "copied_start")
        # the void and copied markers are looked for only in notes with one of these words
        self.void_words = tuple(w.lower() for w in cues.get("void_words", []))
        self.copied_words = tuple(w.lower() for w in cues.get("copied_words", []))
        self.copied_end_re = opt(cues, "copied_end")
        self.range_marks = tuple(
            (q, re.compile(cues[k], flags))
            for q, k in (("corrected", "corrected_marker"), ("void", "void_marker"), ("attended", "attended_marker"))
            if cues.get(k)
        )
        self.total_marker_re = opt(cues, "total_marker")
        self.bind_after_re = opt(cues, "bind_after")
        # A psychotherapy or E/M cue right after an exclusion word names the other part ("Psychotherapy time
        # (excluding med mgmt): 18 minutes"); "time" after a duration and "of <activity>" is that activity's time.
        self.excluded_before_re = opt(cues, "excluded_before")
        self.activity_time_re = opt(cues, "activity_time")
        # An exclusion right after another part's cue is of that part ("18 min (E/M time not included)"); a next
        # clause that points back and excludes ("; that call is not included") voids the time before it.
        self.other_excluded_re = opt(cues, "other_excluded")
        self.excluded_next_re = opt(cues, "excluded_next")
        # A field label that excludes its value ("Coordination (not billed): call with PCP 10:15-10:25 AM").
        self.excluded_label_re = opt(cues, "excluded_label")
        self.technique_part_re = opt(cues, "technique_part")
        self.excluded_label_apart_re = opt(cues, "excluded_label_apart")
        self.section_heading_re = opt(cues, "section_heading")
        self.excluded_paren_re = opt(cues, "excluded_paren")
        # Negative cues that are also session verbs ("lasted", "ran"): about the session when a session cue is their
        # subject ("Session began at 3:15 PM and lasted 45 minutes", "Psychotherapy portion ran from 11:20 to 11:58").
        verbs = {re.sub(r"\s+", " ", v.lower().strip()) for v in cues.get("session_verbs", [])}
        self.verb_negatives = frozenset(k for k, c in cue_cat.items() if c == "negative" and k in verbs)
        self.subject_gap_re = opt(cues, "subject_gap")
        self.start_word_re = re.compile(rf"\b{clock['start_labels']}", flags)
        self.pause_word_re = re.compile(rf"\b{clock['log_pause']}", flags) if clock.get("log_pause") else None
        # A clock range that its line says was an interruption ("2:22 PM - 2:31 PM  connection lost") is a pause.
        self.pause_after_re = opt(clock, "pause_after")
        # ... and one whose label before it says so ("(Session paused 2:25-2:40 when ...)").
        self.pause_before_re = opt(clock, "pause_before")
        # A relative clause between a cue and a duration ("the med management, which took about 20 minutes") binds
        # the minutes to the cue; a line labelled "Call" with the duration right after is the call's length.
        self.relative_after_re = opt(cues, "relative_after")
        self.call_label_re = opt(cues, "call_label")
        # "This was a 60-minute DBT skills group": the length of the group that this note documents.
        gb, ga = cues.get("group_length_before"), cues.get("group_length_after")
        self.group_length_before_re = re.compile(gb, flags) if gb and ga else None
        self.group_length_after_re = re.compile(ga, flags) if gb and ga else None

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
    names = m.re.groupindex  # a few groups looked up by name: the patterns have dozens (no groupdict())

    def g(name: str) -> str | None:
        return m.group(name) if name in names else None

    if (h := g(f"H{side}")) is not None:
        return int(h), int(m.group(f"M{side}")), (g(f"AP{side}") or None)
    if (h := g(f"HH{side}")) is not None:
        return int(h), 0, None
    if (h := g(f"H2{side}")) is not None:
        return int(h), 0, g(f"AP2{side}")
    if (h := g(f"HB{side}")) is not None:
        return int(h), 0, None
    if (v := g(f"MIL{side}")) is not None:
        return int(v[:2]), int(v[2:]), None
    if g(f"WH{side}") is not None and rules is not None:
        return _word_clock(m.groupdict(), side, rules)
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


_FLIP = {"em": "psychotherapy", "psychotherapy": "em"}


class _Context:
    """Clause positions of one text, found once (as far into the text as a clause was asked for); cues found per
    clause, only where a time expression is."""

    def __init__(self, text: str, rules: TimeRules, low: str | None = None) -> None:
        self.rules = rules
        # Clause breaks, read from the text only as far as a clause asked for reaches (_breaks_to).
        self.breaks: list[int] = []
        self._more: Iterator[re.Match[str]] | None = rules.clause_re.finditer(text)
        self.text = text
        self._cues: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self._starts: dict[int, list[int] | None] = {}
        low = text.lower() if low is None else low
        self.use_marks = bool(rules.range_marks)
        has = low.__contains__
        self.use_void = not rules.void_words or any(map(has, rules.void_words))
        self.use_copied = rules.copied_start_re is not None and any(map(has, rules.copied_words or ("",)))
        words = rules.session_pattern_words
        self.use_pattern = rules.session_pattern_re is not None and (not words or any(map(has, words)))

    def starts(self, rx: Any) -> list[int] | None:
        """Every position of the text where a match of ``rx`` can start (RE2, once per text and pattern), or None
        when RE2 cannot tell."""
        key = id(rx)
        if key not in self._starts:
            f = self.rules.slice_filter(rx)
            self._starts[key] = None if f is None else f.starts(*fastre._shadow_cached(self.text))
        return self._starts[key]

    def may_match(self, rx: Any, lo: int, hi: int) -> bool:
        """False only when no match of ``rx`` can start in ``[lo, hi]``: ``rx.search(text, lo, hi)`` is then None."""
        st = self.starts(rx)
        if st is None:
            return True
        i = bisect.bisect_left(st, lo)
        return i < len(st) and st[i] <= hi

    def _breaks_to(self, pos: int) -> list[int]:
        """The clause breaks, read on until one is at or after ``pos`` (or all of them): a line break that only
        wraps running prose (_wrapped) is none."""
        breaks = self.breaks
        if self._more is None or (breaks and breaks[-1] >= pos):
            return breaks
        text, wrap = self.text, self.rules.wrap_min_line
        for m in self._more:
            b = m.start()
            if wrap and text[b] == "\n" and _wrapped(text, b, wrap):
                continue
            breaks.append(b)
            if b >= pos:
                return breaks
        self._more = None
        return breaks

    def clause(self, start: int, end: int) -> tuple[int, int]:
        while end > start + 1 and self.text[end - 1] == ".":
            end -= 1  # "3:05-3:55 P.M." ends the sentence; the next sentence is not this clause
        breaks = self._breaks_to(end)
        i = bisect.bisect_right(breaks, start - 1)
        lo = breaks[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(breaks, end)
        hi = breaks[j] if j < len(breaks) else len(self.text)
        return lo, hi

    def _clause_cues(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        key = (lo, hi)
        found = self._cues.get(key)
        if found is None:
            rules = self.rules
            found = []
            ex = rules.excluded_before_re
            flipped_end = -1
            for m in rules.cue_re.finditer(self.text, lo, hi):
                k = re.sub(r"[\s_]+", " ", m.group(0).lower())
                cat = rules.cue_cat.get(k, "session")
                if cat in _FLIP and ex is not None and ex.search(self.text, max(lo, m.start() - 40), m.start()):
                    cat = _FLIP[cat]  # "(excluding med mgmt)": the time is of the other part
                    flipped_end = m.end()
                elif (
                    cat in ("total", "session") and flipped_end >= 0 and not self.text[flipped_end : m.start()].strip()
                ):
                    continue  # "following the E/M visit": the excluded part's own noun is no label of the time
                found.append((m.start(), m.end(), cat))
            if self.use_pattern and rules.session_pattern_re is not None:
                extra = [(m.start(), m.end(), "session") for m in rules.session_pattern_re.finditer(self.text, lo, hi)]
                if extra:
                    found = sorted(found + extra)
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
                gap = self.text[c[1] : s] if c[1] <= s else self.text[e : c[0]]
                if c[1] <= s and any(ch.isdigit() for ch in gap):
                    continue  # "crisis room 3 from 10:40": the room has its own number
                if _field_gap(gap) or (c[1] <= s and ")" in gap):
                    continue  # "Stop: 2:52 PM   Room 3B": another field; "(mother out of room): 16:20": a comment
                place = self.rules.near_place_gap_re
                if c[0] >= e and place is not None and place.fullmatch(gap):
                    continue  # "met for 45 minutes in room 3B": where the session was, not an identifier
                c = (c[0], c[1], "negative")
            elif c[2] == "near_session":
                gap = self.text[c[1] : s] if c[1] <= s else self.text[e : c[0]]
                if len(gap) > self.rules.near_positive_chars or "(" in gap:
                    continue  # "Grp 1800-1930", not "skills group (6:00-8:00 PM)"
                c = (c[0], c[1], "session")
            out.append(c)
        return out


def _listed_after(out: list[TimeMention], text: str, s: int, rules: TimeRules) -> tuple[str, str] | None:
    """The judgement of the session range right before ``s`` when this range continues its list ("Session time:
    10:00-10:20, then 10:35-11:05"), else None."""
    jr = rules.range_list_joiner_re
    prev = max((t for t in out if t.kind == "range" and t.end <= s), key=lambda t: t.end, default=None)
    if jr is None or prev is None or prev.qualifier == "void" or jr.fullmatch(text, prev.end, s) is None:
        return None
    return prev.category, prev.qualifier


def _field_gap(gap: str) -> bool:
    """Whether ``gap`` crosses into another field of a header line (a run of spaces, a tab or a bar)."""
    return "  " in gap or "\t" in gap or "|" in gap


_COMMA_COST = 8  # a comma between a cue and a time expression loosens their bond ("Of the 40-minute visit, 22 minutes were psychotherapy")


def _judge(
    ctx: _Context, start: int, end: int, *, labelled: bool, bounds: tuple[int, int] | None = None
) -> tuple[str, str] | None:
    """(category, qualifier) of a time expression, or None when it is not session time. ``bounds``: the stretch
    of text whose cues count (default: the clause)."""
    lo, hi = bounds or ctx.clause(start, end)
    cues = ctx.cues_in(lo, hi, (start, end))
    text = ctx.text
    if ctx.rules.subject_gap_re is not None and cues:
        cues = _session_verbs(ctx, lo, cues)
    rules = ctx.rules
    if not labelled and rules.past_frame_re is not None and rules.past_frame_re.match(text, lo):
        return None  # "Last week we met for 55 minutes"
    if cues and (rules.third_party_re is not None):
        cues = _others_cues(ctx, lo, cues)
    reach = ctx.rules.exclude_chars
    other = rules.other_excluded_re
    for cs, ce, cat in cues:
        if cat == "exclude" and (start - ce if ce <= start else cs - end) <= reach:
            if other is not None and cs >= end and other.search(text, max(end, cs - 40), cs):
                continue  # "18 min (E/M time not included)": the exclusion is of the other part
            aside = _other_part_aside(ctx, cues, cs, ce, start, lo) if ce <= start and other is not None else None
            if aside is not None:
                # "Session time (E/M not counted): 9:10-9:52": the aside excludes the other part; its cues are dropped
                cues = [c for c in cues if not (aside[0] <= c[0] and c[1] <= aside[1])]
                break
            if cs >= end and _field_gap(text[end:cs]):
                continue  # "Face-to-face time: 38 min     Documentation time: 12 min (not billed)": another field's
            return None  # "(not billed)", "appointment type: 60-min": whatever else the clause says
    nxt = rules.excluded_next_re
    if nxt is not None and nxt.match(text, hi, min(len(text), hi + 80)):
        return None  # "(2:10-2:35 PM); that call is not included in the session time"
    if _excluded_by_parenthesis(ctx, end) or _excluded_by_label(ctx, start):
        return None
    best: tuple[int, int, str] | None = None  # (distance, negative-first tiebreak, category)
    category = "session"
    cat_best: tuple[int, str] | None = None
    bind = ctx.rules.bind_after_re
    act = ctx.rules.activity_time_re
    for cs, ce, cat in cues:
        between = text[ce:start] if ce <= start else text[end:cs]
        dist = len(between) + _COMMA_COST * (between.count(",") + between.count("(") + between.count(")"))
        if ce <= start and between.strip() in (":", "="):
            dist = 0  # "Session time: 9:15-9:45 AM (pulled from 2nd period ...)": the label names the value
        if cat == "exclude":
            cat = "negative"
        elif cat == "session" and cs >= end and act is not None and act.match(text, end, ce):
            cat = "negative"  # "extra 15 minutes of Lego time": the minutes are of the activity
        # ties: a negative wins; a partial cue after the time loses to a cue before it ("We spent 45 minutes in session")
        tie = 0 if cat == "negative" or (cat == "partial" and ce <= start) else 2 if cat == "partial" else 1
        key = (dist, tie, cat)
        if best is None or key < best:
            best = key
        rel = ctx.rules.relative_after_re
        if ce <= start and rel is not None and cat in _FLIP and rel.fullmatch(between):
            # "the medication management, which took about 20 minutes": the minutes are of what the cue names
            dist, cat = 0, _cue_noun(ctx, cs, ce, cat)
        if cat not in ("negative", "partial", "session"):
            if bind is not None and cs >= end and bind.match(between):
                dist = 0  # "16 minutes in supportive psychotherapy": the minutes are of what follows
            if cat_best is None or dist < cat_best[0]:
                cat_best = (dist, cat)
    if cat_best is not None:
        category = cat_best[1]
    qualifier = ""
    tm, ad, tq = rules.total_marker_re, rules.additional_re, rules.technique_part_re
    if tm is not None and tm.search(text, lo, start):
        qualifier = "total"
    elif ad is not None and ad.search(text, max(lo, start - 30), start):
        qualifier = "additional"  # "then an additional 20 minutes of crisis intervention": added to the clock time
    elif tq is not None and tq.search(text, max(lo, start - 160), start):
        qualifier = "part"  # "imaginal revisiting ... for about twenty minutes": one exercise within the session
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


def _cue_noun(ctx: _Context, cs: int, ce: int, cat: str) -> str:
    """The category of what a cue names: its own, or, in a cue that sets another part apart ("separately from the
    medication management", or a cue flipped by the exclusion word before it), the part after the exclusion word."""
    rules = ctx.rules
    ex = rules.excluded_before_re
    if ex is None:
        return cat
    if ex.search(ctx.text, max(0, cs - 40), cs):
        return _FLIP[cat]  # "apart from the med management, which took": flipped to the other part, named here
    inner = None
    for m in rules.cue_re.finditer(ctx.text, cs + 1, ce):
        inner = m
    if inner is None or inner.end() != ce:
        return cat
    icat = rules.cue_cat.get(re.sub(r"[\s_]+", " ", inner.group(0).lower()))
    if icat in _FLIP and icat != cat and ex.search(ctx.text, cs, inner.start()):
        return icat
    return cat


def _call_label_judge(ctx: _Context, lo: int, hi: int, start: int, end: int) -> tuple[str, str] | None:
    """(category, "") of a duration right after a line's "Call" label ("Call 16 min (started 4:44 PM ...)"): the
    call is the session unless a cue after the label in its clause is not a session one ("Call 10 min with mother
    before session")."""
    cl = ctx.rules.call_label_re
    if cl is None or start - lo > 40 or "call" not in ctx.text[lo:start].lower() or not cl.fullmatch(ctx.text, lo, start):
        return None
    rest = [c for c in ctx.cues_in(lo, hi, (start, end)) if c[0] >= end]
    if any(c[2] not in _POSITIVE for c in rest):
        return None
    return next((c[2] for c in rest if c[2] in ("psychotherapy", "em", "crisis")), "session"), ""


def _others_cues(ctx: _Context, lo: int, cues: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The cues with those about someone else's session made negative: "her son's therapy appointment lasted",
    "Phone call with client" (a session cue right after a negative one is that one's object)."""
    text = ctx.text
    tp = ctx.rules.third_party_re
    out: list[tuple[int, int, str]] = []
    for c in cues:
        if c[2] in _POSITIVE:
            someone_else = tp is not None and tp.search(text, max(lo, c[0] - 40), c[0]) is not None
            object_of_negative = (
                bool(out)
                and out[-1][2] == "negative"
                and c[0] - out[-1][1] <= 2
                and text[c[0] : c[0] + 4].lower() == "with"
            )
            if someone_else or object_of_negative:
                c = (c[0], c[1], "negative")
        out.append(c)
    return out


_NON_SUBJECT = ("negative", "near_negative", "near_session", "exclude")


def _session_verbs(ctx: _Context, lo: int, cues: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The cues with the negative verbs whose subject is the session made session cues: "Session began at 3:15 PM
    and lasted 45 minutes", "Psychotherapy portion ran from 11:20", "Started at 2 pm, ran 50 minutes"."""
    rules = ctx.rules
    gap_re = rules.subject_gap_re
    text = ctx.text
    out: list[tuple[int, int, str]] = []
    prev: tuple[int, int, str] | None = None
    for c in cues:
        if c[2] == "negative" and gap_re is not None:
            if prev is None:
                subject = c[0] - lo <= 60 and rules.start_word_re.search(text, lo, c[0]) is not None
                frm = lo
            else:
                subject = prev[2] not in _NON_SUBJECT and c[0] - prev[1] <= 60
                frm = prev[1]
            if (
                subject
                and re.sub(r"[\s_]+", " ", text[c[0] : c[1]].lower()) in rules.verb_negatives
                and gap_re.match(text, frm, c[0])
            ):
                c = (c[0], c[1], "session")  # the session lasted/ran, not a symptom or a jog
        out.append(c)
        prev = c
    return out


def _block_judge(ctx: _Context, start: int, end: int) -> tuple[str, str] | None:
    """(category, "block") of a time right after a block label ("Contact 2 (phone f/u, same day): 1620-1657"):
    the label names it a part of the session, whatever else the clause says, unless a negative cue touches it."""
    lo, _hi = ctx.clause(start, end)
    if _label_before(ctx, lo, start) != "block":
        return None
    judged = _judge(ctx, start, end, labelled=True)
    return (judged[0], "block") if judged is not None else None


def _negative_before(ctx: _Context, start: int, end: int) -> bool:
    """A field label right after a negative cue measures that, not the session ("Sleep duration (avg): 6",
    "Wait time: 15")."""
    return _judge(ctx, start, end, labelled=True) is None


def _in_parenthesis(text: str, start: int) -> bool:
    """Whether a time is in a parenthesis that comments on other text; not one that spells out a duration
    ("60 min (2:00-3:00)")."""
    ls = text.rfind("\n", 0, start) + 1
    if text.count("(", ls, start) <= text.count(")", ls, start):
        return False
    p = text.rfind("(", ls, start)
    return _DURATION_END.search(text, max(ls, p - 40), p) is None


_DURATION_END = re.compile(
    r"\d\s*-?\s*(?:min(?:ute)?s?|hours?|hrs?|h)\b\.?(?:[ \t]+[A-Za-z/.]+){0,2}\s*$", re.IGNORECASE
)


def _wrapped(text: str, b: int, wrap: int) -> bool:
    """Whether the line break at ``b`` only wraps running prose: a long line that does not end a sentence, followed
    by a line that goes on in lower case ("I spent 60 minutes in\npsychotherapy")."""
    if text[b] != "\n" or b + 1 >= len(text) or not text[b + 1].islower():
        return False
    ls = text.rfind("\n", 0, b) + 1
    if _LABEL_LINE.match(text, b + 1):
        return False  # "segment_2: audio-only 10:26 - 10:50": a field of its own
    return b - ls >= wrap and text[b - 1] not in ".:;!?|" and "  " not in text[ls:b]


_LABEL_LINE = re.compile(r"[^\W\d][\w/ -]{0,30}?:")


_PAREN_AFTER = re.compile(r"[^\S\n]*\(([^()\n]{1,160})\)")


def _excluded_by_parenthesis(ctx: _Context, end: int) -> bool:
    """Whether the parenthesis right after a time excludes it, across its own clause breaks
    ("11:20-11:28 AM (client not on line; not counted in crisis time)")."""
    m = _PAREN_AFTER.match(ctx.text, end) if ctx.text[end - 1 : end] != "." else None
    if m is None:
        return False
    rules = ctx.rules
    if rules.excluded_paren_re is not None and rules.excluded_paren_re.match(ctx.text, end):
        return True  # "10:00-11:00 (documented separately)": another record's time
    other = rules.other_excluded_re
    for c in rules.cue_re.finditer(ctx.text, m.start(1), m.end(1)):
        if rules.cue_cat.get(re.sub(r"[\s_]+", " ", c.group(0).lower())) == "exclude":
            if other is not None and other.search(ctx.text, max(m.start(1), c.start() - 40), c.start()):
                continue  # "(E/M time not included)": the other part is excluded
            return True
    return False


_LABEL_REACH = 240  # how far back a field label's value may start


def _other_part_aside(
    ctx: _Context, cues: list[tuple[int, int, str]], cs: int, ce: int, start: int, lo: int
) -> tuple[int, int] | None:
    """Whether an exclusion cue before a time sits in a parenthetical after a session label and excludes another part
    ("Psychotherapy (travel not billed): 9:00-9:50"), not the time: the parenthesis opens after a positive cue, closes
    before the time, and the exclusion word follows a word of another part (other_excluded)."""
    text = ctx.text
    p = text.rfind("(", lo, cs)
    if p < 0 or ")" in text[p:cs]:
        return None
    q = text.find(")", ce, start)
    if q < 0 or "(" in text[ce:start] or text[q + 1 : start].strip(" :=-–—\t") != "":
        return None
    other = ctx.rules.other_excluded_re
    if other is None or not other.search(text, max(p + 1, cs - 40), cs):
        return None
    if any(e2 <= p and cat not in _NON_SUBJECT and cat != "partial" for _s2, e2, cat in cues):
        return p, q + 1
    return None


def _excluded_by_label(ctx: _Context, start: int) -> bool:
    """Whether the time is the value of a field whose label excludes it ("Coordination (not billed, not counted in
    session time): phone call with PCP, 10:15-10:25 AM"), unless the exclusion is of another part ("Session time
    (E/M not counted): 30 min")."""
    rules = ctx.rules
    lab = rules.excluded_label_re
    if lab is None:
        return False
    lo = max(0, start - _LABEL_REACH)
    m = lab.search(ctx.text, lo, start)
    if m is None:
        return False
    other = rules.other_excluded_re
    xs = m.start("excl")
    apart = rules.excluded_label_apart_re
    if apart is not None and "separately" in m.group("excl").lower() and apart.search(ctx.text, m.start(), xs):
        return False  # "Psychotherapy (distinct from E/M, documented separately):": separately from the other part
    return not (other is not None and other.search(ctx.text, max(m.start(), xs - 40), xs))


_HEADING_REACH = 40  # how far into its line a time may start for the section heading above to name it


def _heading_category(ctx: _Context, start: int) -> str | None:
    """The one category (psychotherapy, em, crisis) a section heading right above the time's line names
    ("PSYCHOTHERAPY (distinct from E/M)" over "Start 10:20 AM - Stop 11:15 AM"), else None. A blank line may
    stand between; a heading with a negative cue names nothing."""
    hr = ctx.rules.section_heading_re
    text = ctx.text
    ls = text.rfind("\n", 0, start) + 1
    if hr is None or ls == 0 or start - ls > _HEADING_REACH:
        return None
    pe = ls - 1
    ps = text.rfind("\n", 0, pe) + 1
    if not text[ps:pe].strip() and ps > 0:
        pe = ps - 1
        ps = text.rfind("\n", 0, pe) + 1
    if hr.fullmatch(text, ps, pe) is None:
        return None
    cats = {c[2] for c in ctx.cues_in(ps, pe, (pe, pe))}
    named = cats.intersection(("psychotherapy", "em", "crisis"))
    if len(named) != 1 or cats.intersection(("negative", "exclude", "partial")):
        return None
    return named.pop()


def _range_mark(ctx: _Context, start: int, end: int) -> str | None:
    """ "void" when the range's clause says the times are wrong ("the times above (3:00-3:53 PM) were copied forward
    in error"); "corrected" / "attended" when a marker stands right before it ("Corrected time: 1412-1450",
    "Client's time in group: 6:00-7:05 PM")."""
    marks = [(q, rx) for q, rx in ctx.rules.range_marks if rx is not None]
    if not marks:
        return None
    lo, hi = ctx.clause(start, end)
    for q, rx in marks:
        if q == "void":
            if ctx.use_void and rx.search(ctx.text, lo, hi):
                return q
        elif rx.search(ctx.text, max(0, start - 40), start):
            return q
    return None


def _label_before(ctx: _Context, lo: int, start: int) -> str | None:
    """'block' after a block label ("Part 2:", "Contact 1:"), '' on a bare line, None after other text."""
    prefix = ctx.text[lo:start]
    if not prefix.strip(" \t-*•|"):
        return ""
    bl = ctx.rules.block_label_re
    if bl is not None and bl.search(prefix):
        return "block"
    return None


_WORD = re.compile(r"[A-Za-z]{2,}")
_UNIT_WORD = re.compile(r"\d\s*-?\s*[A-Za-z]{2,}")
_FIELD_SEP = re.compile(r"[ ]{2,}|\t|\s*\|\s*|\s*(?:\.{3,}|…+)\s*|\s+[•·]\s+")
_POSITIVE = ("session", "psychotherapy", "em", "crisis", "total")


def _fields(ctx: _Context, start: int, end: int) -> tuple[int, int, int, int] | None:
    """On a line of fields apart by wide spaces, tabs, bars or dot leaders: (start, end) of the expression's own
    field and of the line's first field (the row label; empty when the expression's field is the first).
    None on a line of running text, or when a separator falls inside the expression."""
    text = ctx.text
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    flo, fhi = ls, le
    first: re.Match[str] | None = None
    for m in _FIELD_SEP.finditer(text, ls, le):
        if m.end() <= start:
            flo = m.end()
            if first is None and text[ls : m.start()].strip():
                first = m
        elif m.start() >= end:
            fhi = m.start()
            break
        else:
            return None
    else:
        if flo == ls:
            return None  # no separator before or after: running text
    if first is None or first.end() > start:
        # the expression leads the row ("09:10-09:30  Psychotherapy (block 1)"): the next field describes it
        sep = _FIELD_SEP.match(text, fhi, le) if fhi < le else None
        if sep is not None:
            nxt = _FIELD_SEP.search(text, sep.end(), le)
            return flo, fhi, sep.end(), nxt.start() if nxt else le
        return flo, fhi, flo, flo
    return flo, fhi, ls, first.start()


def _line_has_negative(ctx: _Context, start: int, end: int) -> bool:
    text = ctx.text
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    return any(c[2] in ("negative", "exclude") for c in ctx.cues_in(ls, le, (start, end)))


def _field_judge(
    ctx: _Context, start: int, end: int, f: tuple[int, int, int, int], *, bare_ok: bool
) -> tuple[str, str] | None:
    """(category, qualifier) of a time expression in a field of a table-like line: the cues of its own field first,
    then the row label ("Scheduled ........ 3:00 PM - 3:50 PM" is not session time, "Actual ..... 3:12 PM - 3:55 PM"
    is); a cue in another field of the row ("Clinic Rm 5", "client called crisis line") does not count."""
    flo, fhi, llo, lhi = f
    lo, hi = ctx.clause(start, end)
    lo, hi = max(lo, flo), min(hi, fhi)
    judged = _judge(ctx, start, end, labelled=False, bounds=(lo, hi))
    if judged is not None:
        return judged
    if ctx.cues_in(lo, hi, (start, end)):
        return None
    label = ctx.cues_in(llo, lhi, (start, end)) if lhi > llo else []
    if any(c[2] not in _POSITIVE for c in label):
        return None
    cats = [c[2] for c in label if c[2] != "session"]
    if label:
        return (cats[-1] if cats else "session"), ""
    if (
        bare_ok
        and len(_WORD.findall(ctx.text, flo, start)) + len(_WORD.findall(ctx.text, end, fhi)) <= 3
        and not _in_parenthesis(ctx.text, start)
    ):
        return "session", ""
    return None


def _bare_range_ok(ctx: _Context, lo: int, hi: int, start: int, end: int) -> bool:
    """A clock range with no cue counts only where nothing else is said about it: alone on its line,
    after a label, or with at most a few words around it ("10:00-10:50 in office"). In running prose
    ("night shift at the warehouse (10 pm - 6 am), written up twice") the cue may sit on another line."""
    if _in_parenthesis(ctx.text, start):
        return False  # in a parenthesis, it comments on what comes before ("two 20-minute windows (5:40-6:00 am)")
    if _label_before(ctx, lo, start) is not None:
        return True
    if lo > 0 and ctx.text[lo - 1] != "\n" and _WORD.search(ctx.text, lo, start):
        return False  # words before it in a sentence that does not start the line ("Worry peaks 9-11 PM")
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
        "actual",
    ]
)
_GAP_CLOCK = re.compile(r"\d[:.][0-5]\d|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)


def _restart_in_gap(text: str, lo: int, hi: int, rules: TimeRules) -> bool:
    """Whether an interruption or a restart, and its time, stand between a start and an end label: the end is then
    the later block's ("Connected 6:00 PM; video dropped at 6:22 PM ... Reconnected at 6:26 PM; session ended")."""
    pw = rules.pause_word_re
    for c in _GAP_CLOCK.finditer(text, lo, hi):
        if rules.start_word_re.search(text, max(lo, c.start() - 25), c.start()):
            return True
        if pw is not None and pw.search(text, lo, c.start()):
            return True
    return False


_MINUTE_BEFORE = re.compile(r"\bmin(?:ute)?s?\b", re.IGNORECASE)
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


_SCAN_SET_MAX_CHARS = 20_000  # on a huge paste nearly every pattern matches somewhere: skip the pre-pass


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


_CELL_SEP = {"\t": re.compile(r"\t"), "|": re.compile(r"\|")}


def _cells(text: str, lo: int, hi: int, sep: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of each cell of one table row, blanks around the cell's text left out."""
    out, pos = [], lo
    for m in [*sep.finditer(text, lo, hi), None]:
        end = m.start() if m is not None else hi
        a, b = pos, end
        while a < b and text[a] in " \t":
            a += 1
        while b > a and text[b - 1] in " \t":
            b -= 1
        out.append((a, b))
        if m is not None:
            pos = m.end()
    return out


def _table_rows(
    ctx: _Context, rules: TimeRules
) -> list[tuple[int, int, tuple[int, int, str | None], tuple[int, int, str | None], tuple[str, str]]]:
    """Clock ranges in the rows of a table whose header names a start and an end column (tab or bar separated):
    ``(start, end, start time, end time, (category, qualifier))``. A row with a negative cue is skipped; its
    category is the first category cue in its other cells ("90836 Psychotherapy add-on w/ E/M 10:12 10:55 43")."""
    text = ctx.text
    ts, te = rules.table_start_re, rules.table_end_re
    out: list[tuple[int, int, tuple[int, int, str | None], tuple[int, int, str | None], tuple[str, str]]] = []
    if ts is None or te is None:
        return out
    cols: tuple[int, int, re.Pattern[str]] | None = None
    pos = 0
    n = len(text)
    while pos < n:
        le = text.find("\n", pos)
        le = n if le < 0 else le
        lo, pos = pos, le + 1
        ch = "\t" if "\t" in text[lo:le] else "|" if "|" in text[lo:le] else ""
        if not ch:
            cols = None
            continue
        cells = _cells(text, lo, le, _CELL_SEP[ch])
        if cols is None or cols[2] is not _CELL_SEP[ch]:
            si = next((i for i, (a, b) in enumerate(cells) if ts.fullmatch(text, a, b)), None)
            ei = next((i for i, (a, b) in enumerate(cells) if te.fullmatch(text, a, b)), None)
            cols = (si, ei, _CELL_SEP[ch]) if si is not None and ei is not None and si < ei else None
            continue
        si, ei, _ = cols
        if len(cells) <= ei:
            continue
        m1 = rules.clock_tok_re.fullmatch(text, *cells[si])
        m2 = rules.clock_tok_re.fullmatch(text, *cells[ei])
        if m1 is None or m2 is None:
            continue
        a, b = _clock(m1, "_1"), _clock(m2, "_1")
        if a is None or b is None:
            continue
        cues = [c for c in ctx._clause_cues(lo, le) if not (cells[si][0] <= c[0] < cells[ei][1])]
        if any(c[2] == "exclude" for c in cues) or any(c[2] == "negative" and c[0] < cells[si][0] for c in cues):
            continue  # the row's label says what it was ("Post-session call to pharmacy"); notes after the times do not
        cat = next((c[2] for c in cues if c[2] in ("psychotherapy", "em", "crisis")), "session")
        out.append((cells[si][0], cells[ei][1], a, b, (cat, "")))
    return out


class _Taken(list[tuple[int, int]]):
    """Spans already read as time, in the order found, with a start-sorted index so that the overlap
    test looks only at nearby spans (a list scan made a huge note quadratic)."""

    def __init__(self) -> None:
        super().__init__()
        self._starts: list[int] = []
        self._spans: list[tuple[int, int]] = []
        self._longest = 0

    def append(self, span: tuple[int, int]) -> None:
        super().append(span)
        i = bisect.bisect_left(self._starts, span[0])
        self._starts.insert(i, span[0])
        self._spans.insert(i, span)
        self._longest = max(self._longest, span[1] - span[0])

    def overlaps(self, s: int, e: int) -> bool:
        """Any span (ts, te) with ts < e and te > s: only spans starting after s - longest can reach s."""
        lo = bisect.bisect_right(self._starts, s - self._longest)
        hi = bisect.bisect_left(self._starts, e)
        return any(te > s for _, te in self._spans[lo:hi])


def find_time_mentions(
    text: str, rules: TimeRules | None = None, *, max_minutes: int | None = None
) -> list[TimeMention]:
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
                # "an hour", "a 1-hr": only an "a" right before can start one
                am = _AN_BEFORE.search(low, max(0, i - 5), i) if low.find("a", max(0, i - 5), i) >= 0 else None
                if am is not None:
                    words.append(am.start())
                i = low.find(unit, i + 1)
    if not digits and not words and "hour" not in low:
        return []
    positions = sorted(set(digits + words))
    can = rules.scannable(text) if len(text) <= _SCAN_SET_MAX_CHARS else None

    def scan(rx: Any, at: list[int]) -> list[re.Match[str]]:
        """_scan, skipped for a pattern that RE2 found can match nowhere in the text."""
        return _scan(rx, text, at) if can is None or id(rx) in can else []

    ctx = _Context(text, rules, low)
    out: list[TimeMention] = []
    taken = _Taken()

    def overlaps(s: int, e: int) -> bool:
        return taken.overlaps(s, e)

    def add_range(
        s: int,
        e: int,
        a: tuple[int, int, str | None] | None,
        b: tuple[int, int, str | None] | None,
        judged: tuple[str, str] | None,
    ) -> bool:
        mark = _range_mark(ctx, s, e) if ctx.use_marks else None
        if mark == "void":
            judged = (judged or ("session", ""))[0], "void"  # kept, so that the same times elsewhere are voided too
        if a is None or b is None or judged is None:
            return False
        span = clock_span(a, b)
        if span is None or not 0 < span[1] - span[0] <= max_minutes:
            return False
        if mark in ("corrected", "attended"):
            judged = judged[0], mark
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
    clock_toks = scan(rules.clock_tok_re, digits)
    if (clock_toks or words) and rules.labelled_re is not None:
        pos = 0
        while (m := rules.labelled_re.search(text, pos)) is not None:
            pos = m.end()
            if _restart_in_gap(text, m.start("gap"), m.end("gap"), rules):
                pos = m.start() + 1  # another start between them: "began at 10:02. At 10:31 ... came back at 10:44 ..."
                continue
            a, b = _clock(m, "_1", rules), _clock(m, "_2", rules)
            if m.groupdict().get("ARR") and a is not None and b is not None:
                na = rules.arrival_not_after_re
                if na is not None and na.search(text, max(0, m.start() - 30), m.start()):
                    pos = m.start() + 1  # "Mother arrived at 4:15": someone else's; a later start may pair
                    continue
                a = _after_scheduled(text, m, a, b, clock_toks, rules)
            judged = _judge(ctx, m.start(), m.end(), labelled=True)
            if judged is not None and (m.group("WH_1") or m.group("WH_2")):
                # times in words are often not the session's ("Panic began at two and ended at three in the morning
                # last week"): a negative cue nearer than any session cue in the clause rejects them
                lo, hi = ctx.clause(m.start(), m.end())
                if (
                    ctx.cues_in(lo, hi, (m.start(), m.end()))
                    and _judge(ctx, m.start(), m.end(), labelled=False) is None
                ):
                    judged = None
            add_range(m.start(), m.end(), a, b, judged)

    # -- log entries ("14:06 session begins" ... "14:58 session ends"), the label before or after the time
    if rules.log_after and len(clock_toks) >= 2:
        entries: dict[str, list[tuple[int, int, int, int, tuple[int, int, str | None]]]] = {
            "start": [],
            "end": [],
            "pause": [],
        }
        labels = [(key, rules.log_after[key], rules.log_before[key]) for key in rules.log_after]
        for m in clock_toks:
            c = _clock(m, "_1")
            if c is None:
                continue
            for key, la, lb in labels:
                am = la.match(text, m.end()) if la is not None else None
                if am is not None:
                    entries[key].append((m.start(), am.end(), m.start(), m.end(), c))
                    continue
                lo = max(0, m.start() - 70)
                bm = lb.search(text, lo, m.start()) if lb is not None and ctx.may_match(lb, lo, m.start()) else None
                if bm is not None:
                    entries[key].append((bm.start(), m.end(), m.start(), m.end(), c))
        # An interruption ends a block ("At 10:31 her phone rang"); when its line says the session went on
        # ("14:02 connection dropped, reconnected by phone"), the next block starts there.
        rs = rules.log_resume_re
        resumed: set[int] = set()
        for en in entries["pause"]:
            eol = text.find("\n", en[1])
            eol = len(text) if eol < 0 else eol
            rm = rs.search(text, en[1], eol) if rs is not None else None
            if rm is not None and _GAP_CLOCK.search(text, rm.end(), eol) is None:  # else it resumed at that time
                entries["start"].append((en[2], rm.end(), en[2], en[3], en[4]))
                resumed.add(en[2])
        ends = sorted(entries["end"] + entries["pause"])
        before = len(taken)
        for s0, e0, ts0, _te0, c0 in sorted(entries["start"]):
            nxt = next((en for en in ends if en[2] > ts0 and en[0] >= e0 and en[0] - e0 <= rules.log_gap), None)
            # a resumed block may share its interruption's line with the block before; other entries may not overlap
            if nxt is None or any(s0 < te and ts < nxt[1] for ts, te in (taken[:before] if ts0 in resumed else taken)):
                continue
            add_range(s0, nxt[1], c0, nxt[4], _judge(ctx, s0, nxt[1], labelled=True))

    # -- one label for both ends ("S/T: 09:00/09:52", "Start / End | 13:30 / 14:24")
    if rules.pair_re is not None and rules.pair_gate_re is not None and "/" in text and clock_toks:
        for m in rules.pair_re.finditer(text) if rules.pair_gate_re.search(text) else ():
            if not overlaps(m.start(), m.end()):
                add_range(
                    m.start(), m.end(), _clock(m, "_1"), _clock(m, "_2"), _judge(ctx, m.start(), m.end(), labelled=True)
                )

    # -- tables with start and end columns
    if rules.table_start_re is not None and ("\t" in text or "|" in text) and len(clock_toks) >= 2:
        for s0, e0, a0, b0, judged0 in _table_rows(ctx, rules):
            if not overlaps(s0, e0):
                add_range(s0, e0, a0, b0, judged0)

    # -- clock ranges ("10:02am-10:55am", "from 9 to 9:50")
    pauses: list[tuple[int, int]] = []
    for m in scan(rules.range_re, digits):
        s, e = m.start(), m.end()
        fm = rules.from_before_re.search(text, max(0, s - 12), s)
        if fm is not None:
            s = fm.start()
        if overlaps(s, e):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        if a is None or b is None:
            continue
        bare1 = m.group("HB_1") is not None or m.group("HH_1") is not None
        bare2 = m.group("HB_2") is not None or m.group("HH_2") is not None
        if bare1 and bare2:
            continue  # "3-4" is a score or a count, not a clock range
        has_marker = (a[2] is not None) or (b[2] is not None) or any(c in m.group(0) for c in ":.hH")
        if (bare1 or bare2) and not (fm is not None or (b[2] is not None) or (a[2] is not None)):
            # "Session 10 to 10:50": one bare side, the other with minutes, right after a session cue
            if bare1 == bare2 or not (m.group("M_1") or m.group("M_2")):
                continue
            j = _judge(ctx, s, e, labelled=False)
            lo_, _hi = ctx.clause(s, e)
            bc = rules.bare_start_cue_re
            if j is None or bc is None or not bc.search(text, max(lo_, s - 30), s):
                continue
        if (m.group("HH_1") or m.group("HH_2")) and fm is None and not (m.group("M_1") or m.group("M_2")):
            continue  # "19h–7h": European hours with no minutes on either side, and no "from"
        if not has_marker:
            continue
        pa, pb = rules.pause_after_re, rules.pause_before_re
        if (pa is not None and pa.match(text, e)) or (pb is not None and pb.search(text, max(0, s - 40), s)):
            pauses.append((s, e))  # "2:22 PM - 2:31 PM  connection lost", "paused 2:25-2:40": maybe a gap between blocks
        mark = _range_mark(ctx, s, e) if ctx.use_marks else None
        if mark in ("void", "corrected"):
            # an amendment's times, or the times it says are wrong, whatever else their clause says
            add_range(s, e, a, b, ((_judge(ctx, s, e, labelled=True) or ("session", ""))[0], mark))
            continue
        f = _fields(ctx, s, e)
        judged = _block_judge(ctx, s, e)
        if judged is not None:
            pass
        elif f is not None:
            judged = _field_judge(ctx, s, e, f, bare_ok=True)
        else:
            judged = _judge(ctx, s, e, labelled=False)
            rb = rules.resume_before_re
            if judged is None and rb is not None and rb.search(text, max(ctx.clause(s, e)[0], s - 60), s):
                # "Resumed by audio-only phone 10:24 AM - 10:52 AM after client called back": the session's next block
                judged = _judge(ctx, s, e, labelled=True)
            if judged is None:
                lo, hi = ctx.clause(s, e)
                if ctx.cues_in(lo, hi, (s, e)) or _excluded_by_label(ctx, s) or _excluded_by_parenthesis(ctx, e):
                    continue
                judged = _listed_after(out, text, s, rules)
                if judged is None:
                    if not _bare_range_ok(ctx, lo, hi, s, e):
                        continue
                    judged = ("session", "")
        add_range(s, e, a, b, judged)

    # -- clock ranges in words ("from half past two until quarter past three")
    if words:
        for m in scan(rules.word_range_re, sorted(words)):
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
    for m in scan(rules.military_range_re, digits):
        if overlaps(m.start(), m.end()):
            continue
        a, b = _clock(m, "_1"), _clock(m, "_2")
        year_like = yl is not None and yl.fullmatch(m.group("MIL_1")) and yl.fullmatch(m.group("MIL_2"))
        f = None if year_like else _fields(ctx, m.start(), m.end())
        block = None if year_like else _block_judge(ctx, m.start(), m.end())
        if block is not None:
            judged = block
        elif f is not None:
            judged = _field_judge(ctx, m.start(), m.end(), f, bare_ok=True)
        else:
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
        ea = rules.ended_after_re
        ended = ea is not None and ea.search(text, max(0, s - 50), s) is not None
        if not ended and rules.not_after_re is not None and rules.not_after_re.search(text, max(0, s - 30), s):
            return
        if rules.rate_after_re is not None and rules.rate_after_re.match(text, e):
            return  # "1 hr/day", "20 min/night": a rate, not a length of time
        if rules.thing_after_re is not None and rules.thing_after_re.match(text, e):
            return  # "(12-minute audio provided)": the length of something made or handed out in the session
        db, da = rules.descriptor_before_re, rules.descriptor_after_re
        dm = db.search(text, max(0, s - 60), s) if db is not None else None
        if dm is not None and rules.descriptor_minutes and mins not in rules.descriptor_minutes:
            dm = None  # "90834 individual psychotherapy, 40 minutes": no descriptor's round time, so measured
        if dm is not None or (da is not None and da.match(text, e)):
            return  # "90837 Psychotherapy, 60 min", "45 min (38-52)": what the code means, not what was done
        judged = _block_judge(ctx, s, e) or _judge(ctx, s, e, labelled=ended)
        if judged is None:
            # A duration that is the whole line ("53 min" under the header) documents the session.
            lo, hi = ctx.clause(s, e)
            judged = _call_label_judge(ctx, lo, hi, s, e)
            if judged is not None:
                out.append(TimeMention("duration", mins, s, e, judged[0], None, judged[1]))
                taken.append((s, e))
                return
            clause_cues = ctx.cues_in(lo, hi, (s, e))
            ga, gb = rules.group_length_after_re, rules.group_length_before_re
            if (
                ga is not None
                and gb is not None
                and ga.match(text, e)
                and gb.search(text, max(lo, s - 30), s)
                and all(c[2] in _POSITIVE for c in clause_cues)
            ):
                # "This was a 60-minute DBT skills group": the group this note documents lasted that long
                out.append(TimeMention("duration", mins, s, e, "session", None, ""))
                taken.append((s, e))
                return
            if clause_cues:
                return
            ad = rules.additional_re
            if ad is not None and out and ad.search(text, max(lo, s - 30), s):
                # "Session 45 min, then an additional 10 minutes with mother": more of the session just documented
                out.append(TimeMention("duration", mins, s, e, out[-1].category, None, "additional"))
                taken.append((s, e))
                return
            cb = rules.code_before_re
            if cb is not None and cb.search(text, max(lo, s - 40), s):
                # "Tele 90834, 42 min": the minutes of the billed session
                out.append(TimeMention("duration", mins, s, e, "session", None, ""))
                taken.append((s, e))
                return
            if text[e:hi].strip(" \t.,;)"):
                # or a field of a header line with nothing negative on it ("90834   Approx 50 min, office")
                f = _fields(ctx, s, e)
                if f is None or _line_has_negative(ctx, s, e):
                    return
                others = len(_WORD.findall(text, f[0], s)) + len(_WORD.findall(text, e, f[1]))
                if len(_WORD.findall(text, f[0], s)) > 1 or (others and not _UNIT_WORD.search(text, s, e)):
                    return  # "Pt: Brandon T. 24M": a name and an age, not a duration; "| 45m |" alone in its field is
                judged = _field_judge(ctx, s, e, f, bare_ok=True)
                if judged is not None:
                    out.append(TimeMention("duration", mins, s, e, judged[0], None, judged[1]))
                    taken.append((s, e))
                return
            lab = _label_before(ctx, lo, s)
            if lab is None:
                return
            judged = ("session", lab)
        out.append(TimeMention("duration", mins, s, e, judged[0], None, judged[1]))
        taken.append((s, e))

    if rules.minutes_field_re is not None and ("min" in low):
        # "Contact Duration (min): 60", "Minutes: 53": the label is the cue
        for m in scan(rules.minutes_field_re, sorted(_word_positions(low, _FIELD_STARTS, vocab))):
            s, e = m.start(), m.end()
            n = int(m.group("n"))
            judged = _judge(ctx, m.start("n"), e, labelled=True)  # cues in the label count ("Psychotherapy minutes")
            if judged is None or overlaps(s, e) or not 0 < n <= max_minutes or _negative_before(ctx, s, e):
                continue
            out.append(TimeMention("duration", n, s, e, judged[0], None, judged[1]))
            taken.append((s, e))
    if rules.unitless_re is not None:
        # "TT 53", "dur: 38", "PT time 30": a duration label whose number has no unit
        for m in scan(rules.unitless_re, sorted(_word_positions(low, rules.unitless_starts, vocab))):
            s, e = m.start(), m.end()
            n = int(m.group("n"))
            judged = _judge(ctx, m.start("n"), e, labelled=True)
            if judged is None or overlaps(s, e) or not 0 < n <= max_minutes or _negative_before(ctx, s, e):
                continue
            out.append(TimeMention("duration", n, s, e, judged[0], None, judged[1]))
            taken.append((s, e))
    if rules.hms_re is not None:
        # "Call duration 00:47:12", "0:52:13" on its own line
        for m in scan(rules.hms_re, digits):
            h = int(m.group("h"))
            if h > 8:
                continue
            labelled = rules.hhmm_label_re.search(text, max(0, m.start() - 40), m.start()) is not None
            if labelled or h == 0:
                add_duration(m.start(), m.end(), h * 60 + int(m.group("m")))
    for m in scan(rules.hhmm_re, digits):
        if rules.hhmm_label_re.search(text, max(0, m.start() - 40), m.start()):
            h, mi = int(m.group("h")), int(m.group("m"))
            # "Duration 52:13" is minutes and seconds: no session runs 52 hours
            add_duration(m.start("h"), m.end("m"), h * 60 + mi if h < 24 else h)
    for m in scan(rules.hm_re, positions):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        mi = rules.word_number(m.group("m"))
        if h is not None and mi is not None:
            add_duration(m.start(), m.end(), h * 60 + mi)
    if rules.implied_hm_re is not None:
        for m in scan(rules.implied_hm_re, positions):
            h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
            mi = rules.word_number(m.group("m"))
            if h is not None and mi is not None and 0 < h <= 3 and h == int(h) and 0 < mi < 60 and mi == int(mi):
                add_duration(m.start(), m.end(), h * 60 + mi)
    if rules.compact_re is not None:
        for m in scan(rules.compact_re, digits):
            h, mi = (m.group("h"), m.group("m")) if m.group("h") is not None else (m.group("h2"), m.group("m2"))
            add_duration(m.start(), m.end(), int(h) * 60 + int(mi))
    if rules.sum_re is not None:
        for m in scan(rules.sum_re, positions):
            vals = [rules.word_number(x.group(0)) for x in rules.num_re.finditer(m.group(0))]
            if len(vals) >= 2 and all(v is not None for v in vals):
                add_duration(m.start(), m.end(), sum(v for v in vals if v is not None))
    if ("hour" in low or "half" in low) and rules.fixed_re is not None:
        for m in rules.fixed_re.finditer(text):
            add_duration(m.start(), m.end(), rules.fixed[re.sub(r"\s+", " ", m.group(0).lower())])
    for m in scan(rules.hour_re, positions):
        h = 1.0 if m.group("h").lower() in ("a", "an") else rules.word_number(m.group("h"))
        if h is not None:
            add_duration(m.start(), m.end(), h * 60)
    for m in scan(rules.min_re, positions):
        n = rules.word_number(m.group("n"))
        if n is not None and n != 1:
            add_duration(m.start(), m.end(), n)
    if (rules.elliptic_re is not None and "were" in low) or "was" in low:
        for m in scan(rules.elliptic_re, digits):
            lo, _hi = ctx.clause(m.start(), m.end())
            if _MINUTE_BEFORE.search(text, lo, m.start()):
                add_duration(m.start("n"), m.end("n"), int(m.group("n")))
    if rules.prime_re is not None:
        for m in scan(rules.prime_re, digits):
            add_duration(m.start(), m.end(), int(m.group("p") or m.group("p2")))
    if rules.seconds_re is not None and "sec" in low:
        for m in scan(rules.seconds_re, digits):
            secs = int(m.group("n"))
            if secs >= 600:
                add_duration(m.start(), m.end(), secs // 60)
    if pauses:
        out = _drop_pauses(out, pauses)
    if out and ctx.use_copied and rules.copied_start_re is not None and rules.copied_start_re.search(text):
        # "*** Text below copied forward from 01/14/2025 note ***" ... "*** end copied text ***": stale times
        out = _mark_copied(text, out, rules)
    if rules.section_heading_re is not None and "\n" in text:
        # a time with no category cue of its own under a heading that names one ("PSYCHOTHERAPY (distinct from E/M)")
        for i, t in enumerate(out):
            if t.category == "session" and (cat := _heading_category(ctx, t.start)) is not None:
                out[i] = TimeMention(t.kind, t.minutes, t.start, t.end, cat, t.clock, t.qualifier)
    out.sort(key=lambda t: t.start)
    return out


def _drop_pauses(found: list[TimeMention], pauses: list[tuple[int, int]]) -> list[TimeMention]:
    """Without the ranges labelled as an interruption that fill the gap between two other ranges: "2:00-2:22 video /
    2:22-2:31 connection lost / 2:31-2:55 video resumed" is two blocks. A range whose label names the drop that ended
    it ("Segment 1: 11:00-11:24 (video froze, call dropped)") has no range ending at its start and stays."""
    ranges = [t for t in found if t.kind == "range" and t.clock is not None]
    drop = set()
    for t in ranges:
        if (t.start, t.end) not in pauses or t.clock is None:
            continue
        a, b = t.clock
        # on the 12-hour dial: a pause written without am/pm ("paused 2:25-2:40") between "2:00 PM - 2:25 PM" and
        # "2:40 PM - 3:05 PM"
        before = any(o is not t and o.clock is not None and (o.clock[1] - a) % 720 == 0 for o in ranges)
        after = any(o is not t and o.clock is not None and (o.clock[0] - b) % 720 == 0 for o in ranges)
        if before and after:
            drop.add(id(t))
    return [t for t in found if id(t) not in drop] if drop else found


def _mark_copied(text: str, found: list[TimeMention], rules: TimeRules) -> list[TimeMention]:
    spans = []
    for m in rules.copied_start_re.finditer(text):
        em = rules.copied_end_re.search(text, m.end()) if rules.copied_end_re is not None else None
        spans.append((m.end(), em.start() if em is not None else text.find("\n\n", m.end()) % (len(text) + 1)))
    return [
        TimeMention(t.kind, t.minutes, t.start, t.end, t.category, t.clock, "stale")
        if any(a <= t.start < b for a, b in spans)
        else t
        for t in found
    ]
