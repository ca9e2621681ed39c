"""spaCy side of cptnlp: the cptnlp_* pipeline components."""

from . import components, evidence  # noqa: F401  (register factories)
