"""The OpenAPI operations of ``/api/crosswalk`` and ``/api/enrich`` (added to ``server/openapi.py``'s
document), kept beside nothing but their text so the document can be built without the app."""

from __future__ import annotations

_ERROR = {"$ref": "#/components/schemas/Error"}
_NULLABLE = {"type": ["string", "null"]}
_STRING = {"type": "string"}
_REF = {"type": ["object", "null"], "properties": {"iri": _STRING, "lgCode": _STRING, "page": _STRING,
                                                    "crosswalk": _STRING, "name": {"type": "object"}}}


def _error(text: str, plain: bool = True) -> dict:
    content = {"application/json": {"schema": _ERROR}}
    if plain:  # the limits that hold before any route answer in text unless JSON is preferred
        content["text/plain"] = {"schema": {"type": "string"}}
    return {"description": text, "content": content}


BODY = {
    "type": "object",
    "required": ["query", "recognisedAs", "iri", "page", "lgCode", "lgCode5", "names", "kind", "validity",
                 "successors", "predecessors"],
    "properties": {
        "query": {"type": "string"},
        "recognisedAs": {"type": "string",
                         "enum": ["lg-code", "lg-code-5", "corporate-number", "estat", "iri", "name"]},
        "iri": {"type": "string"}, "page": {"type": "string"},
        "lgCode": {"type": "string", "pattern": "^[0-9]{6}$"},
        "lgCode5": {"type": "string", "pattern": "^[0-9]{5}$"},
        "corporateNumber": {"type": ["string", "null"], "pattern": "^[0-9]{13}$"},
        "estatIri": _NULLABLE,
        "names": {"type": "object", "properties": {"ja": _NULLABLE, "kana": _NULLABLE, "en": _NULLABLE}},
        "prefecture": _REF, "parent": _REF,
        "kind": {"type": "object", "properties": {"iri": _NULLABLE, "ja": _NULLABLE, "en": _NULLABLE}},
        "validity": {"type": "object", "required": ["existsAtReferenceDate"], "properties": {
            "referenceDate": _NULLABLE, "existsAtReferenceDate": {"type": "boolean"},
            "founded": _NULLABLE, "dissolved": _NULLABLE}},
        "successors": {"type": "array", "items": _REF},
        "predecessors": {"type": "array", "items": _REF},
    },
}

CROSSWALK = {"get": {
    "operationId": "crosswalk", "tags": ["linkage"],
    "summary": "Identifier crosswalk of a local government / 団体の識別子の対応表",
    "description": (
        "Give any identifier of a prefecture, municipality or ward: a local-government code (6 digits with "
        "check digit, or 5 without; a leading zero lost in a spreadsheet is restored), a corporate number "
        "(法人番号, 13 digits), an e-Stat standard-area-code IRI (`http://data.e-stat.go.jp/lod/sac/C37205`, "
        "or `C37205`), our IRI or page URL (`/id/municipality/372056`), or a name however written. The "
        "answer gives all the others, the names (ja, kana, en), prefecture, kind, and validity at the "
        "data's reference date; an abolished body (e.g. Hamamatsu's old wards) comes with its successors. "
        "A code or corporate number with a wrong check digit is a 400 whose `suggestion` is the corrected "
        "one. A name of several bodies is a 300 listing the `candidates` (narrow with `prefecture`).\n\n"
        "全国地方公共団体コード（6桁・5桁）、法人番号、e-Stat の標準地域コード IRI、このデータの IRI、"
        "名称のどれからでも、他の識別子・名称・都道府県・種別・基準日での有効性（廃止なら後継）を"
        "返す。チェックディジットの誤りは 400 で正しいコードを示す。名称が複数の団体に当たるときは"
        " 300 で候補を返す。"),
    "parameters": [
        {"name": "id", "in": "query", "required": True, "description": "The identifier or name.",
         "schema": {"type": "string", "minLength": 1, "maxLength": 2000}, "example": "372056"},
        {"name": "prefecture", "in": "query", "required": False,
         "description": "A prefecture (name, code or IRI) that narrows a name.",
         "schema": {"type": "string", "maxLength": 200}, "example": "香川県"},
        {"name": "format", "in": "query", "required": False, "description": "json (default) or csv.",
         "schema": {"type": "string", "enum": ["json", "csv"]}},
    ],
    "responses": {
        "200": {"description": "The body and all its identifiers.",
                "content": {"application/json": {"schema": BODY},
                            "text/csv": {"schema": {"type": "string"}}}},
        "300": {"description": "The name (or a five-digit code) fits several bodies: the candidates.",
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status", "error", "candidates"],
                    "properties": {"status": {"type": "integer"}, "error": {"type": "string"},
                                   "candidates": {"type": "array", "items": {"type": "object"}}}}}}},
        "400": _error("No id, a repeated parameter, or a wrong check digit (then `suggestion` and "
                      "`suggestionUrl` give the corrected identifier)."),
        "404": _error("No local government has that identifier or name."),
        "413": _error("The request is too large."),
    },
    "x-examples": ["/api/crosswalk?id=372056", "/api/crosswalk?id=8000020372056",
                   "/api/crosswalk?id=C37205", "/api/crosswalk?id=221317", "/api/crosswalk?id=372055"],
}}

_OPTIONS = {
    "column": {"type": "string", "description": "The column of names or codes: a header name or a 1-based "
                                                "number (may be left out for a file of one column)."},
    "prefecture_column": {"type": "string",
                          "description": "Optional column of prefectures that narrows names."},
    "encoding": {"type": "string", "enum": ["", "utf-8", "utf-8-sig", "cp932", "shift_jis"],
                 "description": "Leave out to detect: byte-order mark → UTF-8 with BOM, valid UTF-8 → UTF-8, "
                                "else Shift_JIS (cp932)."},
    "header": {"type": "string", "enum": ["yes", "no"], "description": "Whether the first row is a header "
                                                                       "(default yes)."},
}

ENRICH = {"post": {
    "operationId": "enrich", "tags": ["linkage"],
    "summary": "Add identifiers to a CSV file / CSV に識別子の列を加える",
    "description": (
        "Send a CSV file (UTF-8 with or without byte-order mark, or Shift_JIS/cp932 as Excel writes it) as "
        "multipart/form-data (field `file`) or as the request body (`Content-Type: text/csv`; then the "
        "options go in the query string). The answer is the same file, every row in order with its original "
        "bytes, and nine columns appended: sckgIri, sckgLgCode, sckgCorporateNumber, sckgEstatIri, sckgName, "
        "sckgPrefecture, sckgScore, sckgStatus (matched / ambiguous / not found), sckgNote (candidates, "
        "abolition, check-digit errors). Short rows are padded so the columns line up. It comes back in "
        "the file's encoding; should an added value have no Shift_JIS form, the whole file is UTF-8 with a "
        "byte-order mark instead and `X-Enrich-Encoding-Fallback` says why. Headers `X-Enrich-Rows`, "
        "`-Matched`, `-Ambiguous`, `-Not-Found` count the rows. The page for people is `/linkage`.\n\n"
        "CSV ファイル（UTF-8、BOM 付き UTF-8、Excel の Shift_JIS）を送ると、行を落とさず"
        "並べ替えず、元のバイトのまま、各行に IRI・団体コード・法人番号・e-Stat IRI・正式名称・"
        "都道府県・スコア・判定を加えて同じ文字コードで返す。"),
    "parameters": [{"name": name, "in": "query", "required": False, "description": schema["description"],
                    "schema": {k: v for k, v in schema.items() if k != "description"}}
                   for name, schema in _OPTIONS.items()],
    "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            **{name: {k: v for k, v in s.items()} for name, s in _OPTIONS.items()}}}},
        "text/csv": {"schema": {"type": "string"}},
    }},
    "responses": {
        "200": {"description": "The enriched file, as an attachment, in the encoding it came in.",
                "headers": {h: {"schema": {"type": "string"}} for h in (
                    "X-Enrich-Encoding", "X-Enrich-Rows", "X-Enrich-Matched", "X-Enrich-Ambiguous",
                    "X-Enrich-Not-Found", "X-Enrich-Encoding-Fallback")},
                "content": {"text/csv": {"schema": {"type": "string"}}}},
        "400": _error("The file cannot be read (binary, not UTF-8 nor Shift_JIS, a quote never closed: "
                      "`row` and `line` say where) or a column is not in the header.", plain=False),
        "413": _error("The request is larger than MAX_REQUEST_BYTES, or the file has too many rows."),
        "415": _error("A form body (application/x-www-form-urlencoded): send multipart or text/csv.", False),
    },
}}


PREVIEW = {"post": {
    "operationId": "enrichPreview", "tags": ["linkage"],
    "summary": "The header and first rows of a CSV file / CSV の見出しと先頭行",
    "description": "What /linkage shows to choose the columns from: the detected encoding, the number of "
                   "rows, the columns (1-based), the first ten rows, and a guess of the name and prefecture "
                   "columns. Same body and options as POST /api/enrich; same errors.",
    "parameters": ENRICH["post"]["parameters"],
    "requestBody": ENRICH["post"]["requestBody"],
    "responses": {
        "200": {"description": "The preview.", "content": {"application/json": {"schema": {
            "type": "object", "required": ["encoding", "rows", "columns", "preview"], "properties": {
                "encoding": {"type": "string"}, "filename": {"type": "string"}, "rows": {"type": "integer"},
                "columns": {"type": "array", "items": {"type": "object"}},
                "preview": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                "column": {"type": "integer"}, "prefectureColumn": {"type": ["integer", "null"]}}}}}},
        **{k: v for k, v in ENRICH["post"]["responses"].items() if k != "200"},
    },
}}


def paths() -> dict:
    """The operations to add to the document, by path."""
    return {"/api/crosswalk": CROSSWALK, "/api/enrich": ENRICH, "/api/enrich/preview": PREVIEW}
