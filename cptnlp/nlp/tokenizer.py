"""A lean spaCy Tokenizer for notes, with its punctuation rules from ``data/tokenizer.toml``."""

from __future__ import annotations

import re

from spacy.tokenizer import Tokenizer
from spacy.vocab import Vocab

from ..errors import DataFileError
from ..rules import load_toml_data, validate_fields

__all__ = ["note_tokenizer"]


def note_tokenizer(vocab: Vocab) -> Tokenizer:
    """spaCy Tokenizer splitting on whitespace plus the prefix/suffix/infix rules of the data file."""
    path, data = load_toml_data("tokenizer.toml")
    validate_fields(path, data, "(top level)", required={"prefix": str, "suffix": str, "infix": str, "source": str})
    try:
        prefix, suffix, infix = (re.compile(data[k]) for k in ("prefix", "suffix", "infix"))
    except re.error as exc:
        raise DataFileError(path, f"invalid regular expression ({exc})") from None
    return Tokenizer(vocab, prefix_search=prefix.search, suffix_search=suffix.search, infix_finditer=infix.finditer)
