"""CSV enrichment for spreadsheet users: the ``/linkage`` page and ``POST /api/enrich`` for scripts.

A user sends a CSV file (UTF-8 with or without byte-order mark, or Shift_JIS/cp932 as Excel writes
it), names the column holding names or codes (and optionally a prefecture column), and gets the
same file back, every byte of every row as it came, with our identifiers appended to each row, in
the encoding it came in. The page works as a plain form (a preview step, then the download);
``linkage.js`` makes the preview appear as soon as a file is chosen.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from . import errors, linkage_table, site
from . import gazetteer as gazetteer_module
from .linkage_csv import CHARSETS, CsvError, CsvFile, read, write
from .linkage_enrich import COLUMNS, STATUSES, ColumnError, enrich, find_column

bp = Blueprint("linkage", __name__)
log = logging.getLogger(__name__)

#: Rows one request may enrich (``ENRICH_MAX_ROWS`` in the app's config overrides it).
MAX_ROWS = 50_000
PREVIEW_ROWS = 10
_NAME_HINTS = ("市区町村", "市町村", "自治体", "団体", "名称", "名前", "コード",
               "municipality", "name", "code", "city")
_PREFECTURE_HINTS = ("都道府県", "県", "prefecture")


class EnrichError(errors.BadRequest):
    """A file or option that cannot be used, with the row and line when there is one."""

    def __init__(self, message: str, status: int = 400, **details):
        super().__init__(message)
        self.status, self.details = status, details


@dataclass
class Upload:
    """What a request sent: the file's bytes and name, and the options."""

    data: bytes
    filename: str
    column: str
    prefecture_column: str
    encoding: str
    has_header: bool


def _option(name: str) -> str:
    value = request.form.get(name) if request.mimetype == "multipart/form-data" else None
    return (value if value is not None else request.args.get(name, "")).strip()


def _upload() -> Upload:
    """The file and options of a request: multipart (``file``, or ``data`` in base64 from the page's
    preview step) or the raw body.

    :raises EnrichError: 413 over the size limit, 415 for a form body, 400 without a file.
    """
    try:
        if request.mimetype == "multipart/form-data":
            sent = request.files.get("file")
            data, filename = (sent.read(), sent.filename or "") if sent and sent.filename else (b"", "")
            if not data and request.form.get("data"):
                try:
                    data = base64.b64decode(request.form["data"], validate=True)
                except (binascii.Error, ValueError):
                    raise EnrichError("the field data is not base64") from None
                filename = request.form.get("filename", "")
        elif request.mimetype == "application/x-www-form-urlencoded":
            raise EnrichError("send the file as multipart/form-data (field 'file') or as the request body "
                              "(Content-Type: text/csv)", 415)
        else:
            data, filename = request.get_data(cache=False), request.args.get("filename", "")
    except RequestEntityTooLarge:
        raise EnrichError(f"the request is larger than {current_app.config['MAX_REQUEST_BYTES']} bytes, "
                          "the most one request may send", 413) from None
    if not data:
        raise EnrichError("no file: send it as multipart/form-data (field 'file') or as the body")
    header = _option("header").lower()
    if header not in ("", "1", "true", "yes", "on", "0", "false", "no", "off"):
        raise EnrichError(f"header must be yes or no, not '{header}'")
    return Upload(data, filename, _option("column"), _option("prefecture_column"), _option("encoding"),
                  header not in ("0", "false", "no", "off"))


def _read(upload: Upload) -> CsvFile:
    limit = int(current_app.config.get("ENRICH_MAX_ROWS", MAX_ROWS))
    try:
        file = read(upload.data, upload.encoding or None, max_rows=limit + upload.has_header)
    except CsvError as error:
        if error.row and error.row > limit + upload.has_header:
            raise EnrichError(f"the file has more than {limit} rows (besides the header), the most one "
                              "request may enrich; split it", 413) from None
        raise EnrichError(str(error), row=error.row, line=error.line) from None
    if not file.records:
        raise EnrichError("the file has no rows, not even a header")
    return file


def _columns(file: CsvFile, upload: Upload) -> tuple[int, int | None]:
    header = file.records[0].cells if upload.has_header else [str(i) for i in range(1, file.width + 1)]
    try:
        if upload.column:
            column = find_column(header, upload.column)
        elif len(header) == 1:
            column = 0
        else:
            names = ", ".join(f"'{h}'" for h in header)
            raise ColumnError("name the column that holds names or codes: column= a header name or a number "
                              f"1–{len(header)} ({names})")
        prefecture = find_column(header, upload.prefecture_column, "prefecture column") \
            if upload.prefecture_column else None
    except ColumnError as error:
        raise EnrichError(str(error), column=upload.column or None) from None
    return column, prefecture


def enriched_response(upload: Upload) -> Response:
    """The enriched file as a download, in the encoding it came in (see ``linkage_csv.write``)."""
    file = _read(upload)
    column, prefecture = _columns(file, upload)
    result = enrich(file, column, linkage_table.current(), gazetteer_module.current(), prefecture,
                    upload.has_header)
    written = write(file, result.added)
    response = Response(written.body, mimetype="text/csv")
    response.headers["Content-Type"] = f"text/csv; charset={CHARSETS[written.encoding]}"
    base = re.split(r"[\\/]", upload.filename)[-1]  # an old browser may send the whole path
    stem = base.rsplit(".", 1)[0].strip() or "enriched"
    response.headers["Content-Disposition"] = attachment(f"{stem}-sckg.csv")
    response.headers["X-Enrich-Encoding"] = written.encoding
    response.headers["X-Enrich-Rows"] = str(sum(result.counts.values()))
    for status in STATUSES:
        response.headers["X-Enrich-" + status.title().replace(" ", "-")] = str(result.counts[status])
    if written.fallback:
        response.headers["X-Enrich-Encoding-Fallback"] = written.fallback
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Expose-Headers"] = ", ".join(
        ["Content-Disposition", *(h for h in response.headers.keys() if h.startswith("X-Enrich-"))])
    return response


def attachment(filename: str) -> str:
    """``Content-Disposition`` of a download named ``filename`` (RFC 6266: an ASCII name for old
    clients, the UTF-8 name in ``filename*``; a header's bytes are Latin-1, so UTF-8 must be escaped).

    >>> print(attachment("一覧-sckg.csv"))
    attachment; filename="enriched-sckg.csv"; filename*=UTF-8''%E4%B8%80%E8%A6%A7-sckg.csv
    """
    ascii_name = filename if re.fullmatch(r"[A-Za-z0-9._ -]+", filename) else "enriched-sckg.csv"
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename, safe="")}'


def preview(upload: Upload) -> dict:
    """The header, the first rows and a guess of the columns: what the page shows to choose from."""
    file = _read(upload)
    header = file.records[0].cells if upload.has_header else [str(i) for i in range(1, file.width + 1)]
    rows = file.records[1:] if upload.has_header else file.records

    def guess(hints, besides: int | None = None) -> int | None:
        for hint in hints:
            for index, name in enumerate(header, start=1):
                if hint in name.casefold() and index != besides:
                    return index
        return None

    pref_guess = guess(_PREFECTURE_HINTS)
    name_guess = guess(_NAME_HINTS, pref_guess) or (2 if pref_guess == 1 and len(header) > 1 else 1)
    return {"encoding": file.encoding, "filename": upload.filename, "rows": len(rows),
            "columns": [{"index": i, "name": h} for i, h in enumerate(header, start=1)],
            "preview": [r.cells for r in rows[:PREVIEW_ROWS]], "column": name_guess,
            "prefectureColumn": pref_guess if pref_guess != name_guess else None}


# --- routes ---------------------------------------------------------------------------------------


def json_error(error: Exception) -> Response:
    """Errors of the API routes as JSON, whatever the client accepts: scripts read them."""
    if isinstance(error, errors.KGError):
        status, message = error.status, error.message
    elif isinstance(error, HTTPException):
        status, message = error.code or 500, error.description or error.name
    else:
        raise error
    if status >= 500:
        log.error("%s on %s %s: %s", type(error).__name__, request.method, request.path, message)
    body = {"status": status, "error": message}
    body.update({k: v for k, v in getattr(error, "details", {}).items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.post("/api/enrich")
def api_enrich() -> Response:
    """The enriched file for scripts: multipart ``file`` or the raw body; ``column=``,
    ``prefecture_column=``, ``encoding=``, ``header=`` as form fields or in the query string."""
    try:
        return enriched_response(_upload())
    except (errors.KGError, HTTPException) as error:
        return json_error(error)


@bp.post("/api/enrich/preview")
def api_preview() -> Response:
    """The header and first rows of a file as JSON (the page's column chooser)."""
    try:
        return jsonify(preview(_upload()))
    except (errors.KGError, HTTPException) as error:
        return json_error(error)


@bp.get("/api/enrich")
def api_enrich_get() -> Response:
    """A 405 that says how to call it (else ``/api/<name>`` would answer 'no canned query')."""
    error = MethodNotAllowed(valid_methods=["POST"], description="POST a CSV file to /api/enrich "
                             "(multipart field 'file' or the body); the page for people is /linkage")
    return json_error(error)


@bp.get("/linkage")
def page() -> Response:
    """The page: choose a file (step 1)."""
    if cached := site.not_modified():
        return cached
    return _render()


@bp.post("/linkage")
def page_post() -> Response:
    """The page's form: ``step=preview`` shows the header and first rows to choose the column from;
    otherwise the enriched file is the answer (a download), or the page with what went wrong."""
    try:
        upload = _upload()
        if request.form.get("step") == "preview":
            shown = preview(upload)
            inline = len(upload.data) * 4 // 3 + 4096 < current_app.config["MAX_REQUEST_BYTES"]
            return _render(preview=shown, data=base64.b64encode(upload.data).decode() if inline else "",
                           options={"encoding": upload.encoding, "column": upload.column,
                                    "prefecture_column": upload.prefecture_column})
        return enriched_response(upload)
    except errors.KGError as error:
        return _render(error.status, error=error.message)


def _render(status: int = 200, **context) -> Response:
    context.setdefault("options", {})
    return site.render_page("site/linkage.html", status=status, columns=COLUMNS,
                            max_bytes=current_app.config["MAX_REQUEST_BYTES"],
                            max_rows=int(current_app.config.get("ENRICH_MAX_ROWS", MAX_ROWS)), **context)
