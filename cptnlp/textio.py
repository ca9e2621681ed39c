"""Reading note text from files and stdin: strict UTF-8, binary detection, size limits."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import InputError

__all__ = ["decode_note_bytes", "read_note_file"]


def decode_note_bytes(raw: bytes, *, record: str) -> str:
    """Decode note bytes as UTF-8 (BOM allowed); binary or other encodings raise InputError."""
    if b"\x00" in raw[:8192]:
        raise InputError("looks like a binary file (NUL bytes), not note text", record=record)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (invalid byte at offset {exc.start}); save the note as UTF-8", record=record) from None
    return text.replace("\r\n", "\n") if "\r\n" in text else text


def read_note_file(path: str, *, max_bytes: int) -> str:
    """Text of a note file, or of stdin when ``path`` is '-'."""
    if path == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        name = path
        if not p.exists():
            raise InputError("no such file", record=name)
        if p.is_dir():
            raise InputError("is a directory, not a note file (use `cptnlp batch` for folders)", record=name)
        try:
            with p.open("rb") as fh:
                raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror})", record=name) from None
    if len(raw) > max_bytes:
        raise InputError(f"is larger than the {max_bytes:,}-byte limit", record=name)
    return decode_note_bytes(raw, record=name)
