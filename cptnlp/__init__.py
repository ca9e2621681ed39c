"""cptnlp: check mental-health progress notes for medical-necessity evidence and CPT code/time consistency."""

from __future__ import annotations

__version__ = "0.1.0"

from .engine import Checker, check, load_checker, make_note
from .errors import CheckError, CptnlpError, DataFileError, InputError, ModelError
from .types import ELEMENTS, CharSpan, Finding, Note, Report

__all__ = [
    "ELEMENTS",
    "CharSpan",
    "CheckError",
    "Checker",
    "CptnlpError",
    "DataFileError",
    "Finding",
    "InputError",
    "ModelError",
    "Note",
    "Report",
    "__version__",
    "check",
    "load_checker",
    "make_note",
]
