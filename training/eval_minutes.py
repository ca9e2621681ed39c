"""Session-minutes accuracy on a hand-labelled set.

    python training/eval_minutes.py tests/holdout_minutes_3 [more sets...] [-v]

A set is a folder with ``notes/*.txt`` and ``labels.json`` mapping each file name to
``{"cpt": [...], "expected_minutes": int | null}``. The checker runs without the evidence
model (minutes do not depend on it), with the labelled codes as the billed codes.
Exit status 0 when every set reaches 97%.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cptnlp import Checker
from cptnlp.engine import make_note


def score_set(checker: Checker, folder: Path, verbose: bool) -> tuple[int, int]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    right = 0
    for name, lab in sorted(labels.items()):
        text = (folder / "notes" / name).read_text(encoding="utf-8")
        report = checker.check(make_note(text, cpt=lab.get("cpt") or None, date="2025-06-01"))
        ok = report.minutes == lab["expected_minutes"]
        right += ok
        if not ok or verbose:
            mark = "ok   " if ok else "WRONG"
            print(
                f"{mark} {folder.name}/{name}: got {report.minutes} ({report.minutes_source}), "
                f"expected {lab['expected_minutes']}"
            )
    return right, len(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list right answers too")
    args = parser.parse_args(argv)
    checker = Checker(use_model=False)
    passed = True
    total_right = total = 0
    for folder in args.sets:
        if not (folder / "labels.json").is_file():
            print(f"{folder}: no labels.json yet, skipped")
            continue
        right, n = score_set(checker, folder, args.verbose)
        total_right += right
        total += n
        passed &= right * 100 >= 97 * n
        print(f"{folder}: {right}/{n} = {100.0 * right / n:.1f}%")
    if len(args.sets) > 1:
        print(f"all: {total_right}/{total} = {100.0 * total_right / total:.1f}%")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
