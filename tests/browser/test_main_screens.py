"""The main screens in a real browser: log in, search a NIK, edit a member, read the history."""

from __future__ import annotations

import pytest

from dtks.registry import choices as c

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "rahasia-123")
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def _search_and_open(page, base: str, nik: str, id_dtks: str) -> None:
    page.goto(f"{base}/keluarga/")
    page.fill("#id_q", nik)
    page.click("button[name=page][value='1']")
    page.locator("#results a", has_text=id_dtks).click()
    page.wait_for_url(f"{base}/keluarga/*/")
    assert "?" not in page.url  # the NIK never enters the URL


def test_operator_and_pengelola_edit_a_member_and_see_history(
    transactional_db, live_server, browser, personas, family_a
):
    base = live_server.url
    member = family_a.memberships.select_related("person").get(relationship=c.Relationship.SPOUSE)
    nik, old_name = member.person.nik, member.person.name

    page = browser.new_page(viewport=PHONE)
    _log_in(page, base, "op_a")
    _search_and_open(page, base, nik, family_a.id_dtks)
    page.locator("tr", has_text=old_name).get_by_role("link", name="Ubah", exact=True).click()
    page.fill("#id_name", "Siti Rahmawati")
    page.click("button.primary")
    page.wait_for_url(f"{base}/keluarga/{family_a.pk}/")
    history = page.locator(".history").inner_text()
    assert "Siti Rahmawati" in history
    assert old_name in history
    assert "op_a" in history
    page.screenshot(path="/tmp/dtks-family-phone.png", full_page=True)
    page.close()

    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pengelola")
    _search_and_open(page, base, nik, family_a.id_dtks)
    assert nik in page.locator("#members table.list").inner_text()  # pengelola sees the full NIK
    assert "Siti Rahmawati" in page.locator(".history").inner_text()
    page.screenshot(path="/tmp/dtks-family-desktop.png", full_page=True)
    page.close()
