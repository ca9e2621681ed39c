"""time.* checks: documented minutes, the time rule, stated vs clock vs input minutes (domain.md §1.1-1.4)."""

from __future__ import annotations

from ..nlp.timeparse import TimeMention
from ..types import CharSpan, Finding
from .context import Context

__all__ = ["code_for_minutes", "resolve_minutes", "run"]

_SRC_T01 = "FCSO & Novitas psychotherapy documentation checklists; NGS CERT; OIG 2023 (time not documented)"
_SRC_T02 = "CPT time rule (APA Services psychotherapy codes)"
_SRC_T06 = "Noridian JE psychotherapy documentation; CMS MLN/CERT: psychotherapy time apart from E/M"
_PSY_KINDS = ("psychotherapy", "psychotherapy_em_addon", "family", "crisis", "crisis_addon")


def _categories(ctx: Context) -> tuple[str, ...]:
    if ctx.has_kind("psychotherapy_em_addon"):
        return ("psychotherapy",)
    if ctx.has_kind("crisis", "crisis_addon"):
        return ("crisis", "psychotherapy", "session", "total")
    return ("psychotherapy", "session", "total", "crisis")


def _half_day_inside(span: tuple[int, int], spans: set[tuple[int, int]]) -> tuple[int, int]:
    """The span read in the other half of the day when only that reading lies inside another span.

    "Crisis intervention 12:40-1:25 PM (includes the call with mother, 1:10-1:25)": the inner range has no am/pm
    and reads as 1:10 AM; it is part of the 12:40-1:25 PM range, not a block of its own."""
    s, e = span
    others = [o for o in spans if o != span]
    if any(s < oe and os < e for os, oe in others):
        return span
    for shift in (720, -720):
        if s + shift >= 0 and any(os <= s + shift and e + shift <= oe for os, oe in others):
            return (s + shift, e + shift)
    return span


def _union_minutes(ranges: list[TimeMention]) -> int:
    clocks = {r.clock for r in ranges if r.clock}
    spans = sorted({_half_day_inside(c, clocks) for c in clocks})
    total, cur_s, cur_e = 0, None, None
    for s, e in spans:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def _pick_stated(
    ctx: Context, stated: list[TimeMention], cats: tuple[str, ...]
) -> tuple[int, list[TimeMention], list[TimeMention]] | None:
    """(minutes, the mentions that give them, the mentions they may be compared with) from the stated durations.

    For crisis codes a stated total wins over the blocks it adds up; otherwise the first mention of the most
    specific category. Non-continuous blocks ("Part 1: 45 min ... Part 2: 35 min") with no total are added up."""
    pool = stated
    if ctx.has_kind("crisis", "crisis_addon"):
        totals = [t for t in stated if t.qualifier == "total"]
        pool = totals or stated
    for cat in cats:
        in_cat = [t for t in pool if t.category == cat]
        if not in_cat:
            continue
        blocks = [t for t in in_cat if t.qualifier == "block"]
        if len(blocks) >= 2 and not any(t.qualifier == "total" for t in in_cat):
            return sum(t.minutes for t in blocks), blocks, [t for t in in_cat if t.qualifier != "block"]
        return in_cat[0].minutes, [in_cat[0]], in_cat
    return None


def resolve_minutes(ctx: Context) -> list[Finding]:
    """Set ctx.minutes / minutes_source / time_spans; return time.inconsistent findings."""
    tol = ctx.settings["time"]["tolerance_minutes"]
    cats = _categories(ctx)
    addon = ctx.has_kind("psychotherapy_em_addon")
    # "22 minutes of the visit were psychotherapy" is the psychotherapy time only where E/M and psychotherapy are split
    chosen = [t for t in ctx.time if t.category in cats and (addon or t.qualifier != "part")]
    # times an amendment says are wrong do not count, wherever else they are written; corrected times and the
    # client's own part of a group ("Client's time in group: 6:00-7:05 PM") replace the others
    void = {t.clock for t in ctx.time if t.qualifier == "void" and t.clock}
    chosen = [t for t in chosen if t.qualifier not in ("void", "stale") and not (t.clock and t.clock in void)]
    ranges = [t for t in chosen if t.kind == "range"]
    for q in ("corrected", "attended"):
        if any(r.qualifier == q for r in ranges):
            ranges = [r for r in ranges if r.qualifier == q]
    stated = [t for t in chosen if t.kind == "duration"]
    findings: list[Finding] = []
    clock = _union_minutes(ranges) if ranges else None
    # "1:15-1:58 PM ..., then an additional 20 minutes with pt and mother": a stated block added to the session time
    extra = [s for s in stated if s.qualifier == "additional"]
    if ranges or len(extra) < len(stated):
        stated = [s for s in stated if s.qualifier != "additional"]
    else:
        extra = []
    picked = _pick_stated(ctx, stated, cats)
    first_stated = picked[1][0] if picked else None
    if clock is not None:
        clock += sum(s.minutes for s in extra)
        ctx.minutes, ctx.minutes_source = clock, "start_stop"
        ctx.time_spans = [ctx.span(r.start, r.end) for r in [*ranges, *extra]]
        if stated and len(ranges) == 1:
            bad = [s for s in stated if s.category == ranges[0].category and abs(s.minutes - clock) > tol]
            if not bad and first_stated is not None and abs(first_stated.minutes - clock) > tol:
                bad = [first_stated]
            if bad:
                s = bad[0]
                findings.append(
                    Finding(
                        "time.inconsistent",
                        "warning",
                        f"The start/stop times give {clock} minutes but the note also states {s.minutes} minutes; "
                        f"the clock times are used. Correct whichever is wrong so the note agrees with itself.",
                        (ctx.span(ranges[0].start, ranges[0].end), ctx.span(s.start, s.end)),
                        _SRC_T01,
                    )
                )
    elif picked is not None and first_stated is not None:
        minutes, used, peers = picked
        minutes += sum(s.minutes for s in extra)
        used = [*used, *extra]
        ctx.minutes, ctx.minutes_source = minutes, "stated"
        ctx.time_spans = [ctx.span(t.start, t.end) for t in used]
        others = [s for s in peers if abs(s.minutes - minutes) > tol]
        if others:
            o = others[0]
            findings.append(
                Finding(
                    "time.inconsistent",
                    "warning",
                    f"The note states both {minutes} and {o.minutes} minutes for the session; "
                    f"{minutes} is used. Document one session time, ideally start and stop times.",
                    (ctx.span(first_stated.start, first_stated.end), ctx.span(o.start, o.end)),
                    _SRC_T01,
                )
            )
    given = ctx.note.minutes
    if given is not None:
        if ctx.minutes is None:
            ctx.minutes, ctx.minutes_source = given, "input"
        elif abs(given - ctx.minutes) > tol:
            findings.append(
                Finding(
                    "time.inconsistent",
                    "warning",
                    f"The claim/EHR says {given} minutes but the note documents {ctx.minutes} minutes "
                    f"({ctx.minutes_source.replace('_', '/')}); the note's time is used. Make the record and the note agree.",
                    tuple(ctx.time_spans[:2]),
                    _SRC_T01,
                )
            )
    return findings


def code_for_minutes(ctx: Context, kind: str, minutes: int) -> str | None:
    """The code of ``kind`` whose time band holds ``minutes`` (from the code table)."""
    for r in sorted(ctx.table.by_kind(kind), key=lambda r: r.min_minutes or 0):
        if r.deleted is None and r.min_minutes is not None and r.in_band(minutes):
            return r.code
    return None


def _band_list(ctx: Context, kind: str) -> str:
    rows = sorted((r for r in ctx.table.by_kind(kind) if r.min_minutes is not None), key=lambda r: r.min_minutes or 0)
    return ", ".join(f"{r.code} {r.band()}" for r in rows)


def run(ctx: Context) -> list[Finding]:
    findings = resolve_minutes(ctx)
    timed = [r for r in ctx.current if r.time_based]
    if not timed:
        return findings
    m = ctx.minutes
    spans: tuple[CharSpan, ...] = tuple(ctx.time_spans[:3])
    if m is None or ctx.minutes_source == "input":
        codes = ", ".join(r.code for r in timed)
        if ctx.has_kind("psychotherapy_em_addon") and any(t.category in ("em", "total", "session") for t in ctx.time):
            msg = (
                f"{codes} needs the psychotherapy time documented apart from the E/M time; the note gives only "
                f"total or E/M time. Add e.g. 'Psychotherapy 10:20-10:45 (25 min), separate from E/M.'"
            )
            src = _SRC_T06
        else:
            msg = f"{codes} is a time-based code but the note documents no session time. Add start and stop times (e.g. 'Session 10:02-10:55')."
            if ctx.minutes_source == "input":
                msg += f" The claim says {m} minutes, but auditors read the note."
            src = _SRC_T01
        span_facts = tuple(ctx.span(t.start, t.end) for t in ctx.time if t.category in ("em", "total", "session"))[:3]
        findings.append(Finding("time.missing", "error", msg, span_facts, src))
        if m is None:
            return findings
    min_psy = ctx.settings["time"]["min_psychotherapy_minutes"]
    if m < min_psy and ctx.has_kind("psychotherapy", "psychotherapy_em_addon", "family"):
        findings.append(
            Finding(
                "time.below_minimum",
                "error",
                f"{m} minutes documented: under {min_psy} minutes no psychotherapy code applies. "
                f"Bill only what else the visit supports (e.g. the E/M code alone).",
                spans,
                _SRC_T02,
            )
        )
        return findings
    for r in timed:
        if r.kind in ("crisis", "crisis_addon"):
            findings += _crisis_time(ctx, r.code, m, spans)
            continue
        if r.in_band(m):
            continue
        right = code_for_minutes(ctx, r.kind, m)
        where = f" ({ctx.text[spans[0].start : spans[0].end]})" if spans else ""
        if r.min_minutes is not None and m < r.min_minutes:
            fix = f" Use {right} ({ctx.table.codes[right].band()})." if right else ""
            findings.append(
                Finding(
                    "time.code_mismatch",
                    "error",
                    f"{r.code} needs {r.band()} minutes; {m} minutes documented{where}.{fix}",
                    spans,
                    _SRC_T02,
                )
            )
        else:
            fix = f" {right} ({ctx.table.codes[right].band()}) fits the documented time." if right else ""
            findings.append(
                Finding(
                    "time.code_mismatch",
                    "info",
                    f"{m} minutes documented{where} is above {r.code}'s band ({r.band()}): possible undercoding.{fix}"
                    f" Bands: {_band_list(ctx, r.kind)}.",
                    spans,
                    _SRC_T02,
                )
            )
    return findings


def _crisis_time(ctx: Context, code: str, m: int, spans: tuple[CharSpan, ...]) -> list[Finding]:
    cr = ctx.table.crisis
    supported = cr.codes_for(m)
    src = ctx.source("headway_crisis")
    if code == cr.first_code and m < cr.first_min:
        alt = code_for_minutes(ctx, "psychotherapy", m)
        fix = f" Use {alt}." if alt else ""
        return [
            Finding(
                "time.code_mismatch",
                "error",
                f"{code} needs {cr.first_min}+ minutes of crisis psychotherapy; {m} minutes documented.{fix}",
                spans,
                src,
            )
        ]
    if code == cr.addon_code and cr.addon_code not in supported:
        return [
            Finding(
                "time.code_mismatch",
                "error",
                f"{code} starts at {cr.addon_from} minutes of total crisis time; {m} minutes documented. Bill {cr.first_code} alone.",
                spans,
                src,
            )
        ]
    if code == cr.first_code and cr.addon_code in supported and cr.addon_code not in ctx.billed:
        n = supported.count(cr.addon_code)
        return [
            Finding(
                "time.code_mismatch",
                "info",
                f"{m} minutes of crisis time supports {cr.first_code} + {cr.addon_code} x{n}; only {cr.first_code} is billed.",
                spans,
                src,
            )
        ]
    return []
