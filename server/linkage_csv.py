"""CSV files as spreadsheets write them, read and written back byte for byte with columns added.

Why bytes, not ``csv.reader``: a user's file must come back the same, with the same quoting, line
ends and Shift_JIS bytes (cp932 decodes some characters from two byte sequences, so decoding and
encoding again would change them). The separators ``,`` ``"`` CR LF are never a trail byte of a
cp932 or UTF-8 character, so records and fields are found in the bytes themselves; only the
values are decoded, to be matched.

>>> f = read('名前,県\\r\\n"観音寺市",香川\\r\\n'.encode("cp932"))
>>> f.encoding, [r.cells for r in f.records]
('cp932', [['名前', '県'], ['観音寺市', '香川']])
>>> write(f, [["iri"], ["x"]]).body.decode("cp932")
'名前,県,iri\\r\\n"観音寺市",香川,x\\r\\n'
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass

BOM = codecs.BOM_UTF8
#: Encodings a file may be read in, by the names people give them.
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "cp932": "cp932",
             "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "ms932": "cp932",
             "windows-31j": "cp932"}
#: The charset of a response in each encoding (IANA names; Windows-31J is cp932).
CHARSETS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp932": "Windows-31J"}

_QUOTED = re.compile(rb'"([^"]*(?:""[^"]*)*)"')
_PLAIN = re.compile(rb"[^,\r\n]*")
_LINE_END = re.compile(rb"\r\n|\r|\n")
#: Characters no spreadsheet writes: C0/C1 controls but tab and line ends, and what cp932 makes of
#: the single bytes 0x80, 0xA0, 0xFD-0xFF (a sign of binary data or of another encoding).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\uf8f0-\uf8f3]")
_SIGNATURES = (
    (b"PK\x03\x04", "a zip file such as an Excel workbook (.xlsx): save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls): save it as CSV first"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (codecs.BOM_UTF16_LE, "UTF-16 text (Excel's 'Unicode text'): save it as 'CSV UTF-8' or 'CSV'"),
    (codecs.BOM_UTF16_BE, "UTF-16 text: save it as 'CSV UTF-8' or 'CSV'"),
)


class CsvError(ValueError):
    """A file that cannot be read, with where (line, row) and what is wrong."""

    def __init__(self, message: str, line: int | None = None, row: int | None = None):
        where = ", ".join(p for p in (f"row {row}" if row else "", f"line {line}" if line else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.line, self.row = line, row


@dataclass
class Record:
    """One row: its bytes as written (without the line end), its line end, its decoded values."""

    raw: bytes
    end: bytes
    cells: list[str]


@dataclass
class CsvFile:
    """A read file: its encoding (``utf-8-sig`` when it had a byte-order mark) and its rows."""

    encoding: str
    records: list[Record]

    @property
    def width(self) -> int:
        """The most cells any row has."""
        return max((len(r.cells) for r in self.records), default=0)


@dataclass
class Written:
    """A file written back: its bytes, the encoding used, and why it is not the file's own if not."""

    body: bytes
    encoding: str
    fallback: str = ""


def _line_of(data: bytes, offset: int) -> int:
    return len(_LINE_END.findall(data, 0, offset)) + 1


def detect(data: bytes, asked: str | None = None) -> str:
    """The encoding of ``data``: a byte-order mark → utf-8-sig; valid UTF-8 → utf-8; else cp932.

    :raises CsvError: for binary data, an unknown ``asked`` encoding, or bytes that do not decode.
    """
    if not data:
        raise CsvError("the file is empty")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise CsvError(f"this is {what}")
    if (nul := data.find(b"\x00")) >= 0:
        raise CsvError("the file holds a NUL byte: it is binary, not a CSV text file", _line_of(data, nul))
    if asked:
        encoding = ENCODINGS.get(asked.strip().lower())
        if encoding is None:
            raise CsvError(f"unknown encoding '{asked}'; use one of utf-8, utf-8-sig, cp932 (Shift_JIS)")
        if encoding == "utf-8" and data.startswith(BOM):
            encoding = "utf-8-sig"
        _decode_or_fail(data, encoding)
        return encoding
    if data.startswith(BOM):
        _decode_or_fail(data, "utf-8-sig")
        return "utf-8-sig"
    try:
        _decode(data, "utf-8")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            _decode(data, "cp932")
            return "cp932"
        except (UnicodeDecodeError, CsvError):
            bad = data[utf8_error.start:utf8_error.start + 4]
            raise CsvError(f"the file is neither UTF-8 nor Shift_JIS (cp932): bytes {bad.hex(' ')} at byte "
                           f"{utf8_error.start} do not decode; save it as 'CSV UTF-8' or pass encoding=",
                           _line_of(data, utf8_error.start)) from None


def _decode(data: bytes, encoding: str) -> None:
    """Decode ``data`` strictly: UnicodeDecodeError as Python raises it, CsvError for what is no text.

    :raises UnicodeDecodeError: when the bytes are not ``encoding`` (auto-detection tries the next).
    :raises CsvError: for a control character (binary data).
    """
    text = data.decode(encoding)
    if bad := _NOT_TEXT.search(text):
        line = len(re.findall("\r\n|\r|\n", text[:bad.start()])) + 1
        raise CsvError(f"character U+{ord(bad.group()):04X} is no text in {encoding}: the file looks "
                       "binary or is in another encoding", line)


def _decode_or_fail(data: bytes, encoding: str) -> None:
    try:
        _decode(data, encoding)
    except UnicodeDecodeError as error:
        bad = data[error.start:error.end]
        raise CsvError(f"bytes {bad.hex(' ')} at byte {error.start} are not {encoding}",
                       _line_of(data, error.start)) from None


def read(data: bytes, encoding: str | None = None, max_rows: int | None = None) -> CsvFile:
    """The rows of ``data`` (RFC 4180 with any line ends; quoted fields may hold them).

    :raises CsvError: naming the row and line of a quote never closed or text after one, and for
        what :func:`detect` refuses or more than ``max_rows`` rows.
    """
    encoding = detect(data, encoding)
    text = data[len(BOM):] if encoding == "utf-8-sig" else data
    records: list[Record] = []
    pos, size = 0, len(text)
    while pos < size:
        if max_rows is not None and len(records) >= max_rows:
            raise CsvError(f"the file has more than {max_rows} rows, the most one request may enrich",
                           row=max_rows + 1)
        start, cells = pos, []
        while True:
            if text.startswith(b'"', pos):
                quoted = _QUOTED.match(text, pos)
                if quoted is None:
                    raise CsvError("a quoted field opens here and is never closed", _line_of(text, pos),
                                   len(records) + 1)
                value = quoted.group(1).replace(b'""', b'"')
                pos = quoted.end()
                if pos < size and text[pos:pos + 1] not in (b",", b"\r", b"\n"):
                    raise CsvError(f"text after the closing quote of field {len(cells) + 1} (a quote inside "
                                   'a quoted field is written "")', _line_of(text, pos), len(records) + 1)
            else:
                plain = _PLAIN.match(text, pos)
                value, pos = plain.group(0), plain.end()
            cells.append(value.decode(encoding.removesuffix("-sig")))
            if text.startswith(b",", pos):
                pos += 1
                continue
            end = _LINE_END.match(text, pos)
            raw = text[start:pos]
            records.append(Record(raw, end.group(0) if end else b"", cells))
            pos = end.end() if end else size
            break
    return CsvFile(encoding, records)


def _field(value: str) -> str:
    """A value as a CSV field: quoted when it holds a separator or a quote."""
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\r\n]', value) else value


def write(file: CsvFile, added: Sequence[Sequence[str]]) -> Written:
    """``file`` with the cells of ``added`` (one list per row, in order) appended to each row.

    Short rows are padded with empty cells so the new columns line up. In cp932 a value that has no
    Shift_JIS form makes the whole file UTF-8 with a byte-order mark instead (``fallback`` says why):
    Excel opens that correctly, and no character is replaced.
    """
    if len(added) != len(file.records):
        raise ValueError("one list of added cells per row")
    width = file.width
    texts = [("," * (width - len(r.cells))) + "," + ",".join(_field(v) for v in cells)
             for r, cells in zip(file.records, added, strict=True)]
    encoding, fallback = file.encoding, ""
    if encoding == "cp932":
        for number, tail in enumerate(texts, start=1):
            try:
                tail.encode("cp932")
            except UnicodeEncodeError as error:
                fallback = (f"row {number}: '{tail[error.start:error.end]}' has no Shift_JIS (cp932) form, "
                            "so the file is written in UTF-8 with a byte-order mark")
                encoding = "utf-8-sig"
                break
    out = [BOM] if encoding == "utf-8-sig" else []
    for record, tail in zip(file.records, texts, strict=True):
        raw = record.raw if encoding == file.encoding else record.raw.decode(file.encoding).encode("utf-8")
        out.append(raw + tail.encode(encoding.removesuffix("-sig")) + record.end)
    return Written(b"".join(out), encoding, fallback)
