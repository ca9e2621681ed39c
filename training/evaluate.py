"""Evaluate the shipped (frozen) model on the out-of-style set: note-level element detection."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from cptnlp import ELEMENTS, Checker
from cptnlp.classify.model import load_model
from cptnlp.classify.train import note_metrics


def evaluate(folder: str | Path, model_dir: str | Path | None = None) -> dict:
    folder = Path(folder)
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    checker = Checker(model=load_model(model_dir))
    gold, pred = [], []
    for name in sorted(labels):
        text = (folder / "notes" / name).read_text(encoding="utf-8")
        els = checker.nlp(text)._.cptnlp["elements"]
        gold.append([1 if e in labels[name]["present"] else 0 for e in ELEMENTS])
        pred.append([1 if els.get(e) else 0 for e in ELEMENTS])
    return note_metrics(np.array(pred), np.array(gold))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", default="tests/out_of_style")
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=None, help="write the metrics JSON here")
    a = ap.parse_args()
    m = evaluate(a.set, a.model)
    print(f"out-of-style: {m['notes']} notes; macro F1 present {m['macro_f1_present']:.3f}, absent {m['macro_f1_absent']:.3f}")
    for e in ELEMENTS:
        pe = m["per_element"][e]
        print(f"  {e:14s} present P {pe['present']['precision']:.2f} R {pe['present']['recall']:.2f} F1 {pe['present']['f1']:.2f} (n={pe['present']['support']}) | absent P {pe['absent']['precision']:.2f} R {pe['absent']['recall']:.2f} F1 {pe['absent']['f1']:.2f} (n={pe['absent']['support']})")
    if a.out:
        Path(a.out).write_text(json.dumps(m, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
