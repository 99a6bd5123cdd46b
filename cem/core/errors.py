"""Errors raised by services. Each carries a catalogue key and parameters so
the page can show it in the reader's language."""
from __future__ import annotations


class CemError(Exception):
    """Base error: `code` is a message-catalogue key, `params` fill it in."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code} {params}" if params else code)


class ValidationError(CemError):
    """Input is wrong. For table input, `where` names sheet/row/column."""


class NotFoundError(CemError):
    """The item does not exist (any more)."""


class ConflictError(CemError):
    """Someone else changed the item since it was loaded."""


class ImportFileError(CemError):
    """An uploaded file cannot be imported; params name sheet, row, column."""


class ImportFileErrors(ImportFileError):
    """Several things wrong in one file: `errors` holds the first of them in
    file order; params say how many there are and how many are not listed."""

    def __init__(self, errors: list[ImportFileError], count: int):
        super().__init__("excel.err.several", count=count, more=count - len(errors))
        self.errors = errors
