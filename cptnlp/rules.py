"""Load and validate the rule data files shipped in ``cptnlp/data`` (code table, pairs, settings)."""

from __future__ import annotations

import datetime as _dt
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .errors import DataFileError

__all__ = [
    "CodeRule",
    "CodeTable",
    "PairRule",
    "load_code_table",
    "load_data_text",
    "load_settings",
    "load_toml_data",
    "parse_codes",
    "parse_toml",
    "validate_fields",
]

_CODE_RE = re.compile(r"^[0-9]{4}[0-9A-Z]$")
_KINDS = {
    "psychotherapy",
    "psychotherapy_em_addon",
    "crisis",
    "crisis_addon",
    "eval",
    "family",
    "group",
    "complexity_addon",
    "pharm_addon",
    "em",
    "prolonged",
    "deleted_psychiatry",
}
_ATTENDEES = {"client_present", "client_absent", "group"}


def load_data_text(name: str) -> tuple[str, str]:
    """Return (display path, text) of a packaged data file such as ``cpt_codes.toml``."""
    ref = resources.files("cptnlp") / "data" / name
    try:
        return f"cptnlp/data/{name}", ref.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"cptnlp/data/{name}", "file is missing from the package") from None


def parse_toml(path: str, text: str) -> dict[str, Any]:
    """TOML text of a data file; a syntax error raises DataFileError naming ``path``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path, f"not valid TOML ({exc})") from None


def load_toml_data(name: str, text: str | None = None) -> tuple[str, dict[str, Any]]:
    """(display path, parsed TOML) of a packaged data file, or of ``text`` when given (tests)."""
    path, body = (name, text) if text is not None else load_data_text(name)
    return path, parse_toml(path, body)


def load_json_data(name: str) -> tuple[str, Any]:
    path, body = load_data_text(name)
    try:
        return path, json.loads(body)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None


def validate_fields(
    path: str,
    row: Any,
    row_id: str | int,
    *,
    required: dict[str, type | tuple[type, ...]],
    optional: dict[str, type | tuple[type, ...]] | None = None,
) -> dict[str, Any]:
    """Check a data row's keys and types; raise DataFileError naming file, row and expectation."""
    optional = optional or {}
    if not isinstance(row, dict):
        raise DataFileError(path, f"expected a table/object, got {type(row).__name__}", row=row_id)
    allowed = {**required, **optional}
    unknown = sorted(set(row) - set(allowed))
    if unknown:
        raise DataFileError(path, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}", row=row_id)
    for key in required:
        if key not in row:
            raise DataFileError(path, f"missing required key {key!r}", row=row_id)
    for key, value in row.items():
        typ = allowed[key]
        if isinstance(value, bool) and typ in (int, float):
            raise DataFileError(path, f"{key!r} must be {typ.__name__}, got bool", row=row_id)
        if not isinstance(value, typ):
            want = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
            raise DataFileError(path, f"{key!r} must be {want}, got {type(value).__name__}", row=row_id)
    return row


@dataclass(frozen=True, slots=True)
class CodeRule:
    """One row of the code table."""

    code: str
    summary: str
    kind: str
    source: str
    time_based: bool = False
    min_minutes: int | None = None
    max_minutes: int | None = None
    addon: bool = False
    primaries: tuple[str, ...] = ()
    attendee: str | None = None
    deleted: _dt.date | None = None
    replaced_by: str | None = None
    max_group_size: int | None = None
    successor_kind: str | None = None

    def band(self) -> str:
        if self.min_minutes is None:
            return "-"
        if self.max_minutes is None:
            return f"{self.min_minutes}+"
        return f"{self.min_minutes}-{self.max_minutes}"

    def in_band(self, minutes: int) -> bool:
        lo = self.min_minutes if self.min_minutes is not None else 0
        hi = self.max_minutes if self.max_minutes is not None else 10**9
        return lo <= minutes <= hi

    def is_deleted(self, on: _dt.date) -> bool:
        return self.deleted is not None and on >= self.deleted


@dataclass(frozen=True, slots=True)
class PairRule:
    """Two codes that conflict on the same day."""

    a: str
    b: str
    modifier_indicator: int
    severity: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class CrisisRule:
    first_code: str
    addon_code: str
    first_min: int
    addon_from: int
    addon_step: int
    source: str

    def codes_for(self, minutes: int) -> list[str]:
        """Crisis codes supported by total crisis minutes (domain.md §1.3)."""
        if minutes < self.first_min:
            return []
        out = [self.first_code]
        if minutes >= self.addon_from:
            out += [self.addon_code] * (1 + (minutes - self.addon_from) // self.addon_step)
        return out


@dataclass(frozen=True)
class CodeTable:
    """The code table in force: codes, pair conflicts, crisis bands and the sources they cite."""

    codes: dict[str, CodeRule]
    pairs: tuple[PairRule, ...]
    crisis: CrisisRule
    sources: dict[str, str]

    def get(self, code: str) -> CodeRule | None:
        return self.codes.get(code)

    def source_text(self, key: str) -> str:
        return self.sources.get(key, key)

    def by_kind(self, *kinds: str) -> list[CodeRule]:
        return [c for c in self.codes.values() if c.kind in kinds]

    def conflicts(self, a: str, b: str) -> PairRule | None:
        for p in self.pairs:
            if (p.a == a and p.b == b) or (p.a == b and p.b == a):
                return p
        return None


def _expand_range(path: str, row_id: str, lo: str, hi: str) -> list[str]:
    if not (lo.isdigit() and hi.isdigit() and int(lo) <= int(hi)):
        raise DataFileError(
            path, f"primary_ranges entry [{lo!r}, {hi!r}] must be two numeric codes, low to high", row=row_id
        )
    return [str(n) for n in range(int(lo), int(hi) + 1)]


def _parse_code_rows(path: str, data: dict[str, Any]) -> tuple[dict[str, CodeRule], dict[str, str]]:
    sources = data.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise DataFileError(path, "[sources] must map short names to citation strings")
    rows = data.get("code")
    if not isinstance(rows, list) or not rows:
        raise DataFileError(path, "expected one or more [[code]] tables")
    codes: dict[str, CodeRule] = {}
    for i, row in enumerate(rows, 1):
        row_id = f"{i} ({row.get('code', '?')})" if isinstance(row, dict) else i
        validate_fields(
            path,
            row,
            row_id,
            required={"code": str, "summary": str, "kind": str, "source": str},
            optional={
                "time_based": bool,
                "min_minutes": int,
                "max_minutes": int,
                "addon": bool,
                "primaries": list,
                "primary_ranges": list,
                "attendee": str,
                "deleted": (str, _dt.date),
                "replaced_by": str,
                "max_group_size": int,
                "successor_kind": str,
            },
        )
        code = row["code"]
        if not _CODE_RE.match(code):
            raise DataFileError(path, f"code {code!r} must be five characters (e.g. '90834')", row=row_id)
        if code in codes:
            raise DataFileError(path, f"duplicate code {code}", row=row_id)
        if row["kind"] not in _KINDS:
            raise DataFileError(path, f"kind {row['kind']!r} not one of {sorted(_KINDS)}", row=row_id)
        if row["source"] not in sources:
            raise DataFileError(path, f"source {row['source']!r} is not defined in [sources]", row=row_id)
        if "attendee" in row and row["attendee"] not in _ATTENDEES:
            raise DataFileError(path, f"attendee {row['attendee']!r} not one of {sorted(_ATTENDEES)}", row=row_id)
        if "successor_kind" in row and row["successor_kind"] not in _KINDS:
            raise DataFileError(
                path, f"successor_kind {row['successor_kind']!r} not one of {sorted(_KINDS)}", row=row_id
            )
        if "successor_kind" in row and "deleted" not in row:
            raise DataFileError(path, "successor_kind is only allowed on deleted codes", row=row_id)
        lo, hi = row.get("min_minutes"), row.get("max_minutes")
        if (lo is not None and lo < 0) or (lo is not None and hi is not None and hi < lo):
            raise DataFileError(path, f"time band {lo}-{hi} must be non-negative and low <= high", row=row_id)
        if row.get("time_based") and lo is None:
            raise DataFileError(path, "time_based codes need min_minutes", row=row_id)
        primaries: list[str] = []
        for p in row.get("primaries", []):
            if not isinstance(p, str) or not _CODE_RE.match(p):
                raise DataFileError(path, f"primaries entry {p!r} must be a code string", row=row_id)
            primaries.append(p)
        for rng in row.get("primary_ranges", []):
            if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, str) for x in rng)):
                raise DataFileError(path, "primary_ranges entries must be [low, high] code pairs", row=row_id)
            primaries += _expand_range(path, row_id, rng[0], rng[1])
        if row.get("addon") and not primaries:
            raise DataFileError(path, "add-on codes need primaries or primary_ranges", row=row_id)
        deleted = row.get("deleted")
        if isinstance(deleted, str):
            try:
                deleted = _dt.date.fromisoformat(deleted)
            except ValueError:
                raise DataFileError(path, f"deleted {deleted!r} must be a YYYY-MM-DD date", row=row_id) from None
        codes[code] = CodeRule(
            code=code,
            summary=row["summary"],
            kind=row["kind"],
            source=row["source"],
            time_based=row.get("time_based", False),
            min_minutes=lo,
            max_minutes=hi,
            addon=row.get("addon", False),
            primaries=tuple(primaries),
            attendee=row.get("attendee"),
            deleted=deleted,
            replaced_by=row.get("replaced_by"),
            max_group_size=row.get("max_group_size"),
            successor_kind=row.get("successor_kind"),
        )
    return codes, sources


def _parse_pairs(path: str, data: dict[str, Any]) -> tuple[PairRule, ...]:
    groups = data.get("groups", {})
    if not isinstance(groups, dict):
        raise DataFileError(path, "[groups] must map names to lists of codes")

    def expand(row_id: str, items: list[Any]) -> list[str]:
        out: list[str] = []
        for it in items:
            if not isinstance(it, str):
                raise DataFileError(path, f"pair entry {it!r} must be a code or @group", row=row_id)
            if it.startswith("@"):
                if it[1:] not in groups:
                    raise DataFileError(path, f"unknown group {it}; defined: {sorted(groups)}", row=row_id)
                out += groups[it[1:]]
            elif _CODE_RE.match(it):
                out.append(it)
            else:
                raise DataFileError(path, f"pair entry {it!r} must be a five-character code or @group", row=row_id)
        return out

    pairs: list[PairRule] = []
    for i, row in enumerate(data.get("pair", []), 1):
        validate_fields(
            path,
            row,
            i,
            required={"a": list, "b": list, "modifier_indicator": int, "severity": str, "reason": str, "source": str},
        )
        if row["modifier_indicator"] not in (0, 1):
            raise DataFileError(path, "modifier_indicator must be 0 or 1", row=i)
        if row["severity"] not in ("error", "warning", "info"):
            raise DataFileError(path, "severity must be error, warning or info", row=i)
        for a in expand(str(i), row["a"]):
            for b in expand(str(i), row["b"]):
                if a != b:
                    pairs.append(
                        PairRule(a, b, row["modifier_indicator"], row["severity"], row["reason"], row["source"])
                    )
    return tuple(pairs)


def _parse_crisis(path: str, data: dict[str, Any]) -> CrisisRule:
    row = validate_fields(
        path,
        data.get("crisis"),
        "[crisis]",
        required={
            "first_code": str,
            "addon_code": str,
            "first_min": int,
            "addon_from": int,
            "addon_step": int,
            "source": str,
        },
    )
    if row["addon_step"] <= 0 or row["addon_from"] <= row["first_min"]:
        raise DataFileError(path, "crisis bands must satisfy first_min < addon_from and addon_step > 0", row="[crisis]")
    return CrisisRule(**row)


def parse_code_table(cpt_text: str | None = None, pairs_text: str | None = None) -> CodeTable:
    """Parse and validate the code table (packaged files unless texts are given, for tests)."""
    path, data = load_toml_data("cpt_codes.toml", cpt_text)
    codes, sources = _parse_code_rows(path, data)
    crisis = _parse_crisis(path, data)
    ppath, pdata = load_toml_data("pairs.toml", pairs_text)
    pairs = _parse_pairs(ppath, pdata)
    for code in (crisis.first_code, crisis.addon_code):
        if code not in codes:
            raise DataFileError(path, f"crisis code {code} is not in the table", row="[crisis]")
    return CodeTable(codes=codes, pairs=pairs, crisis=crisis, sources=sources)


@cache
def load_code_table() -> CodeTable:
    """The packaged code table, validated once per process."""
    return parse_code_table()


@cache
def load_settings() -> dict[str, Any]:
    """Thresholds from ``settings.toml``."""
    path, data = load_toml_data("settings.toml")
    for section, keys in {
        "time": ("tolerance_minutes", "min_psychotherapy_minutes", "max_session_minutes"),
        "score": ("error_penalty", "warning_penalty"),
        "input": ("max_note_chars",),
        "batch": ("max_vocab_entries",),
    }.items():
        if section not in data:
            raise DataFileError(path, f"missing [{section}] table")
        for k in keys:
            if not isinstance(data[section].get(k), int):
                raise DataFileError(path, f"{k!r} must be an integer", row=f"[{section}]")
    return data


_CODE_TOKEN = re.compile(r"[,\s;+]+")
# CPT Category I (90834), Category II/III (0362T, 1040F) and HCPCS Level II (G0444) codes.
_CODE_FORM = re.compile(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}")


def parse_codes(value: Any) -> tuple[str, ...]:
    """Billed codes from '90834 90785', '90834,90785', '+90785' or a list; upper-cased, de-duplicated."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = [v for v in _CODE_TOKEN.split(value.strip()) if v]
    elif isinstance(value, (list, tuple)):
        items = []
        for v in value:
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise ValueError("billed codes must be strings")
            items += [x for x in _CODE_TOKEN.split(str(v).strip()) if x]
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [str(value)]
    else:
        raise ValueError("billed codes must be a string or a list of strings")
    out: list[str] = []
    for it in items:
        it = it.upper().lstrip("+")
        it = it.split("-")[0]  # drop a modifier such as 90834-95
        if it and not _CODE_FORM.fullmatch(it):
            # Only code-like typos are quoted: anything else may be note text that landed in the wrong column.
            shown = repr(it) if len(it) <= 8 and any(ch.isdigit() for ch in it) else "a value"
            raise ValueError(f"{shown} is not a CPT/HCPCS code (five characters, e.g. 90834, 0362T, G0444)")
        if it and it not in out:
            out.append(it)
    return tuple(out)
