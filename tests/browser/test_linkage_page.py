"""The /linkage page in Chromium: choose a Shift_JIS file, see its first rows, pick the columns, get the
enriched file (read back from the page's download link), in Japanese and English, desktop and phone."""

from __future__ import annotations

import base64
import csv
import io

import pytest

from .conftest import DESKTOP, PHONE

ROWS = [["県", "市町村", "メモ"], ["香川県", "観音寺市", "a, b"], ["広島県", "府中市", ""],
        ["", "存在しない村", ""], ["東京都", "府中市", "複数\r\n行"]]


def cp932_file(tmp_path) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(ROWS)
    path = tmp_path / "自治体一覧.csv"
    path.write_bytes(out.getvalue().encode("cp932"))
    return str(path)


def download_bytes(page) -> bytes:
    """The bytes behind the page's download link (a blob: URL), read in the page."""
    encoded = page.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.querySelector('#linkage-download').href).then(r => r.arrayBuffer()).then(b => {"
        "  let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); done(btoa(s)); });")
    return base64.b64decode(encoded)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_upload_choose_the_column_and_get_the_enriched_file(page, tmp_path, lang):
    page.open(f"/linkage?lang={lang}")
    title = "CSV に識別子を付ける" if lang == "ja" else "Add identifiers to a CSV file"
    assert page.find("h1").text == title
    page.screenshot(f"linkage-{lang}-{DESKTOP[0]}")
    page.check_accessibility()

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    page.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow",
                                                                 "downloadPath": str(downloads)})
    try:
        enrich_in_the_page(page, tmp_path, downloads, lang)
    finally:
        page.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})


def enrich_in_the_page(page, tmp_path, downloads, lang):
    from selenium.webdriver.support.ui import Select

    page.find("#linkage-file").send_keys(cp932_file(tmp_path))
    page.find("table.preview tbody tr")
    header = [th.text for th in page.find_all("table.preview thead th")]
    assert header == ["1 県", "2 市町村", "3 メモ"]
    assert page.find("table.preview caption").text.endswith("cp932)")
    column = Select(page.find("select#linkage-column"))
    assert column.first_selected_option.text == "2: 市町村"  # guessed from the header
    column.select_by_visible_text("2: 市町村")
    Select(page.find("select#linkage-prefecture")).select_by_visible_text("1: 県")
    page.find("button.primary").click()
    link = page.find("#linkage-download")
    assert link.get_attribute("download") == "自治体一覧-sckg.csv"
    summary = page.find("#linkage-result .summary").text
    assert "matched: 3" in summary and "not found: 1" in summary and "cp932" in summary

    body = download_bytes(page)
    saved = downloads / "自治体一覧-sckg.csv"
    page.wait_for(lambda d: saved.exists() and saved.read_bytes() == body, message="no download saved")
    back = list(csv.reader(io.StringIO(body.decode("cp932"), newline="")))
    assert [r[:3] for r in back] == ROWS
    assert [r[4] for r in back[1:]] == ["372056", "342084", "", "132063"]
    page.screenshot(f"linkage-{lang}-{DESKTOP[0]}-result")
    page.check_accessibility()
    assert page.console_errors() == []
    assert page.offsite_requests() == []

    page.resize(PHONE)
    page.screenshot(f"linkage-{lang}-{PHONE[0]}-result")
    width = page.js("return document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"the page is {width} px wide on a {PHONE[0]} px phone"


def test_a_file_that_cannot_be_read_says_why(page, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    page.open("/linkage?lang=en")
    page.find("#linkage-file").send_keys(str(path))
    alert = page.find("#linkage-preview [role=alert]")
    assert "Excel workbook" in alert.text


def test_the_empty_page_on_a_phone(page):
    page.resize(PHONE)
    for lang in ("ja", "en"):
        page.open(f"/linkage?lang={lang}")
        page.screenshot(f"linkage-{lang}-{PHONE[0]}")
        assert page.js("return document.documentElement.scrollWidth") <= PHONE[0]
