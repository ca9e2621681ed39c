"""Exception tree for cptnlp.

    CptnlpError
    ├── InputError(CptnlpError, ValueError)     a bad note or record: names the record and field, never quotes the text
    ├── DataFileError(CptnlpError, ValueError)  a bad shipped/user data file: file, row, what was expected
    ├── ModelError(CptnlpError)                 missing or incompatible model artifact
    └── CheckError(CptnlpError, RuntimeError)   a check crashed on a note: check id and note id

The library raises; only the CLI maps errors to exit codes. Messages never contain note text.
"""

from __future__ import annotations

__all__ = ["CheckError", "CptnlpError", "DataFileError", "InputError", "ModelError"]


class CptnlpError(Exception):
    """Base class of every error cptnlp raises on purpose."""


class InputError(CptnlpError, ValueError):
    """A note or record cannot be checked (empty, undecodable, wrong type, bad field)."""

    def __init__(self, message: str, *, record: str | None = None, field: str | None = None) -> None:
        self.record = record
        self.field = field
        where = []
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.reason = message


class DataFileError(CptnlpError, ValueError):
    """A data file (code table, patterns, requirements) is malformed."""

    def __init__(self, file: str, message: str, *, row: str | int | None = None) -> None:
        self.file = file
        self.row = row
        loc = f"{file}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{loc}: {message}")


class ModelError(CptnlpError):
    """The evidence model is missing, corrupt or was built by incompatible library versions."""


class CheckError(CptnlpError, RuntimeError):
    """A check raised an unexpected exception on a note."""

    def __init__(self, check: str, note_id: str | None, cause: BaseException) -> None:
        self.check = check
        self.note_id = note_id
        super().__init__(f"check {check} failed on note {note_id or '<unnamed>'}: {type(cause).__name__}")
