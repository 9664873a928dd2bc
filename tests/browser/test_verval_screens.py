"""The verval screens in a real browser: an officer's change to their own family held for a
second verifier who approves it; a duplicate pair confirmed as one person, then the merge
undone; the Dukcapil matching KPI page."""

from __future__ import annotations

import pytest

from dtks.dedup.actions import find_candidates
from dtks.dedup.models import Merge
from dtks.registry.models import HeldChange, Person
from tests.browser.test_main_screens import DESKTOP, PHONE, _log_in
from tests.dedup.conftest import planted  # noqa: F401  (the fixture)
from tests.factories import FamilyFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.browser


def test_operator_holds_a_change_to_their_own_family_and_a_verifier_approves_it(
    transactional_db, live_server, browser, personas
):
    base = live_server.url
    officer = personas.operator_a
    own = FamilyFactory(desa_id="17.09.01.2001", rt="001")
    MembershipFactory(family=own, person=PersonFactory(name="Sri Wahyuni"))
    officer.nik, officer.no_kk = "1709010302610001", own.no_kk
    officer.save()

    page = browser.new_page(viewport=PHONE)
    _log_in(page, base, "op_a")
    page.goto(f"{base}/keluarga/{own.pk}/ubah/")
    page.fill("#id_rt", "007")
    page.click("button.primary")
    page.locator("#offer-hold").wait_for()  # refused: the officer's own No. KK
    page.locator("#offer-hold button[name=hold]").click()
    page.wait_for_url(f"{base}/keluarga/persetujuan/*/")
    held = HeldChange.objects.get(family=own)
    assert held.status == HeldChange.Status.PENDING
    own.refresh_from_db()
    assert own.rt == "001"  # held, not applied
    page.close()

    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pengelola")
    page.goto(f"{base}/keluarga/persetujuan/")
    page.locator(f"a[href='/keluarga/persetujuan/{held.pk}/']").first.click()
    page.wait_for_url(f"{base}/keluarga/persetujuan/{held.pk}/")
    assert "own_kk" in page.content()
    page.locator(f"button[formaction='/keluarga/persetujuan/{held.pk}/setujui/']").click()
    page.wait_for_load_state()
    held.refresh_from_db()
    own.refresh_from_db()
    assert held.status == HeldChange.Status.APPROVED and held.decided_by == personas.pengelola
    assert own.rt == "007"
    page.close()


def test_verifier_confirms_a_duplicate_then_undoes_the_merge(
    transactional_db,
    live_server,
    browser,
    personas,
    planted,  # noqa: F811
):
    base = live_server.url
    find_candidates()
    page = browser.new_page(viewport=DESKTOP)
    _log_in(page, base, "pengelola")
    page.goto(f"{base}/ganda/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    page.locator("tr", has_text=planted.yusuf_old.id_dtks).get_by_role("link").first.click()
    page.wait_for_url(f"{base}/ganda/*/")
    page.click("#decide button[value=same]")
    page.wait_for_load_state()
    merge = Merge.objects.get()
    # The record with active aid history (PKH) is kept, the other deactivated as a duplicate.
    assert merge.kept_id == planted.yusuf_new.pk
    assert Person.objects.get(pk=planted.yusuf_old.pk).inactive_reason == "duplicate"

    page.goto(f"{base}/ganda/{merge.pair_id}/")
    page.locator("form[action$='/batalkan/'] button").click()
    page.wait_for_load_state()
    merge.refresh_from_db()
    assert merge.reversed_at is not None
    assert Person.objects.get(pk=planted.yusuf_old.pk).status == "active"
    page.close()
