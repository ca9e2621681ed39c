"""suggested_cpt: the code set the documentation supports (contract §4)."""

from __future__ import annotations

from .context import Context
from .timing import code_for_minutes

__all__ = ["suggest"]


def suggest(ctx: Context) -> list[str]:
    table = ctx.table
    m = ctx.minutes
    min_psy = ctx.settings["time"]["min_psychotherapy_minutes"]
    current = ctx.current
    kinds = {r.kind for r in current}
    has_em = "em" in kinds
    em_work = ctx.has_fact("em_work")
    out: list[str] = []

    def add(code: str | None) -> None:
        if code and code not in out:
            out.append(code)

    crisis_billed = bool(kinds & {"crisis", "crisis_addon"})
    crisis_ok = crisis_billed and not any(f.code == "crisis.elements_missing" for f in ctx.findings)
    eval_billed = "eval" in kinds
    for r in current:
        if r.kind == "em":
            if not eval_billed:
                add(r.code)
        elif r.kind == "eval":
            add(r.code)
            if r.code == "90791" and "90792" in ctx.billed:
                break
        elif r.kind == "crisis" or (r.kind == "crisis_addon" and table.crisis.first_code not in ctx.billed):
            # +90840 billed alone: the time still supports the crisis set that starts with 90839
            if m is None:
                continue
            if crisis_ok or not (kinds & {"psychotherapy", "psychotherapy_em_addon"}):
                codes = table.crisis.codes_for(m)
                if codes:
                    for c in codes:
                        if c not in out:
                            out.append(c)
                elif m >= min_psy:
                    add(code_for_minutes(ctx, "psychotherapy_em_addon" if has_em else "psychotherapy", m))
        elif r.kind in ("psychotherapy", "psychotherapy_em_addon"):
            if eval_billed or (crisis_ok and crisis_billed) or m is None or m < min_psy:
                continue
            if has_em and em_work:
                add(code_for_minutes(ctx, "psychotherapy_em_addon", m))
            elif r.kind == "psychotherapy_em_addon" and has_em and not em_work:
                add(code_for_minutes(ctx, "psychotherapy", m))
            elif r.kind == "psychotherapy_em_addon":
                continue  # add-on with no E/M primary billed
            else:
                add(code_for_minutes(ctx, "psychotherapy", m))
        elif r.kind == "family":
            if m is None or (r.min_minutes and m < r.min_minutes):
                continue
            absent = ctx.has_fact("client_absent") and not ctx.has_fact("client_present")
            if r.code == "90847" and absent:
                add("90846")
            elif r.code == "90846" and ctx.summary["client_present"] is True:
                add("90847")
            else:
                add(r.code)
        elif r.kind == "group":
            add(r.code)
        elif r.kind in ("complexity_addon", "pharm_addon", "crisis_addon"):
            continue  # decided below, once the primaries are known
        elif r.kind == "deleted_psychiatry":
            continue
    for c in ctx.billed:
        old = table.get(c)
        # A deleted time-based code (e.g. 90806) maps to the current code of its successor kind by the time rule.
        if old is None or old.successor_kind is None or not old.is_deleted(ctx.on_date) or m is None or m < min_psy:
            continue
        if old.successor_kind == "psychotherapy_em_addon" and not has_em:
            continue
        add(code_for_minutes(ctx, old.successor_kind, m))
    if has_em and not em_work and any(r.kind == "psychotherapy_em_addon" for r in current):
        out = [c for c in out if table.codes[c].kind != "em"]
    if "90785" in ctx.billed and ctx.summary["complexity_factors"]:
        prim = table.codes["90785"].primaries
        if any(c in prim for c in out) and not (set(out) & {"90839", "90840", "90846", "90847"}):
            add("90785")
    if "90863" in ctx.billed and any(c in table.codes["90863"].primaries for c in out):
        add("90863")
    return sorted(out, key=lambda c: (table.codes[c].addon, c))
