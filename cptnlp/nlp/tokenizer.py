"""A lean spaCy Tokenizer for notes, with its punctuation rules from ``data/tokenizer.toml``."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from ..errors import DataFileError
from ..rules import load_toml_data, validate_fields

__all__ = ["NoteTokenizer", "doc_text", "make_note_tokenizer", "note_tokenizer"]

if not Doc.has_extension("cptnlp"):
    Doc.set_extension("cptnlp", default=None)


class NoteTokenizer:
    """The spaCy Tokenizer, keeping the note's text on ``doc._.cptnlp["text"]``.

    spaCy's tokenizer is non-destructive (``doc.text == text``), but ``Doc.text`` rebuilds the
    string by visiting every token, which costs as much as the rest of the rule components;
    the components read the one original string instead.
    """

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc._.cptnlp = {"text": text}
        return doc

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (NoteTokenizer, (self.tokenizer,))


def doc_text(doc: Doc) -> str:
    """The note's text: the string NoteTokenizer kept (``Doc.text`` rebuilds it from every token), stored
    on first use for a Doc made by another tokenizer."""
    data = doc._.cptnlp
    if data is None:
        data = doc._.cptnlp = {}
    text = data.get("text")
    if text is None:
        text = data["text"] = doc.text
    return text


def note_tokenizer(vocab: Vocab) -> NoteTokenizer:
    """spaCy Tokenizer splitting on whitespace plus the prefix/suffix/infix rules of the data file."""
    path, data = load_toml_data("tokenizer.toml")
    validate_fields(path, data, "(top level)", required={"prefix": str, "suffix": str, "infix": str, "source": str})
    try:
        prefix, suffix, infix = (re.compile(data[k]) for k in ("prefix", "suffix", "infix"))
    except re.error as exc:
        raise DataFileError(path, f"invalid regular expression ({exc})") from None
    return NoteTokenizer(
        Tokenizer(vocab, prefix_search=prefix.search, suffix_search=suffix.search, infix_finditer=infix.finditer)
    )


@registry.tokenizers("cptnlp_note_tokenizer.v1")
def make_note_tokenizer() -> Any:
    """The note tokenizer as a registered spaCy tokenizer, so ``spacy.blank`` builds it directly
    instead of first building (and loading the special cases of) the language's default one."""

    def create(nlp: Any) -> NoteTokenizer:
        return note_tokenizer(nlp.vocab)

    return create
