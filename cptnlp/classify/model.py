"""The evidence model: a fitted scikit-learn pipeline plus per-label thresholds, saved with joblib and meta.json."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..types import ELEMENTS, CharSpan
from .fast import FastLinear, fast_path, load_export, save_export
from .features import prepare, prepare_tokens

__all__ = ["FAST_FILE", "META_FILE", "MODEL_FILE", "EvidenceModel", "default_model_dir", "load_model"]

MODEL_FILE = "evidence.joblib"
FAST_FILE = "evidence_fast.npz"  # the fitted arrays for inference, loadable without scikit-learn
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

    def __init__(
        self,
        pipeline: Any,
        labels: list[str],
        thresholds: dict[str, float],
        *,
        fast: FastLinear | None = None,
        load_pipeline: Callable[[], Any] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._load_pipeline = load_pipeline
        self.labels = list(labels)
        self.thresholds = dict(thresholds)
        self._thr = np.array([self.thresholds[label] for label in self.labels])
        self._fast = fast if fast is not None else (fast_path(pipeline) if pipeline is not None else None)

    @property
    def pipeline(self) -> Any:
        """The fitted scikit-learn pipeline (loaded on first use when the model came from its export)."""
        if self._pipeline is None and self._load_pipeline is not None:
            self._pipeline = self._load_pipeline()
        return self._pipeline

    def scores(self, texts: list[str], sections: list[str | None]) -> np.ndarray:
        if self._fast is not None:
            return self._fast.scores([prepare_tokens(t, s) for t, s in zip(texts, sections, strict=True)])
        return self.reference_scores([prepare(t, s) for t, s in zip(texts, sections, strict=True)])

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
        return self.element_spans_many([records])[0]

    def element_spans_many(
        self, batch: list[list[tuple[int, int, str, str | None]]]
    ) -> list[dict[str, list[CharSpan]]]:
        """Evidence spans of several notes' sentence records, scored in one model call.

        Within a note, identical sentences in the same section are scored once (templated notes and
        long pasted histories repeat lines); notes are not de-duplicated against each other.
        """
        texts: list[str] = []
        sections: list[str | None] = []
        rows: list[list[int]] = []
        for records in batch:
            first: dict[tuple[str, str | None], int] = {}
            base = len(texts)
            which = [base + first.setdefault((r[2], r[3]), len(first)) for r in records]
            texts += [t for t, _ in first]
            sections += [s for _, s in first]
            rows.append(which)
        scores = self.scores(texts, sections) if texts else np.zeros((0, len(self.labels)))
        out = []
        for records, which in zip(batch, rows, strict=True):
            spans: dict[str, list[CharSpan]] = {e: [] for e in ELEMENTS}
            if records:
                sc = scores[which]
                hit_rows, hit_cols = np.nonzero(sc >= self._thr)
                for i, j in zip(hit_rows.tolist(), hit_cols.tolist(), strict=True):
                    s, e, t, _ = records[i]
                    label = self.labels[j]
                    spans[label].append(CharSpan(s, e, t, label=label, score=float(sc[i, j])))
            out.append(spans)
        return out

    # -- persistence -------------------------------------------------------------------------
    def save(self, directory: str | Path, meta: dict[str, Any]) -> None:
        import joblib

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        path = d / MODEL_FILE
        joblib.dump({"pipeline": self.pipeline, "labels": self.labels, "thresholds": self.thresholds}, path, compress=3)
        meta = dict(meta)
        fast = fast_path(self.pipeline)
        if fast is not None:
            save_export(fast, d / FAST_FILE)
            meta["fast_sha256"] = hashlib.sha256((d / FAST_FILE).read_bytes()).hexdigest()
        else:
            (d / FAST_FILE).unlink(missing_ok=True)
        meta["versions"] = library_versions()
        meta["labels"] = self.labels
        meta["thresholds"] = {k: float(v) for k, v in self.thresholds.items()}  # exact: inference reads them
        meta["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        (d / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _installed(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _verified(path: Path, digest: str | None) -> None:
    if digest and hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ModelError(f"{path} does not match the sha256 in {META_FILE}; it was altered or is corrupt")


def _load_joblib(mpath: Path) -> dict[str, Any]:
    import joblib

    try:
        obj = joblib.load(mpath)
    except Exception as exc:  # joblib raises many types on a bad file
        raise ModelError(f"{mpath} could not be loaded ({type(exc).__name__})") from None
    if set(obj.get("labels", [])) != set(ELEMENTS):
        raise ModelError(f"{mpath} has labels {obj.get('labels')}, expected {list(ELEMENTS)}")
    return obj


def load_model(directory: str | Path | None = None) -> EvidenceModel:
    """Load the model; refuse artifacts made by incompatible library versions or altered on disk.

    Inference runs from the exported arrays (``evidence_fast.npz``), which load without importing
    scikit-learn; the joblib pipeline is loaded only when asked for (``model.pipeline``).
    """
    d = Path(directory) if directory is not None else default_model_dir()
    mpath, meta_path, fpath = d / MODEL_FILE, d / META_FILE, d / FAST_FILE
    if not mpath.exists() or not meta_path.exists():
        raise ModelError(f"no evidence model in {d} (expected {MODEL_FILE} and {META_FILE}); run `cptnlp train`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path} is unreadable: {exc}") from None
    made = meta.get("versions", {}).get("scikit-learn", "unknown")
    installed = _installed("scikit-learn")
    if _minor(made) != _minor(installed):
        raise ModelError(
            f"the model in {d} was built with scikit-learn {made}, but {installed} is installed; "
            f"install scikit-learn {'.'.join(_minor(made))}.x or rebuild it with `cptnlp train`"
        )
    _verified(mpath, meta.get("model_sha256"))
    labels, thresholds = meta.get("labels"), meta.get("thresholds")
    if fpath.exists() and meta.get("fast_sha256") and labels and thresholds:
        _verified(fpath, meta["fast_sha256"])
        if set(labels) != set(ELEMENTS):
            raise ModelError(f"{meta_path} has labels {labels}, expected {list(ELEMENTS)}")
        try:
            fast = load_export(fpath)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{fpath} could not be loaded ({type(exc).__name__})") from None
        return EvidenceModel(None, labels, thresholds, fast=fast, load_pipeline=lambda: _load_joblib(mpath)["pipeline"])
    obj = _load_joblib(mpath)
    return EvidenceModel(obj["pipeline"], obj["labels"], obj["thresholds"])
