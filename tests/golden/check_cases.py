"""Sanity check for tests/golden/cases.json: run `python tests/golden/check_cases.py`."""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = {"file", "cpt", "input_minutes", "expected_minutes", "expected_minutes_source",
          "expected_suggested_cpt", "expected_findings", "why"}
SOURCES = {"start_stop", "stated", "input", None}
FAMILIES = ("time.", "code.", "crisis.", "eval.", "telehealth.", "signature.")


def main() -> int:
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    errors = []
    seen = set()
    for i, c in enumerate(cases):
        tag = c.get("file", f"#{i}")
        if set(c) != FIELDS:
            errors.append(f"{tag}: fields {sorted(set(c) ^ FIELDS)} missing/extra")
            continue
        if not (HERE / "notes" / c["file"]).is_file():
            errors.append(f"{tag}: note file missing")
        if not re.fullmatch(r"\d{3}-[a-z0-9.-]+\.txt", c["file"]) or c["file"] in seen:
            errors.append(f"{tag}: bad or duplicate file name")
        seen.add(c["file"])
        for k in ("cpt", "expected_suggested_cpt"):
            if not all(isinstance(x, str) and re.fullmatch(r"\d{5}", x) for x in c[k]):
                errors.append(f"{tag}: {k} must be a list of 5-digit strings")
        if not c["cpt"]:
            errors.append(f"{tag}: cpt empty")
        for k in ("input_minutes", "expected_minutes"):
            if c[k] is not None and not isinstance(c[k], int):
                errors.append(f"{tag}: {k} must be int or null")
        src = c["expected_minutes_source"]
        if src not in SOURCES:
            errors.append(f"{tag}: bad source {src!r}")
        if (src is None) != (c["expected_minutes"] is None):
            errors.append(f"{tag}: minutes/source null mismatch")
        if src == "input" and c["input_minutes"] != c["expected_minutes"]:
            errors.append(f"{tag}: source input but minutes differ from input_minutes")
        if not all(isinstance(f, str) and f.startswith(FAMILIES) for f in c["expected_findings"]):
            errors.append(f"{tag}: finding outside allowed families")
        if not isinstance(c["why"], str) or not c["why"].strip():
            errors.append(f"{tag}: why empty")
    on_disk = {p.name for p in (HERE / "notes").glob("*.txt")}
    for extra in sorted(on_disk - seen):
        errors.append(f"{extra}: note without a case")
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(cases)} cases, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
