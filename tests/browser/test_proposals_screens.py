"""The proposal screens in a real browser: the desa operator proposes a deactivation from the
family page, uploads the berita acara and submits; the verifier returns it with a note; the
operator explains and resubmits; the verifier verifies it."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.proposals.models import Proposal
from dtks.schedule.models import Extension
from tests.browser.test_main_screens import DESKTOP, PHONE, _log_in
from tests.conftest import KAB
from tests.proposals.conftest import TINY_PDF

pytestmark = pytest.mark.browser


def test_deactivation_is_returned_repaired_and_verified(
    transactional_db, live_server, browser, personas, family_a, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    Extension.objects.create(
        kind="", region_id=KAB, starts_on=dt.date(2000, 1, 1), ends_on=dt.date(2100, 12, 31),
        reason="tests",
    )  # fmt: skip
    base = live_server.url
    child = family_a.memberships.filter(relationship=3).first().person

    page = browser.new_page(viewport=PHONE)
    _log_in(page, base, "op_a")
    page.goto(f"{base}/keluarga/{family_a.pk}/")
    page.click("#propose-change summary")
    page.click("#propose-change a[data-kind=deactivate]")
    page.select_option("#id_person", str(child.pk))
    page.select_option("#id_reason", "died")
    page.click("#proposal-form button.primary")
    page.wait_for_url(f"{base}/usulan/*/")
    proposal = Proposal.objects.get()
    page.click("#proposal-nav a")  # the batch of the month
    page.select_option("#id_kind", "berita_acara")
    page.set_input_files(
        "#id_file", {"name": "ba.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
    )
    page.click("#upload button")
    page.locator("[data-document=berita_acara]").wait_for()
    page.click("#submit-all button")
    page.locator(f"tr[data-proposal='{proposal.pk}'][data-status=submitted]").wait_for()
    page.close()

    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pengelola")
    page.goto(f"{base}/usulan/verifikasi/")
    row = page.locator(f"tr[data-proposal='{proposal.pk}']")
    row.locator("input[name=note]").fill("Lampirkan nomor akta kematian")
    row.locator("button[data-step=return]").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == "returned"
    page.close()

    page = browser.new_page(viewport=PHONE)
    _log_in(page, base, "op_a")
    page.goto(f"{base}/usulan/{proposal.pk}/")
    assert "Lampirkan nomor akta kematian" in page.locator("#return-note").inner_text()
    page.click("#edit-link")
    page.fill("#id_note", "Akta kematian 1709-KM-2023-0042")
    page.click("#proposal-form button.primary")
    page.wait_for_url(f"{base}/usulan/{proposal.pk}/")
    page.click("button[data-step=submit]")
    page.locator("#proposal-status[data-status=submitted]").wait_for()
    page.close()

    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pengelola")
    page.goto(f"{base}/usulan/verifikasi/")
    page.locator(f"tr[data-proposal='{proposal.pk}'] button[data-step=verify]").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == "verified"
    assert proposal.payload["note"] == "Akta kematian 1709-KM-2023-0042"
    steps = list(proposal.transitions.values_list("action", flat=True))
    assert steps == ["create", "submit", "return", "edit", "submit", "verify"]
    page.close()
