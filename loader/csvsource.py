"""Read a human-edited CSV file strictly, keeping row and column numbers for every cell.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
Columns are numbered from 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import SourceError


@dataclass(frozen=True)
class Row:
    """One record of a CSV file, able to name the position of each of its cells."""

    file: str
    number: int
    cells: dict[str, str]
    columns: tuple[str, ...]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def error(self, column: str, message: str) -> SourceError:
        """An error located at this row and the given column."""
        return SourceError(self.file, self.number, self.columns.index(column) + 1, message)


@dataclass(frozen=True)
class Table:
    """The rows of one CSV file and the name it is reported under."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _decode(path: Path, label: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise SourceError(
            label, line, column, f"bytes are not UTF-8 (byte 0x{data[exc.start]:02x})"
        ) from None


def read_table(path: Path, required: tuple[str, ...], label: str | None = None) -> Table:
    """Read ``path`` as UTF-8 CSV with a header that holds every ``required`` column.

    :raises SourceError: for bytes that are not UTF-8, an empty file, a missing or repeated
        header column, or a row with more or fewer cells than the header.
    """
    label = label or str(path)
    text = _decode(path, label)
    if not text.strip():
        raise SourceError(label, 1, 1, "the file is empty; a header row is required")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = tuple(cell.strip() for cell in next(reader))
        for position, name in enumerate(header, start=1):
            if header.index(name) + 1 != position:
                raise SourceError(label, 1, position, f"column '{name}' appears twice")
        for name in required:
            if name not in header:
                raise SourceError(
                    label, 1, len(header) + 1,
                    f"missing column '{name}' (expected: {', '.join(required)})",
                )
        rows = []
        for record in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise SourceError(
                    label, number, min(len(record), len(header)) + 1,
                    f"{len(record)} cells where the header has {len(header)}",
                )
            cells = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
            rows.append(Row(label, number, cells, header))
    except csv.Error as exc:
        raise SourceError(label, reader.line_num, 1, f"malformed CSV: {exc}") from None
    if not rows:
        raise SourceError(label, 2, 1, "the file has a header but no rows")
    return Table(label, header, tuple(rows))
