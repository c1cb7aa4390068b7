"""The reconciliation preview in Chromium, at the size the manifest announces (OpenRefine's iframe)."""

from __future__ import annotations

from urllib.parse import urlencode

import requests

from .conftest import SCREENSHOTS

KANONJI = "https://w3id.org/smartcity-kg/id/municipality/372056"


def test_preview_fits_its_box_renders_japanese_and_links_to_the_page(page, live_server):
    manifest = requests.get(live_server + "/reconcile", timeout=30).json()["preview"]
    page.open(manifest["url"].replace("{{id}}", KANONJI) + "&lang=ja")
    card = page.find(".card")
    box = page.js("const r = arguments[0].getBoundingClientRect();"
                  "return [r.width, r.height, arguments[0].scrollHeight, arguments[0].scrollWidth]", card)
    assert box[:2] == [manifest["width"], manifest["height"]]
    assert box[2] <= manifest["height"] and box[3] <= manifest["width"], f"content overflows: {box}"
    assert page.js("return document.fonts.check('16px \"Noto Sans CJK JP\"', '観音寺市')")
    assert all(t in card.text for t in ("観音寺市", "香川県", "かんおんじし", "種類", "市"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(str(SCREENSHOTS / f"{page.name}-preview-ja.png"))
    page.check_accessibility()
    assert page.offsite_requests() == []

    page.find("h1 a").click()  # opens the resource page in a new tab
    page.wait_for(lambda d: len(d.window_handles) == 2)
    page.driver.switch_to.window(page.driver.window_handles[1])
    page.wait_for(lambda d: d.execute_script("return document.readyState") == "complete")
    try:
        assert page.driver.current_url == live_server + "/page/municipality/372056"
        assert "観音寺市" in page.find("h1").text
    finally:
        page.driver.close()
        page.driver.switch_to.window(page.driver.window_handles[0])


def test_preview_in_english(page):
    page.open("/reconcile/preview?" + urlencode({"id": KANONJI, "lang": "en"}))
    card = page.find(".card")
    assert "Kind" in card.text and "Kan'onji-shi" in card.text and "Kagawa" in card.text
    assert "city" in card.find_element("css selector", "dd").text
    card.screenshot(str(SCREENSHOTS / f"{page.name}-preview-en.png"))
