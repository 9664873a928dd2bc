"""The ratification pack: its content, verification code, PDF, issuing and checking."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.proposals import actions
from dtks.proposals import pack as packs
from dtks.proposals.models import RatificationPack
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, KAB

from . import test_ratify
from .conftest import walk

pytestmark = pytest.mark.django_db

SIGNER = "Drs. Contoh Penandatangan, M.Si."


@pytest.fixture(autouse=True)
def _pack_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.DTKS_SIGNATORY = {**settings.DTKS_SIGNATORY, "name": SIGNER}


# Four finalised proposals of desa A (August 2023): a name corrected, a new member, a child
# deactivated (moved), PKH for the family.
finalised = test_ratify.finalised


@pytest.fixture
def ratified(finalised, personas):
    return actions.ratify_batch(finalised[0].batch, by=personas.pengesah)


@pytest.fixture
def kab() -> Region:
    return Region.objects.get(code=KAB)


@pytest.fixture
def issued(ratified, personas, kab) -> RatificationPack:
    pack, created = packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    assert created
    return pack


def pdf_text(pack: RatificationPack) -> tuple[str, list[str]]:
    data = packs.pack_path(pack).read_bytes()
    assert data.startswith(b"%PDF-")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return "\n".join(pages), pages


def test_pdf_holds_kop_number_signatory_persons_and_code(issued, ratified, family_a):
    text, pages = pdf_text(issued)
    assert "PEMERINTAH KABUPATEN BENGKULU TENGAH" in text
    assert "DINAS SOSIAL" in text
    assert "BERITA ACARA PENGESAHAN" in text
    assert issued.number in text
    assert "BUPATI BENGKULU TENGAH" in text and SIGNER in text
    assert "Kepala Diperbaiki" in text and "Putri Baru" in text
    assert "1709016501100004" in text  # NIK printed in full
    assert family_a.no_kk in text
    assert "pindah" in text and "PKH" in text
    assert issued.code in pages[-1]
    assert all(issued.short_code in page for page in pages)
    assert len(issued.code) == 64


def test_sekda_signs_on_behalf_of_the_bupati_with_nip(settings, ratified, personas, kab):
    settings.DTKS_SIGNATORY = {
        **settings.DTKS_SIGNATORY, "role": "Sekretaris Daerah", "nip": "197001011990031001"
    }  # fmt: skip
    pack, _ = packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    text, _pages = pdf_text(pack)
    assert "a.n. BUPATI BENGKULU TENGAH" in text
    assert "SEKRETARIS DAERAH" in text
    assert "NIP. 197001011990031001" in text


def test_number_follows_the_configured_format(settings, ratified, personas, kab):
    settings.DTKS_PACK_NUMBER_FORMAT = "474/{seq}/SK-DTKS/{month_roman}/{year}"
    pack, _ = packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    assert pack.number.startswith("474/1/SK-DTKS/")
    assert pack.number.endswith(f"/{pack.issued_at.year}")


def test_same_content_gives_the_same_code_and_pack(issued, personas, kab):
    content = packs.build_content(2023, 8, kab)
    assert packs.digest(content.canonical, issued.number) == issued.code
    again, created = packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    assert (again.pk, created) == (issued.pk, False)
    assert RatificationPack.objects.count() == 1


def test_changed_content_gives_a_new_number_and_code(issued, ratified, personas, kab):
    corrected = ratified[0]
    corrected.payload = {"person": {"name": "Nama Lain"}}
    corrected.save()
    newer, created = packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    assert created
    assert newer.number != issued.number and newer.code != issued.code
    assert newer.sequence == issued.sequence + 1
    issued.refresh_from_db()
    assert issued.state == RatificationPack.State.SUPERSEDED
    assert newer.state == RatificationPack.State.ISSUED
    assert "Nama Lain" in pdf_text(newer)[0]


def test_later_status_does_not_change_the_code(issued, ratified, personas, kab):
    actions.take_step(ratified[0], "send", by=personas.pengelola)
    content = packs.build_content(2023, 8, kab)
    assert packs.digest(content.canonical) == issued.content_digest


def test_verify_pack_knows_full_and_short_codes(issued):
    assert packs.verify_pack(issued.code) == issued
    assert packs.verify_pack(issued.code.upper()) == issued
    short = issued.short_code
    assert packs.verify_pack(f"{short[:8]} {short[8:]}") == issued
    assert packs.verify_pack("0" * 64) is None
    assert packs.verify_pack("abc") is None


def test_issuing_is_audited(issued, personas):
    event = AuditEvent.objects.get(action="issue_ratification_pack")
    assert event.actor == personas.pengelola
    assert event.after["number"] == issued.number
    assert event.after["code"] == issued.code
    assert sorted(event.after["proposals"]) == sorted(issued.proposal_ids)
    assert event.region_code == KAB


@pytest.mark.parametrize("persona", ["pengesah", "operator_a", "pimpinan", "pengisi"])
def test_only_the_pengelola_issues(ratified, personas, kab, persona):
    with pytest.raises(PermissionDeniedError):
        packs.issue_ratification_pack(2023, 8, kab, by=getattr(personas, persona))
    assert not RatificationPack.objects.exists()
    assert not packs.pack_dir().exists() or not list(packs.pack_dir().glob("*.pdf"))


def test_nothing_ratified_is_refused(batch, make_proposal, personas, kab):
    walk(make_proposal(), "finalised", personas)
    with pytest.raises(DomainError) as refused:
        packs.issue_ratification_pack(2023, 8, kab, by=personas.pengelola)
    assert refused.value.code == "nothing"


def test_pack_of_a_desa_and_the_default_area(ratified, personas):
    desa, _ = packs.issue_ratification_pack(
        2023, 8, Region.objects.get(code=DESA_A), by=personas.pengelola
    )
    assert desa.area_id == DESA_A and len(desa.proposal_ids) == 4
    assert packs.default_area(2023, 8, personas.pengelola).code == KAB
    assert packs.default_area(2023, 8, None).code == KAB


def test_lampiran_rows_say_what_changed(ratified, kab):
    from dtks.proposals.pack_pdf import sections

    (section,) = sections(packs.build_content(2023, 8, kab))
    details = {row.proposal_id: row.detail for row in section.rows}
    fix, member, leave, program = ratified
    assert "-> Kepala Diperbaiki" in details[fix.pk]
    assert details[member.pk] == "anggota baru: anak"
    assert details[leave.pk] == "nonaktif, alasan: pindah"
    assert details[program.pk] == "program: PKH"
