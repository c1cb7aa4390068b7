"""The existing ``/api`` page in Chromium: it lists the canned queries and passes axe-core."""

from __future__ import annotations

from pathlib import Path

QUERIES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "queries").glob("*.rq"))


def test_api_page_lists_every_canned_query_and_is_accessible(page):
    page.open("/api")
    text = page.find("body").text
    missing = [name for name in QUERIES if name not in text]
    assert not missing, f"/api does not show {missing}"
    page.screenshot("api")
    page.check_accessibility()
    assert page.offsite_requests() == []
