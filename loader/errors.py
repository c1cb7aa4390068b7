"""The loader's errors: those of the core hierarchy it raises (exit code 1 for bad input, 2 otherwise)."""

from kg.errors import LoaderError, MissingSource, SourceError, StoreError, ValidationFailed

__all__ = ["LoaderError", "MissingSource", "SourceError", "StoreError", "ValidationFailed"]
