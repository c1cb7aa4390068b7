"""CSV enrichment over real HTTP (the session's granian server; ``requests`` and curl): round trips in
UTF-8 with and without byte-order mark and in cp932 as Excel writes it, every row back in order with
its original bytes; files that cannot be read are 4xx with the reason; the page's plain-form steps.

The files are written with Python's ``csv`` module (as Excel writes them: minimal quoting, CRLF) and
read back with it, so the server's own reader is not what checks the server.
"""

from __future__ import annotations

import base64
import csv
import io
import random
import re
import shutil
import subprocess

import pytest
import requests
from conftest import select

from server.linkage_csv import read, write

TIMEOUT = 60
ADDED = ["sckgIri", "sckgLgCode", "sckgCorporateNumber", "sckgEstatIri", "sckgName", "sckgPrefecture",
         "sckgScore", "sckgStatus", "sckgNote"]


@pytest.fixture(scope="module")
def municipalities(kg) -> list[dict]:
    """Municipalities of the store with their prefecture (every 40th: all over Japan)."""
    rows = select(kg, """SELECT ?s ?code ?name ?pref ?corp ?sac WHERE {
        ?s a sckg:Municipality ; sckg:localGovernmentCode ?code ; rdfs:label ?name ; sckg:prefecture ?p ;
           sckg:standardAreaCode ?sac .
        ?p rdfs:label ?pref . OPTIONAL { ?s sckg:corporateNumber ?corp }
        FILTER(LANG(?name) = "ja" && LANG(?pref) = "ja")
        FILTER NOT EXISTS { ?s <https://schema.org/dissolutionDate> ?gone } } ORDER BY ?code""")
    return rows[::40]


def sheet(municipalities: list[dict]) -> list[list[str]]:
    """A sheet as people keep one: names with prefecture, codes, an ambiguous name, a wrong check digit,
    a quoted comma and newline, an empty row, a short row and a long one."""
    rows = [["番号", "市区町村名", "都道府県", "備考"]]
    for n, m in enumerate(municipalities, start=1):
        rows.append([str(n), m["name"], m["pref"], "メモ, カンマ入り" if n % 5 == 0 else ""])
    rows += [
        ["90", "府中市", "", "東京都と広島県"],
        ["91", "府中市", "広島県", ""],
        ["92", "372055", "", "チェックディジット誤り"],
        ["93", "37205", "", "5桁"],
        ["94", "存在しない村", "", '引用符"と\r\n改行'],
        [],
        ["96", "8000020372056"],
        ["97", "観音寺市", "香川県", "", "余分な列"],
        ["98", "  ", "", ""],
    ]
    return rows


def excel_bytes(rows: list[list[str]], encoding: str) -> bytes:
    """``rows`` as Excel saves them: minimal quoting, CRLF; 'CSV UTF-8' has a byte-order mark."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def enrich(base: str, data: bytes, filename: str = "sheet.csv", **fields) -> requests.Response:
    return requests.post(f"{base}/api/enrich", files={"file": (filename, data, "text/csv")}, data=fields,
                         timeout=TIMEOUT)


def parse(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.mark.parametrize(("encoding", "charset"), [("utf-8-sig", "utf-8"), ("utf-8", "utf-8"),
                                                   ("cp932", "Windows-31J")])
def test_round_trip_keeps_every_row_in_order_with_its_bytes(live_server, municipalities, encoding, charset):
    rows = sheet(municipalities)
    data = excel_bytes(rows, encoding)
    response = enrich(live_server, data, column="市区町村名", prefecture_column="都道府県")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == f"text/csv; charset={charset}"
    assert response.headers["X-Enrich-Encoding"] == encoding
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")

    # Byte for byte: each input line (as written) starts its output line, followed by the added cells.
    lines = re.findall(rb'(?:[^"\r\n]|"[^"]*")*\r\n', data.removeprefix(b"\xef\xbb\xbf"))
    assert b"".join(lines) == data.removeprefix(b"\xef\xbb\xbf")
    position = 3 if encoding == "utf-8-sig" else 0
    for line in lines:
        original = line[:-2]
        assert body[position:position + len(original)] == original
        end = body.index(b"\r\n", position + len(original))
        assert body[position + len(original):position + len(original) + 1] == b","
        position = end + 2
    assert position == len(body)

    # Cell for cell: the same rows in the same order, the original cells unchanged, padded to one width.
    back = parse(body, encoding)
    assert len(back) == len(rows)
    width = max(len(r) for r in rows)
    for sent, got in zip(rows, back, strict=True):
        assert got[:len(sent)] == sent
        assert got[len(sent):width] == [""] * (width - len(sent))
        assert len(got) == width + len(ADDED)
    assert back[0][width:] == ADDED
    check_values(back, width, municipalities)
    counts = {k: int(response.headers[f"X-Enrich-{k}"])
              for k in ("Rows", "Matched", "Ambiguous", "Not-Found")}
    assert counts["Rows"] == len(rows) - 1 == counts["Matched"] + counts["Ambiguous"] + counts["Not-Found"]


def check_values(back: list[list[str]], width: int, municipalities: list[dict]) -> None:
    """Every name found with its store identifiers; the special rows with their status."""
    added = {row[0]: dict(zip(ADDED, row[width:], strict=True)) for row in back[1:] if row and row[0]}
    for n, m in enumerate(municipalities, start=1):
        got = added[str(n)]
        assert got["sckgStatus"] == "matched", (m, got)
        assert [got[k] for k in ("sckgIri", "sckgLgCode", "sckgEstatIri", "sckgName", "sckgPrefecture")] \
            == [m["s"], m["code"], m["sac"], m["name"], m["pref"]]
        assert got["sckgCorporateNumber"] == (m["corp"] or "")
    assert added["90"]["sckgStatus"] == "ambiguous" and "広島県" in added["90"]["sckgNote"]
    assert added["90"]["sckgIri"] == ""
    assert added["91"]["sckgStatus"] == "matched" and added["91"]["sckgPrefecture"] == "広島県"
    assert added["92"]["sckgStatus"] == "not found" and "372056" in added["92"]["sckgNote"]
    assert added["93"]["sckgLgCode"] == "372056" and added["96"]["sckgLgCode"] == "372056"
    assert added["94"]["sckgStatus"] == "not found"
    assert added["97"]["sckgLgCode"] == "372056"
    assert added["98"]["sckgStatus"] == "not found"


def test_cp932_written_by_python_codec_with_characters_excel_uses(live_server):
    """Full-width digits and half-width katakana in a Shift_JIS file, a column given by its number."""
    rows = [["コード", "名称"], ["３７２０５６", "観音寺市"], ["011002", "ｻｯﾎﾟﾛｼ"], ["", "①丸数字"]]
    data = excel_bytes(rows, "cp932")
    response = enrich(live_server, data, column="1")
    assert response.status_code == 200 and response.headers["X-Enrich-Encoding"] == "cp932"
    back = parse(response.content, "cp932")
    assert [r[:2] for r in back] == rows
    assert back[1][3] == "372056" and back[2][3] == "011002"


def test_a_header_only_file_gets_the_added_header(live_server):
    response = enrich(live_server, "名称\n".encode(), column="名称")
    assert response.status_code == 200
    assert response.content.decode() == "名称," + ",".join(ADDED) + "\n"
    assert response.headers["X-Enrich-Rows"] == "0"


def test_a_file_without_header_and_a_last_line_without_line_end(live_server):
    response = enrich(live_server, "観音寺市,香川県\n府中市".encode(), column="1", header="no")
    assert response.status_code == 200
    lines = response.content.decode().split("\n")
    assert lines[0].startswith("観音寺市,香川県,https://") and lines[1].startswith("府中市,,")
    assert len(lines) == 2 and ",ambiguous," in lines[1]  # and still no line end after the last row


def test_raw_body_with_options_in_the_query_string(live_server):
    data = excel_bytes([["name"], ["Kan'onji-shi"], ["香川県"]], "utf-8")
    response = requests.post(f"{live_server}/api/enrich?column=name", data=data,
                             headers={"Content-Type": "text/csv"}, timeout=TIMEOUT)
    assert response.status_code == 200
    back = parse(response.content, "utf-8")
    assert back[2][ADDED.index("sckgLgCode") + 1] == "370002"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_uploads_a_shift_jis_file_and_gets_shift_jis_back(live_server, tmp_path):
    source = tmp_path / "一覧.csv"
    source.write_bytes(excel_bytes([["自治体", "県"], ["観音寺市", "香川県"], ["高松市", "香川県"]], "cp932"))
    target = tmp_path / "out.csv"
    headers = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-D", "-", "-o", str(target), "-F", f"file=@{source}",
         "-F", "column=自治体", "-F", "prefecture_column=県", f"{live_server}/api/enrich"],
        capture_output=True, timeout=TIMEOUT, check=True).stdout.decode()
    assert "charset=Windows-31J" in headers and "x-enrich-matched: 2" in headers.lower()
    assert "filename*=UTF-8''%E4%B8%80%E8%A6%A7-sckg.csv" in headers  # 一覧-sckg.csv
    back = parse(target.read_bytes(), "cp932")
    assert [r[:2] for r in back] == [["自治体", "県"], ["観音寺市", "香川県"], ["高松市", "香川県"]]
    assert [r[3] for r in back[1:]] == ["372056", "372013"]


@pytest.mark.parametrize(("data", "fields", "status", "reason"), [
    (bytes(range(256)) * 8, {"column": "1"}, 400, "NUL byte"),
    (b"PK\x03\x04" + b"\x00" * 100, {"column": "1"}, 400, "Excel workbook"),
    ("名称\n観音寺市\n".encode("utf-16"), {"column": "1"}, 400, "UTF-16"),
    (b"name\n\x85\x20abc\n", {"column": "1"}, 400, "neither UTF-8 nor Shift_JIS"),
    ("名称\n観音寺市\n".encode("cp932"), {"column": "1", "encoding": "utf-8"}, 400, "not utf-8"),
    ("名称\n観音寺市\n".encode(), {"column": "1", "encoding": "latin-9"}, 400, "unknown encoding"),
    ("名称,県\n観音寺市,香川\n".encode(), {"column": "市町村"}, 400, "no column '市町村'"),
    ("名称,県\n観音寺市,香川\n".encode(), {"column": "3"}, 400, "no column '3'"),
    ("名称,県\n観音寺市,香川\n".encode(), {}, 400, "name the column"),
    ("名称,県\n観音寺市,香川\n".encode(), {"column": "1", "prefecture_column": "x"}, 400,
     "prefecture column"),
    ('名称\n"観音寺市\n高松市\n'.encode(), {"column": "1"}, 400, "row 2, line 2: a quoted field"),
    ('名称\n"観音寺市"x\n'.encode(), {"column": "1"}, 400, "text after the closing quote"),
    (b"", {"column": "1"}, 400, "no file"),
    (b"a\n" * 60_000, {"column": "1"}, 413, "more than 50000 rows"),
])
def test_files_that_cannot_be_read_are_refused_with_the_reason(live_server, data, fields, status, reason):
    response = enrich(live_server, data, **fields)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and reason in body["error"], body


def test_a_file_over_the_size_limit_is_413_with_the_limit(live_server):
    limit = 1_000_000  # MAX_REQUEST_BYTES of the default settings
    data = ("観音寺市,香川県\r\n" * (limit // 20)).encode()
    assert len(data) > limit
    response = enrich(live_server, data, column="1")
    assert response.status_code == 413
    assert str(limit) in response.json()["error"]
    raw = requests.post(f"{live_server}/api/enrich?column=1", data=data, headers={"Content-Type": "text/csv"},
                        timeout=TIMEOUT)
    assert raw.status_code == 413 and str(limit) in raw.json()["error"]


def test_a_form_body_and_a_get_are_refused_with_what_to_do(live_server):
    form = requests.post(f"{live_server}/api/enrich", data={"column": "1"}, timeout=TIMEOUT)
    assert form.status_code == 415 and "multipart" in form.json()["error"]
    get = requests.get(f"{live_server}/api/enrich", timeout=TIMEOUT)
    assert get.status_code == 405 and get.headers["Allow"] == "POST" and "/linkage" in get.json()["error"]


def test_the_page_in_both_languages_links_from_the_header(live_server):
    for lang, title in (("ja", "CSV に識別子を付ける"), ("en", "Add identifiers to a CSV file")):
        page = requests.get(f"{live_server}/linkage?lang={lang}", timeout=TIMEOUT)
        assert page.status_code == 200 and page.headers["Content-Language"] == lang
        assert title in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'href="/linkage"' in requests.get(f"{live_server}/?lang=en", timeout=TIMEOUT).text


def test_the_page_gives_openrefine_a_service_url_that_answers_with_a_manifest(live_server):
    page = requests.get(f"{live_server}/linkage?lang=en", timeout=TIMEOUT).text
    service = re.search(r'id="linkage-openrefine".*?<pre><code>(\S+/reconcile)</code>', page, re.S)[1]
    manifest = requests.get(service, timeout=TIMEOUT).json()
    assert manifest["identifierSpace"] and "0.2" in manifest["versions"]


def test_the_page_works_as_a_plain_form_preview_then_download(live_server):
    data = excel_bytes([["県", "市町村"], ["香川県", "観音寺市"], ["広島県", "府中市"]], "cp932")
    step1 = requests.post(f"{live_server}/linkage?lang=en", files={"file": ("list.csv", data)},
                          data={"step": "preview"}, timeout=TIMEOUT)
    assert step1.status_code == 200 and step1.headers["Content-Type"].startswith("text/html")
    assert "<th scope=\"col\"><span class=\"num\">2</span> 市町村</th>" in step1.text
    assert re.search(r'<option value="2" selected>2: 市町村</option>', step1.text)  # the guess
    assert re.search(r'<option value="1" selected>1: 県</option>', step1.text)
    embedded = re.search(r'name="data" value="([^"]+)"', step1.text).group(1)
    assert base64.b64decode(embedded) == data
    step2 = requests.post(f"{live_server}/linkage?lang=en", timeout=TIMEOUT, files={"file": ("", b"")},
                          data={"data": embedded, "filename": "list.csv", "column": "2",
                                "prefecture_column": "1", "step": "enrich"})
    assert step2.status_code == 200 and step2.headers["Content-Type"] == "text/csv; charset=Windows-31J"
    assert "list-sckg.csv" in step2.headers["Content-Disposition"]
    back = parse(step2.content, "cp932")
    assert [r[ADDED.index("sckgLgCode") + 2] for r in back[1:]] == ["372056", "342084"]


def test_the_preview_for_scripts_and_the_page(live_server):
    rows = [["都道府県", "団体名", "x"], *[["香川県", "観音寺市", str(n)] for n in range(15)]]
    response = requests.post(f"{live_server}/api/enrich/preview", timeout=TIMEOUT,
                             files={"file": ("a.csv", excel_bytes(rows, "utf-8-sig"))})
    assert response.status_code == 200
    got = response.json()
    assert got["encoding"] == "utf-8-sig" and got["rows"] == 15 and len(got["preview"]) == 10
    assert [c["name"] for c in got["columns"]] == ["都道府県", "団体名", "x"]
    assert (got["column"], got["prefectureColumn"]) == (2, 1)


def test_the_page_shows_why_a_file_cannot_be_read(live_server):
    response = requests.post(f"{live_server}/linkage?lang=ja", files={"file": ("x.csv", b"\x00\x01")},
                             data={"step": "preview"}, timeout=TIMEOUT)
    assert response.status_code == 400 and "NUL byte" in response.text and 'role="alert"' in response.text


def test_a_value_without_a_shift_jis_form_makes_the_file_utf8_with_bom():
    """No name of the data lacks a cp932 form, so the writer is checked directly."""
    file = read("名称\r\n髙橋\r\n".encode("cp932"))
    written = write(file, [["x"], ["𠮷"]])
    assert written.encoding == "utf-8-sig" and "row 2" in written.fallback
    assert written.body.decode("utf-8-sig") == "名称,x\r\n髙橋,𠮷\r\n"
    kept = write(file, [["x"], ["吉"]])
    assert kept.encoding == "cp932" and kept.body == "名称,x\r\n髙橋,吉\r\n".encode("cp932")


def test_a_large_sheet_is_answered_quickly(live_server, municipalities):
    """20,000 rows of names in random order: every row back, in order (time printed with -s)."""
    import time

    names = [m["name"] for m in municipalities] + ["府中市", "存在しない"]
    rng = random.Random(11)
    rows = [["名称"]] + [[rng.choice(names)] for _ in range(20_000)]
    data = excel_bytes(rows, "utf-8")
    started = time.perf_counter()
    response = enrich(live_server, data, column="名称")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    back = parse(response.content, "utf-8")
    assert [r[0] for r in back] == [r[0] for r in rows]
    print(f"\n20,000 rows ({len(data):,} bytes) enriched in {elapsed:.2f} s")
    assert elapsed < 20
