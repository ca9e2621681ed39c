"""Print session-minutes accuracy over the golden cases: `python tests/golden/measure_minutes.py [--no-model]`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden import load_cases, run_case

from cptnlp import Checker, load_checker


def main(argv: list[str]) -> int:
    checker = Checker(use_model=False) if "--no-model" in argv else load_checker()
    cases = load_cases()
    right = 0
    for case in cases:
        _, report = run_case(checker, case)
        ok = report.minutes == case["expected_minutes"]
        right += ok
        if not ok:
            print(
                f"WRONG {case['file']}: got {report.minutes} ({report.minutes_source}), "
                f"expected {case['expected_minutes']} ({case['expected_minutes_source']})"
            )
    print(f"minutes accuracy: {right}/{len(cases)} = {100.0 * right / len(cases):.1f}%")
    return 0 if right * 100 >= 97 * len(cases) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
