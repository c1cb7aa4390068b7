"""The loader's errors, each mapped to a CLI exit code (0 ok, 1 not valid, 2 cannot run)."""

from __future__ import annotations


class LoaderError(Exception):
    """Base of every error the loader reports to a user instead of a traceback."""

    exit_code = 2


class SourceError(LoaderError):
    """A problem in one cell of a source file, reported as ``file:row:column: message``."""

    exit_code = 1

    def __init__(self, file: str, row: int, column: int, message: str):
        self.file, self.row, self.column, self.message = file, row, column, message
        super().__init__(f"{file}:{row}:{column}: {message}")


class MissingSource(LoaderError):
    """A source file the loader needs is not there."""

    exit_code = 1


class ValidationFailed(LoaderError):
    """The generated RDF does not conform to the SHACL shapes; carries the readable report."""

    exit_code = 1

    def __init__(self, report: str):
        self.report = report
        super().__init__(report)


class StoreError(LoaderError):
    """The on-disk store cannot be opened, built or swapped."""
