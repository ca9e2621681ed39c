"""Fast inference for the evidence model: the fitted TF-IDF + one-vs-rest linear pipeline as plain arrays.

scikit-learn's per-call overhead (input validation, FeatureUnion's joblib wrapper, eleven separate
estimator calls) and its character n-gram analysis dominated per-note time. Character n-grams
of ``char_wb`` are computed word by word, so a word's n-gram counts are cached; the linear
models are fused into one weight matrix. The arithmetic is the pipeline's own (counts,
sublinear tf, idf, l2 norm per block, dot product, sigmoid), so decisions match it; a test
compares the two on the whole corpus.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FastLinear", "fast_path"]

_CACHE_LIMIT = 200_000
_CHUNK = 128  # sentences scored together


class _Block:
    """One fitted TfidfVectorizer as vocabulary indices, idf and settings."""

    def __init__(self, vec: Any, offset: int) -> None:
        self.analyzer = vec.build_analyzer()
        self.vocab: dict[str, int] = vec.vocabulary_
        self.idf = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else None
        self.sublinear = bool(vec.sublinear_tf)
        self.per_word = vec.analyzer == "char_wb"
        # Word n-grams of whitespace tokens from lower-case input (what prepare() produces) need
        # no analyzer call: the tokens are the text split on whitespace.
        self.plain_words = (
            vec.analyzer == "word"
            and vec.token_pattern == r"\S+"
            and vec.tokenizer is None
            and vec.preprocessor is None
            and vec.stop_words is None
            and vec.strip_accents is None
        )
        self.ngram_range = vec.ngram_range
        self.offset = offset
        self.size = len(self.vocab)
        self._cache: dict[str, list[int]] = {}

    def _word_ids(self, word: str) -> list[int]:
        ids = self._cache.get(word)
        if ids is None:
            vocab = self.vocab
            ids = [vocab[g] for g in self.analyzer(word) if g in vocab]
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = ids
        return ids

    def ids(self, text: str) -> list[int]:
        """Vocabulary indices of the text's terms, with repeats (one per occurrence)."""
        if self.per_word:
            out: list[int] = []
            for w in text.split():
                out += self._word_ids(w)
            return out
        vocab = self.vocab
        if self.plain_words and text == text.lower():
            toks = text.split()
            lo, hi = self.ngram_range
            out = []
            for n in range(lo, hi + 1):
                grams = toks if n == 1 else [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
                out += [vocab[g] for g in grams if g in vocab]
            return out
        return [vocab[g] for g in self.analyzer(text) if g in vocab]

    def add_scores(self, texts: list[str], weights: np.ndarray, out: np.ndarray) -> None:
        """Add this block's contribution (l2-normalised tf-idf rows times ``weights``) to ``out``."""
        idx: list[int] = []
        lengths: list[int] = []
        for t in texts:
            ids = self.ids(t)
            idx += ids
            lengths.append(len(ids))
        if not idx:
            return
        keys = np.repeat(np.arange(len(texts), dtype=np.int64) * self.size, lengths)
        keys += np.array(idx, dtype=np.int64)
        keys.sort()
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
        r, c = np.divmod(keys[starts], self.size)
        val = 1.0 + np.log(counts) if self.sublinear else counts
        if self.idf is not None:
            val *= self.idf[c]
        # r is sorted: each row's terms are one run, so per-row sums are reduceat over run starts.
        new_row = np.empty(len(r), dtype=bool)
        new_row[0] = True
        np.not_equal(r[1:], r[:-1], out=new_row[1:])
        row_starts = np.flatnonzero(new_row)
        norms = np.sqrt(np.add.reduceat(val * val, row_starts))
        val /= np.repeat(norms, np.diff(np.append(row_starts, len(r))))
        out[r[row_starts]] += np.add.reduceat(val[:, None] * weights[c], row_starts, axis=0)


class FastLinear:
    """Scores = sigmoid (or raw decision) of fused linear models over the TF-IDF blocks."""

    def __init__(self, blocks: list[_Block], weights: np.ndarray, bias: np.ndarray, proba: bool) -> None:
        self.blocks = blocks
        self.weights = weights  # (n_features, n_labels)
        self.bias = bias
        self.proba = proba

    def scores(self, texts: list[str]) -> np.ndarray:
        out = np.tile(self.bias, (len(texts), 1))
        # In chunks, so a huge note's temporaries (terms x labels) stay small and cache-resident.
        for lo in range(0, len(texts), _CHUNK):
            chunk, view = texts[lo : lo + _CHUNK], out[lo : lo + _CHUNK]
            for b in self.blocks:
                b.add_scores(chunk, self.weights[b.offset : b.offset + b.size], view)
        if self.proba:
            out = 1.0 / (1.0 + np.exp(-out))
        return out


def fast_path(pipeline: Any) -> FastLinear | None:
    """A FastLinear equivalent to ``pipeline``, or None when its shape is not the supported one:
    Pipeline(FeatureUnion of TfidfVectorizer(word|char_wb) -> OneVsRestClassifier(linear, multilabel))."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    union, clf = pipeline.steps[0][1], pipeline.steps[1][1]
    if not isinstance(union, FeatureUnion) or not isinstance(clf, OneVsRestClassifier) or not clf.multilabel_:
        return None
    blocks, offset = [], 0
    for _, vec in union.transformer_list:
        if (
            not isinstance(vec, TfidfVectorizer)
            or vec.analyzer not in ("word", "char_wb")
            or vec.norm != "l2"
            or vec.binary
            or union.transformer_weights
        ):
            return None
        blocks.append(_Block(vec, offset))
        offset += len(vec.vocabulary_)
    ests = clf.estimators_
    if not all(hasattr(e, "coef_") and e.coef_.shape == (1, offset) for e in ests):
        return None
    weights = np.ascontiguousarray(np.vstack([e.coef_.ravel() for e in ests]).T, dtype=np.float64)
    bias = np.array([float(np.ravel(e.intercept_)[0]) for e in ests])
    proba = all(hasattr(e, "predict_proba") for e in ests)
    return FastLinear(blocks, weights, bias, proba)
