"""Rebuild the shipped evidence model from training/data (same as `cptnlp train`)."""

from __future__ import annotations

import argparse
import sys

from cptnlp.classify.train import train_cli

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="training/data")
    ap.add_argument("--out", default="models")
    a = ap.parse_args()
    sys.exit(train_cli(a.data, a.out))
