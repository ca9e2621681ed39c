"""code.* checks: unknown/deleted codes, add-ons, same-day pairs, attendees, 90785, E/M work (domain.md §1.2-1.11)."""

from __future__ import annotations

from itertools import combinations

from ..types import Finding
from .context import Context

__all__ = ["run"]

_SRC_IC = "APA Services, 2022 guidelines for reporting interactive complexity; BCBS RI; AAPC"
_SRC_ATT = "APA Services psychotherapy codes (90846 without / 90847 with the patient); Novitas via TMA"
_SRC_EM = "Noridian JE; BCBS IL: E/M add-ons need a separately identifiable E/M service"
_SRC_GROUP = "NGS L33632 via NextGen: document the number of participants (<= 12)"


def run(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for code in ctx.billed:
        r = ctx.table.get(code)
        if r is None:
            out.append(
                Finding(
                    "code.unknown",
                    "error",
                    f"{code} is not a current code in the cptnlp code table; check the code (see `cptnlp codes`).",
                    (),
                    "cptnlp code table (domain.md §1.2)",
                )
            )
        elif r.is_deleted(ctx.on_date):
            hint = f" {r.replaced_by}" if r.replaced_by else ""
            out.append(
                Finding(
                    "code.unknown",
                    "error",
                    f"{code} was deleted from CPT on {r.deleted.isoformat()} and is invalid for this date of service.{hint}",
                    (),
                    ctx.source(r.source),
                )
            )
    current = ctx.current
    codes = {r.code for r in current}
    for r in current:
        if r.addon and not codes.intersection(r.primaries):
            shown = ", ".join(r.primaries[:6]) + (" ..." if len(r.primaries) > 6 else "")
            out.append(
                Finding(
                    "code.addon_without_primary",
                    "error",
                    f"Add-on {r.code} is billed without a primary code it may go with ({shown}). Add the primary or remove {r.code}.",
                    (),
                    ctx.source(r.source),
                )
            )
    seen: set[tuple[str, str]] = set()
    for a, b in combinations(ctx.billed, 2):
        p = ctx.table.conflicts(a, b)
        if p is None or (p.a, p.b) in seen:
            continue
        seen.add((p.a, p.b))
        ind = "never together (modifier indicator 0)" if p.modifier_indicator == 0 else "only as distinct services with a modifier (indicator 1)"
        out.append(Finding("code.pair_conflict", p.severity, f"{p.a} with {p.b}: {ind}. {p.reason}", (), p.source))
    out += _attendees(ctx, codes)
    if "90785" in codes:
        out += _complexity(ctx)
    if ctx.has_kind("psychotherapy_em_addon") and not ctx.has_fact("em_work"):
        addon = next(r.code for r in current if r.kind == "psychotherapy_em_addon")
        out.append(
            Finding(
                "code.em_missing",
                "error",
                f"{addon} is an E/M add-on but the note documents no E/M work (medication review, prescribing decision, "
                f"vitals, labs). Document the E/M service, or bill psychotherapy without E/M.",
                (),
                _SRC_EM,
            )
        )
    return out


def _attendees(ctx: Context, codes: set[str]) -> list[Finding]:
    out: list[Finding] = []
    present = ctx.summary["client_present"]
    absent_spans = ctx.fact_spans("client_absent")
    if "90847" in codes and ctx.has_fact("client_absent") and not ctx.has_fact("client_present"):
        out.append(
            Finding(
                "code.attendee_mismatch",
                "error",
                "90847 is family psychotherapy with the client present, but the note says the client was not present. Use 90846.",
                absent_spans,
                _SRC_ATT,
            )
        )
    if "90846" in codes and present is True:
        out.append(
            Finding(
                "code.attendee_mismatch",
                "error",
                "90846 is family psychotherapy without the client, but the note shows the client present. Use 90847.",
                ctx.fact_spans("client_present"),
                _SRC_ATT,
            )
        )
    individual = codes & {r.code for r in ctx.table.by_kind("psychotherapy", "psychotherapy_em_addon")}
    if individual and ctx.has_fact("client_absent") and not ctx.has_fact("client_present") and not codes & {"90846", "90847"}:
        out.append(
            Finding(
                "code.attendee_mismatch",
                "error",
                f"{', '.join(sorted(individual))} requires the client present for all or part of the session, "
                f"but the note says the client was not present. Family psychotherapy without the client is 90846.",
                absent_spans,
                "APA 2013 / AAPC: the patient must be present for all or part of 90832-90838",
            )
        )
    for code in ("90853", "90849"):
        if code not in codes:
            continue
        r = ctx.table.codes[code]
        size = ctx.summary["group_size"]
        if size is None:
            out.append(
                Finding(
                    "code.attendee_mismatch",
                    "warning",
                    f"{code} is group psychotherapy but the note does not state the number of participants. Add e.g. '7 members present.'",
                    ctx.fact_spans("group"),
                    _SRC_GROUP,
                )
            )
        elif r.max_group_size and size > r.max_group_size:
            out.append(
                Finding(
                    "code.attendee_mismatch",
                    "warning",
                    f"{size} participants documented; Medicare (NGS L33632) limits {code} groups to {r.max_group_size}.",
                    ctx.fact_spans("group_size"),
                    _SRC_GROUP,
                )
            )
    return out


def _complexity(ctx: Context) -> list[Finding]:
    if ctx.summary["complexity_factors"]:
        return []
    msg = (
        "90785 is billed but none of the four interactive-complexity factors is documented (maladaptive communication "
        "among participants; caregiver emotions/behavior interfering with the treatment plan; a sentinel event with a "
        "mandated report; play equipment, devices or an interpreter for a client without ordinary expressive/receptive "
        "language). Document the factor and how it affected the session, or remove 90785."
    )
    spans = ()
    if ctx.has_fact("interpreter"):
        msg += " An interpreter for a language barrier alone does not qualify."
        spans = ctx.fact_spans("interpreter", limit=2)
    return [Finding("code.complexity_unsupported", "error", msg, spans, _SRC_IC)]
