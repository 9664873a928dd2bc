"""The calendar, the admin page, closing an extension, the banner, `dtks windows`."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from dtks.audit.models import AuditEvent
from dtks.schedule import actions
from dtks.schedule.models import Extension, Preset, ScheduleConfig
from dtks.schedule.windows import local_day, window_status
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B, KAB

SOON = local_day() + timedelta(days=3)


def extend(code, by, kind="dtks"):
    return actions.open_extension(Region.objects.get(code=code), kind, SOON, "Banjir", by=by)


def test_calendar_lists_every_kind_and_the_extensions_over_my_desa(client, personas):
    extend(KAB, personas.pengelola)
    extend(DESA_B, personas.pengelola)
    client.force_login(personas.operator_a)
    html = client.get("/jadwal/").content.decode()
    for kind in ("dtks", "pbi_dtks", "pbi_non_dtks", "finalisation", "ratification_upload"):
        assert f'data-kind="{kind}"' in html
    assert f'data-region="{KAB}"' in html  # the kabupaten's extension reopens desa A too
    assert f'data-region="{DESA_B}"' not in html
    assert "/jadwal/atur/" not in html


def test_user_administrator_has_no_calendar(client, personas):
    client.force_login(personas.admin)
    assert client.get("/jadwal/").status_code == 403


def test_manager_opens_an_extension_from_the_page(client, personas):
    client.force_login(personas.pengelola)
    response = client.post(
        "/jadwal/atur/",
        {"form": "extension", "region": DESA_A, "kind": "", "until": SOON.isoformat(),
         "reason": "Musdes tertunda"},
    )  # fmt: skip
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.region_id, extension.kind, extension.opened_by) == (
        DESA_A,
        "",
        personas.pengelola,
    )
    html = client.get("/jadwal/atur/").content.decode()
    assert "Musdes tertunda" in html and f"/jadwal/perpanjangan/{extension.pk}/tutup/" in html


def test_extension_form_refuses_a_missing_reason(client, personas):
    client.force_login(personas.pengelola)
    response = client.post(
        "/jadwal/atur/",
        {"form": "extension", "region": DESA_A, "until": SOON.isoformat(), "reason": ""},
    )
    assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert not Extension.objects.exists()


def test_manager_switches_preset_and_edits_a_rule_from_the_page(client, personas):
    client.force_login(personas.pengelola)
    client.post("/jadwal/atur/", {"form": "preset", "preset": Preset.KEPMENSOS_150_2022})
    assert ScheduleConfig.current_preset() == Preset.KEPMENSOS_150_2022
    response = client.post(
        "/jadwal/atur/",
        {"form": "rule", "kind": "dtks", "first_day": "16", "last_day": "24", "active": "on"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="update_rule").get().after == {
        "first_day": 16,
        "last_day": 24,
        "active": True,
    }


def test_only_the_manager_reaches_the_admin_page(client, personas):
    for user in (personas.admin, personas.operator_a, personas.pengisi, personas.pimpinan):
        client.force_login(user)
        assert client.get("/jadwal/atur/").status_code == 403
        assert client.post("/jadwal/atur/", {"form": "preset", "preset": "x"}).status_code == 403


def test_closing_an_extension_from_the_page(client, personas):
    extension = extend(DESA_A, personas.pengelola)
    client.force_login(personas.operator_a)
    assert client.post(f"/jadwal/perpanjangan/{extension.pk}/tutup/").status_code == 403
    client.force_login(personas.operator_b)
    assert client.post(f"/jadwal/perpanjangan/{extension.pk}/tutup/").status_code == 404
    client.force_login(personas.pengelola)
    assert client.post(f"/jadwal/perpanjangan/{extension.pk}/tutup/").status_code == 302
    extension.refresh_from_db()
    assert extension.closed_by == personas.pengelola


BANNER = Template('{% load schedule %}{% window_banner "dtks" desa %}')


def banner(day: date) -> str:
    status = window_status("dtks", DESA_A, day)
    with translation.override("en"):
        return render_to_string("schedule/_window_banner.html", {"window": status})


def test_banner_says_how_long_the_window_stays_open(regions):
    html = banner(date(2026, 11, 17))
    assert 'data-open="1"' in html and "until 20 Nov (3 days left)" in html
    assert "last day" in banner(date(2026, 11, 20))


def test_banner_says_closed_and_when_it_opens(regions):
    html = banner(date(2026, 11, 22))
    assert 'data-open="0"' in html and "opens again on 15 Dec" in html


def test_banner_of_an_extension(personas):
    extend(DESA_A, personas.pengelola)
    with translation.override("en"):
        html = BANNER.render(Context({"desa": DESA_A}))
    assert 'data-open="1"' in html and "(extension)" in html


def test_cli_prints_the_windows_of_the_month(db):
    out = StringIO()
    call_command("windows", "--date", "2026-11-22", stdout=out)
    text = out.getvalue()
    assert "dtks" in text and "15-11-2026 s.d. 20-11-2026" in text and "15-12-2026" in text
    assert "finalisation" in text and "15-11-2026 s.d. 29-11-2026" in text


def test_cli_shows_extensions_in_force(regions):
    actions.open_extension(Region.objects.get(code=KAB), "", SOON, "x", by=None)
    out = StringIO()
    call_command("windows", "--date", local_day().isoformat(), stdout=out)
    assert KAB in out.getvalue()
