"""Medical-necessity requirements per code family, from ``requirements.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .errors import DataFileError
from .rules import load_data_text, parse_toml, validate_fields
from .types import ELEMENTS, SEVERITIES

__all__ = ["Requirement", "Requirements", "load_requirements"]


@dataclass(frozen=True, slots=True)
class Requirement:
    element: str
    severity: str
    weight: int
    source: str


@dataclass(frozen=True)
class Requirements:
    families: dict[str, tuple[Requirement, ...]]  # kind -> requirements
    overrides: dict[tuple[str, str], Requirement]  # (code, element) -> requirement
    examples: dict[str, str]
    sources: dict[str, str]
    score_items: dict[str, int]

    def for_codes(self, codes: list[tuple[str, str]]) -> list[Requirement]:
        """Union of the requirements of the billed (code, kind) pairs; the strictest severity wins."""
        merged: dict[str, Requirement] = {}
        kinds = [k for _, k in codes if k in self.families]
        if not kinds:
            kinds = ["_default"]
        for kind in kinds:
            for req in self.families[kind]:
                prev = merged.get(req.element)
                if prev is None or SEVERITIES.index(req.severity) < SEVERITIES.index(prev.severity):
                    merged[req.element] = req
        for code, _ in codes:
            for (c, el), req in self.overrides.items():
                if c == code and el in merged:
                    merged[el] = Requirement(el, req.severity, merged[el].weight, req.source)
        return [merged[e] for e in ELEMENTS if e in merged]


def parse_requirements(text: str, path: str = "cptnlp/data/requirements.toml") -> Requirements:
    data = parse_toml(path, text)
    sources = data.get("sources", {})
    examples = data.get("examples", {})
    if set(examples) != set(ELEMENTS):
        raise DataFileError(path, f"[examples] must give one example for each element {list(ELEMENTS)}")
    families: dict[str, tuple[Requirement, ...]] = {}

    def req(row: dict, row_id: str) -> Requirement:
        validate_fields(path, row, row_id, required={"element": str, "severity": str, "source": str}, optional={"weight": int})
        if row["element"] not in ELEMENTS:
            raise DataFileError(path, f"element {row['element']!r} not one of {list(ELEMENTS)}", row=row_id)
        if row["severity"] not in SEVERITIES:
            raise DataFileError(path, f"severity must be one of {list(SEVERITIES)}", row=row_id)
        if row["source"] not in sources:
            raise DataFileError(path, f"source {row['source']!r} is not defined in [sources]", row=row_id)
        return Requirement(row["element"], row["severity"], row.get("weight", 1), sources[row["source"]])

    for i, fam in enumerate(data.get("family", []), 1):
        validate_fields(path, fam, f"family {i}", required={"kinds": list, "elements": list})
        reqs = tuple(req(r, f"family {i} element {j}") for j, r in enumerate(fam["elements"], 1))
        for k in fam["kinds"]:
            families[k] = reqs
    if "_default" not in families:
        raise DataFileError(path, "a [[family]] with kinds = [\"_default\"] is required")
    overrides = {}
    for i, ov in enumerate(data.get("override", []), 1):
        validate_fields(path, ov, f"override {i}", required={"code": str, "element": str, "severity": str, "source": str})
        r = req({k: ov[k] for k in ("element", "severity", "source")}, f"override {i}")
        overrides[(ov["code"], ov["element"])] = r
    score_items = data.get("score_items", {})
    if not all(isinstance(v, int) for v in score_items.values()):
        raise DataFileError(path, "[score_items] values must be integers")
    return Requirements(families, overrides, examples, sources, score_items)


@cache
def load_requirements() -> Requirements:
    path, text = load_data_text("requirements.toml")
    return parse_requirements(text, path)
