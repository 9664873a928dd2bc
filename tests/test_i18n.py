"""The Indonesian catalogues are complete and compiled, and the UI follows the chosen language."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

import dtks
from dtks.registry.choices import Relationship
from dtks.registry.models import Person

CATALOGUES = sorted(Path(dtks.__file__).parent.glob("**/locale/id/LC_MESSAGES/django.po"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(Path(dtks.__file__).parent)) for p in paths]


def _translations(entries) -> dict[tuple[str | None, str], object]:
    table: dict[tuple[str | None, str], object] = {}
    for e in entries:
        if e.obsolete or "fuzzy" in e.flags or not e.msgid:
            continue
        value = tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
        table[(e.msgctxt, e.msgid)] = value
    return table


def test_project_and_app_catalogues_exist():
    names = _ids(CATALOGUES)
    assert "locale/id/LC_MESSAGES/django.po" in names
    assert len(names) >= 2


@pytest.mark.parametrize("path", CATALOGUES, ids=_ids(CATALOGUES))
def test_every_msgid_has_an_indonesian_translation(path: Path):
    po = polib.pofile(str(path))
    missing = [
        e.msgid
        for e in po
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or (not e.msgid_plural and not e.msgstr.strip())
            or (e.msgid_plural and not all(v.strip() for v in e.msgstr_plural.values()))
        )
    ]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGUES, ids=_ids(CATALOGUES))
def test_compiled_catalogue_matches_its_source(path: Path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"run compilemessages for {path}"
    compiled = _translations(polib.mofile(str(mo_path)))
    source = _translations(polib.pofile(str(path)))
    assert compiled == source


def test_login_page_speaks_indonesian_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Masuk ke DTKS" in page
    assert "Kata sandi" in page
    assert "Log in to DTKS" not in page


def test_login_page_speaks_english_when_chosen(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login")).content.decode()
    assert "Log in to DTKS" in page
    assert "Password" in page
    assert "Masuk ke DTKS" not in page


def test_language_switch_sets_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    assert "Log in to DTKS" in client.get(reverse("login")).content.decode()


def test_english_browser_still_gets_indonesian_until_the_user_switches(client, db):
    page = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Masuk ke DTKS" in page.content.decode()


def test_model_and_choice_labels_are_english_msgids():
    with translation.override("en"):
        assert str(Person._meta.get_field("name").verbose_name) == "full name"
        assert str(Relationship.HEAD.label) == "Head of family"


def test_model_and_choice_labels_come_back_indonesian_from_the_catalogue():
    with translation.override("id"):
        assert str(Person._meta.get_field("name").verbose_name) == "nama lengkap"
        assert str(Relationship.HEAD.label) == "Kepala keluarga"


# Labels that read the same in both languages: official terms and words shared by both.
SAME_IN_BOTH = {
    *("NIK", "No. KK", "ID DTKS", "RT", "RW", "dusun", "desa", "desa/kelurahan", "Desa/Kelurahan"),
    *("Desa", "Kelurahan", "Desa adat", "Kecamatan", "Distrik", "Kabupaten"),
    *("PKH", "PBI-JKN", "PIP/KIP", "Sembako/BPNT", "BLT Dana Desa", "ASN/TNI/Polri"),
    *("status", "program", "Biogas", "Diploma", "SHA-256"),
    *("Padan", "Tidak padan", "PBI-JKN non-DTKS", "Kepmensos 73/HUK/2024"),
    # SKP: the aspects, predikat and regulations keep their official names.
    *("kuantitas", "kualitas", "waktu", "biaya", "predikat", "pejabat penilai", "target"),
    *("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"),
    *("NIP", "PNS", "PPPK", "TNI", "POLRI", "SMP", "SMA", "D1–D3", "D4/S1", "Printer"),
    *("PP 46/2011 + Perka BKN 1/2013", "PP 30/2019 + PermenPANRB 8/2021", "PermenPANRB 6/2022"),
}


def _dtks_labels() -> list[str]:
    """Every verbose_name and choice label of a dtks model that is marked for translation."""
    labels = []
    for model in apps.get_models():
        if not model.__module__.startswith("dtks."):
            continue
        for field in model._meta.get_fields():
            if not hasattr(field, "verbose_name"):
                continue
            texts = [field.verbose_name, *(label for _value, label in field.flatchoices)]
            labels += [str(text) for text in texts if isinstance(text, Promise)]
    return labels


def test_no_model_label_is_indonesian_in_english():
    with translation.override("en"):
        english = _dtks_labels()
    with translation.override("id"):
        indonesian = _dtks_labels()
    untranslated = {e for e, i in zip(english, indonesian, strict=True) if e == i}
    assert untranslated - SAME_IN_BOTH == set()
