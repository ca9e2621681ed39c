"""The evidence model: a fitted scikit-learn pipeline plus per-label thresholds, saved with joblib and meta.json."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..types import ELEMENTS, CharSpan
from .fast import fast_path
from .features import prepare

__all__ = ["META_FILE", "MODEL_FILE", "EvidenceModel", "default_model_dir", "load_model"]

MODEL_FILE = "evidence.joblib"
META_FILE = "meta.json"


def default_model_dir() -> Path:
    """``models/`` next to the package (repository checkout or editable install)."""
    here = Path(__file__).resolve().parent.parent.parent / "models"
    return here


def library_versions() -> dict[str, str]:
    import joblib
    import sklearn
    import spacy

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "spacy": spacy.__version__,
    }


def _minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


class EvidenceModel:
    """Scores sentences for the 11 evidence elements; thresholds decide presence."""

    def __init__(self, pipeline: Any, labels: list[str], thresholds: dict[str, float]) -> None:
        self.pipeline = pipeline
        self.labels = list(labels)
        self.thresholds = dict(thresholds)
        self._thr = np.array([self.thresholds[label] for label in self.labels])
        self._fast = fast_path(pipeline)

    def scores(self, texts: list[str], sections: list[str | None]) -> np.ndarray:
        X = [prepare(t, s) for t, s in zip(texts, sections, strict=True)]
        if self._fast is not None:
            return self._fast.scores(X)
        return self.reference_scores(X)

    def reference_scores(self, X: list[str]) -> np.ndarray:
        """Scores from the scikit-learn pipeline itself (prepared texts); the fast path must match these."""
        if hasattr(self.pipeline, "predict_proba"):
            return np.asarray(self.pipeline.predict_proba(X))
        return np.asarray(self.pipeline.decision_function(X))

    def predict(self, texts: list[str], sections: list[str | None]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=bool)
        return self.scores(texts, sections) >= self._thr

    def element_spans(self, records: list[tuple[int, int, str, str | None]]) -> dict[str, list[CharSpan]]:
        out: dict[str, list[CharSpan]] = {e: [] for e in ELEMENTS}
        if not records:
            return out
        sc = self.scores([r[2] for r in records], [r[3] for r in records])
        hit = sc >= self._thr
        rows, cols = np.nonzero(hit)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            s, e, t, _ = records[i]
            label = self.labels[j]
            out[label].append(CharSpan(s, e, t, label=label, score=float(sc[i, j])))
        return out

    # -- persistence -------------------------------------------------------------------------
    def save(self, directory: str | Path, meta: dict[str, Any]) -> None:
        import joblib

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        path = d / MODEL_FILE
        joblib.dump({"pipeline": self.pipeline, "labels": self.labels, "thresholds": self.thresholds}, path, compress=3)
        meta = dict(meta)
        meta["versions"] = library_versions()
        meta["labels"] = self.labels
        meta["thresholds"] = {k: round(float(v), 6) for k, v in self.thresholds.items()}
        meta["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        (d / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load_model(directory: str | Path | None = None) -> EvidenceModel:
    """Load the model; refuse artifacts made by incompatible library versions or altered on disk."""
    import joblib
    import sklearn

    d = Path(directory) if directory is not None else default_model_dir()
    mpath, meta_path = d / MODEL_FILE, d / META_FILE
    if not mpath.exists() or not meta_path.exists():
        raise ModelError(f"no evidence model in {d} (expected {MODEL_FILE} and {META_FILE}); run `cptnlp train`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path} is unreadable: {exc}") from None
    made = meta.get("versions", {}).get("scikit-learn", "unknown")
    if _minor(made) != _minor(sklearn.__version__):
        raise ModelError(
            f"the model in {d} was built with scikit-learn {made}, but {sklearn.__version__} is installed; "
            f"install scikit-learn {'.'.join(_minor(made))}.x or rebuild it with `cptnlp train`"
        )
    digest = hashlib.sha256(mpath.read_bytes()).hexdigest()
    if meta.get("model_sha256") and digest != meta["model_sha256"]:
        raise ModelError(f"{mpath} does not match the sha256 in {META_FILE}; it was altered or is corrupt")
    try:
        obj = joblib.load(mpath)
    except Exception as exc:  # joblib raises many types on a bad file
        raise ModelError(f"{mpath} could not be loaded ({type(exc).__name__})") from None
    if set(obj.get("labels", [])) != set(ELEMENTS):
        raise ModelError(f"{mpath} has labels {obj.get('labels')}, expected {list(ELEMENTS)}")
    return EvidenceModel(obj["pipeline"], obj["labels"], obj["thresholds"])
