"""The ratification pack as a PDF (fpdf2): berita acara pengesahan and its lampiran.

An official Indonesian document, so its text is Indonesian whatever the user's language (it is
not UI, and the catalogue must not be able to change a signed text): kop with a double rule,
title, nomor / lampiran / perihal, the opening paragraph with totals per kind, the reference
to the lampiran, the closing, place and date in Indonesian, the signature block of the Bupati
or of the Sekda signing a.n. Bupati (with NIP), as `DTKS_SIGNATORY` says. The lampiran lists,
by desa, the families and persons ratified (new, corrected before → after, deactivated with
the reason, programs) with NIK and No. KK in full. Every page's footer carries the number and
the short verification code; the last page the full code.

fpdf2's built-in Helvetica covers Latin-1, enough for Indonesian; any other character is
folded to its closest Latin-1 form (no font file, no system library).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from fpdf import FPDF

from dtks.registry.models import Membership

from .data import changes
from .models import Kind, Proposal

if TYPE_CHECKING:
    from dtks.wilayah.models import Region

    from .models import RatificationPack
    from .pack import PackContent

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
KIND_LABELS = {
    Kind.NEW_FAMILY: "Usulan baru (keluarga)",
    Kind.NEW_MEMBER: "Usulan baru (individu)",
    Kind.CORRECT_FAMILY: "Perbaikan data keluarga",
    Kind.CORRECT_PERSON: "Perbaikan data individu",
    Kind.DEACTIVATE: "Penonaktifan",
    Kind.PROGRAM: "Usulan program",
}
REASONS = {
    "died": "meninggal", "moved": "pindah", "duplicate": "ganda",
    "not_eligible": "tidak layak (mampu)", "civil_servant": "ASN/TNI/Polri", "other": "lainnya",
}  # fmt: skip
PROGRAMS = {
    "pbi_dtks": "PBI-JKN dari DTKS", "pbi_non_dtks": "PBI-JKN non-DTKS", "pkh": "PKH",
    "bpnt": "BPNT/Sembako", "pip": "PIP", "pbi_jkn": "PBI-JKN",
}  # fmt: skip
RELATIONSHIPS = {
    1: "kepala keluarga", 2: "istri/suami", 3: "anak", 4: "menantu", 5: "cucu",
    6: "orang tua/mertua", 7: "pembantu/sopir", 8: "lainnya",
}  # fmt: skip
FIELDS = {
    "nik": "NIK", "name": "nama", "birth_date": "tanggal lahir", "birth_place": "tempat lahir",
    "sex": "jenis kelamin", "mother_name": "nama ibu kandung", "marital_status": "status kawin",
    "relationship": "hubungan keluarga", "no_kk": "No. KK", "address": "alamat",
    "dusun": "dusun", "rt": "RT", "rw": "RW", "programs": "program",
}  # fmt: skip
FOLD = str.maketrans({"→": "->", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})
MARGIN = 20


@dataclass(frozen=True)
class Row:
    """One line of the lampiran: a person, or a family when the change is the family's."""

    proposal_id: int
    kind: str
    no_kk: str
    nik: str
    name: str
    detail: str


@dataclass
class Section:
    """The lampiran of one desa."""

    desa: Region
    rows: list[Row] = field(default_factory=list)
    proposals: int = 0


def latin1(text: Any) -> str:
    """Text Helvetica can print: typographic marks folded, other letters to their base form."""
    out = []
    for ch in str(text).translate(FOLD):
        if ord(ch) < 256:
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


def date_id(day: dt.date) -> str:
    """`28 November 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _value(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "-"
    if name == "birth_date":
        return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    if name == "sex":
        return {1: "L", 2: "P"}.get(int(value), str(value))
    if name == "relationship":
        return RELATIONSHIPS.get(int(value), str(value))
    if name == "programs":
        return ", ".join(PROGRAMS.get(v, v) for v in value)
    return str(value)


def _changed(proposal: Proposal) -> str:
    return "; ".join(
        f"{FIELDS.get(k, k)}: {_value(k, before)} -> {_value(k, after)}"
        for k, before, after in changes(proposal)
    )


def _heads(proposals: list[Proposal]) -> dict[int, tuple[str, str]]:
    """`{family id: (NIK, name)}` of each family's head, in one query: the current head, or,
    for a family the period deactivated, the head it had last."""
    families = {p.family_id for p in proposals if p.family_id}
    heads = Membership.objects.filter(family_id__in=families, relationship=1).order_by(
        "family_id", F("end_date").desc(nulls_first=True), "-id"
    )
    found: dict[int, tuple[str, str]] = {}
    for family, nik, name in heads.values_list("family_id", "person__nik", "person__name"):
        found.setdefault(family, (nik, name))
    return found


def rows_of(proposal: Proposal, heads: dict[int, tuple[str, str]]) -> list[Row]:
    """The lampiran lines of one proposal."""
    kind, payload = proposal.kind, proposal.payload
    label = KIND_LABELS.get(kind, kind)
    no_kk = proposal.family.no_kk if proposal.family_id else ""

    def line(nik: str, name: str, detail: str, kk: str = no_kk) -> Row:
        return Row(proposal.pk, label, kk, nik, name, detail)

    if kind == Kind.NEW_FAMILY:
        kk = payload.get("family", {}).get("no_kk", no_kk)
        members = payload.get("members", [])
        return [line(m.get("nik", ""), m.get("name", ""), _joins(m), kk) for m in members]
    whole_family = kind == Kind.DEACTIVATE and not proposal.person_id
    if not whole_family and (
        kind in (Kind.NEW_MEMBER, Kind.CORRECT_PERSON, Kind.DEACTIVATE) or "person" in payload
    ):
        person = payload.get("person", {})
        nik = proposal.person.nik if proposal.person_id else person.get("nik", "")
        name = proposal.person.name if proposal.person_id else person.get("name", "")
        return [line(nik, name, _detail(proposal))]
    nik, name = heads.get(proposal.family_id or 0, ("", ""))
    return [line(nik, name, _detail(proposal))]


def _joins(member: dict[str, Any]) -> str:
    return f"anggota baru: {_value('relationship', member.get('relationship'))}"


def _detail(proposal: Proposal) -> str:
    if proposal.kind == Kind.DEACTIVATE:
        return f"nonaktif, alasan: {REASONS.get(proposal.subtype, proposal.subtype)}"
    if proposal.kind == Kind.PROGRAM:
        return f"program: {PROGRAMS.get(proposal.subtype, proposal.subtype)}"
    if proposal.kind == Kind.NEW_MEMBER:
        return _joins(proposal.payload)
    return _changed(proposal) or "-"


def sections(content: PackContent) -> list[Section]:
    """The lampiran by desa, in code order."""
    heads = _heads(content.proposals)
    by_desa: dict[str, Section] = {}
    for proposal in content.proposals:
        section = by_desa.setdefault(proposal.batch.desa_id, Section(proposal.batch.desa))
        section.rows += rows_of(proposal, heads)
        section.proposals += 1
    return list(by_desa.values())


def totals(content: PackContent) -> dict[str, int]:
    """Proposals per kind (Indonesian label), and families, persons and desa touched."""
    counts = Counter(KIND_LABELS.get(p.kind, p.kind) for p in content.proposals)
    rows = [r for s in sections(content) for r in s.rows]
    return {
        **{label: counts[label] for label in KIND_LABELS.values() if counts[label]},
        "Jumlah usulan": len(content.proposals),
        "Keluarga": len({r.no_kk for r in rows if r.no_kk}),
        "Individu": len({r.nik for r in rows if r.nik}),
        "Desa/kelurahan": len({p.batch.desa_id for p in content.proposals}),
    }


def area_label(area: Region) -> str:
    words = {"kabupaten": "Kabupaten", "kota": "Kota", "kecamatan": "Kecamatan"}
    words |= {"desa": "Desa", "kelurahan": "Kelurahan", "provinsi": "Provinsi"}
    return f"{words.get(area.kind, '')} {area.name}".strip()


class PackPDF(FPDF):
    """A4 with the number, the short code and the page count in every footer."""

    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer
        self.set_margins(MARGIN, 15, MARGIN)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 4, f"{self.footer_text}  |  Halaman {self.page_no()}/{{nb}}", align="C")

    def line_of(self, text: str, size: float = 10, style: str = "", align: str = "L") -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, size * 0.5, latin1(text), align=align, new_x="LMARGIN", new_y="NEXT")


def render_pdf(pack: RatificationPack, content: PackContent) -> bytes:
    """The pack's PDF: the berita acara, then the lampiran, then the verification block."""
    pdf = PackPDF(f"Nomor {pack.number}  |  Kode verifikasi {pack.short_code}")
    pdf.set_title(latin1(f"Berita acara pengesahan {pack.number}"))
    pdf.set_creation_date(pack.issued_at)
    pdf.add_page()
    _kop(pdf)
    _letter(pdf, pack, content)
    _lampiran(pdf, pack, content)
    _verification(pdf, pack)
    return bytes(pdf.output())


def _kop(pdf: PackPDF) -> None:
    head = settings.DTKS_LETTERHEAD
    top = pdf.get_y()
    if head.get("logo"):
        pdf.image(head["logo"], x=MARGIN, y=top, h=24)
    pdf.line_of(head.get("government", ""), 13, "B", "C")
    pdf.line_of(head.get("agency", ""), 16, "B", "C")
    for text in (head.get("address", ""), head.get("contact", "")):
        if text:
            pdf.line_of(text, 9, "", "C")
    y = max(pdf.get_y(), top + 24 if head.get("logo") else 0) + 2
    width = pdf.w - MARGIN
    pdf.set_line_width(0.8)
    pdf.line(MARGIN, y, width, y)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN, y + 1.2, width, y + 1.2)
    pdf.set_y(y + 6)


def _period(content: PackContent) -> str:
    return f"{MONTHS[content.month - 1]} {content.year}"


def signatory_title() -> list[str]:
    """`BUPATI BENGKULU TENGAH`, or `a.n. BUPATI …` over `SEKRETARIS DAERAH` for the Sekda."""
    who = settings.DTKS_SIGNATORY
    bupati = f"BUPATI {who.get('region', '')}".strip().upper()
    if who.get("role", "Bupati").lower().startswith("bupati"):
        return [bupati]
    return [f"a.n. {bupati}", "SEKRETARIS DAERAH"]


def _letter(pdf: PackPDF, pack: RatificationPack, content: PackContent) -> None:
    day = timezone.localdate(pack.issued_at)
    pdf.line_of("BERITA ACARA PENGESAHAN", 12, "B", "C")
    pdf.line_of("USULAN PEMUTAKHIRAN DATA TERPADU KESEJAHTERAAN SOSIAL (DTKS)", 11, "B", "C")
    pdf.ln(3)
    perihal = f"Pengesahan usulan DTKS {area_label(content.area)} periode {_period(content)}"
    for key, value in (("Nomor", pack.number), ("Lampiran", "1 (satu) berkas")):
        _labelled(pdf, key, value)
    _labelled(pdf, "Perihal", perihal)
    pdf.ln(4)
    title = " ".join(signatory_title()).title().replace("A.N.", "a.n.")
    pdf.line_of(
        f"Pada hari ini {WEEKDAYS[day.weekday()]}, tanggal {date_id(day)}, {title} mengesahkan "
        f"usulan pemutakhiran Data Terpadu Kesejahteraan Sosial (DTKS) {area_label(content.area)} "
        f"periode {_period(content)} yang telah melalui musyawarah desa/kelurahan, verifikasi "
        "dan validasi, serta finalisasi oleh Dinas Sosial, dengan rincian sebagai berikut:",
        10,
    )
    pdf.ln(2)
    _summary(pdf, content)
    pdf.ln(3)
    for text in (
        "Daftar keluarga dan individu yang disahkan tercantum dalam Lampiran berita acara ini "
        "dan merupakan bagian yang tidak terpisahkan darinya. Data yang telah disahkan "
        "disampaikan kepada Kementerian Sosial Republik Indonesia c.q. Pusat Data dan "
        "Informasi Kesejahteraan Sosial untuk ditetapkan.",
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana "
        "mestinya.",
    ):
        pdf.line_of(text, 10)
        pdf.ln(2)
    _signature(pdf, day)


def _labelled(pdf: PackPDF, key: str, value: str) -> None:
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(25, 5.5, key)
    pdf.cell(4, 5.5, ":")
    pdf.multi_cell(0, 5.5, latin1(value), new_x="LMARGIN", new_y="NEXT")


def _summary(pdf: PackPDF, content: PackContent) -> None:
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(col_widths=(70, 25), width=95, align="LEFT", text_align=("LEFT", "RIGHT")) as t:
        t.row(["Jenis usulan", "Jumlah"])
        for label, count in totals(content).items():
            t.row([latin1(label), f"{count:,}".replace(",", ".")])


def _signature(pdf: PackPDF, day: dt.date) -> None:
    who = settings.DTKS_SIGNATORY
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 80:
        pdf.add_page()
    x = pdf.w / 2 + 5

    def at_x(text: str, style: str = "") -> None:
        pdf.set_x(x)
        pdf.set_font("Helvetica", style, 10)
        pdf.cell(0, 5.5, latin1(text), new_x="LMARGIN", new_y="NEXT")

    title = signatory_title()
    at_x(f"{who.get('place', '')}, {date_id(day)}")
    for line in title[:-1]:
        at_x(line, "B")
    at_x(title[-1] + ",", "B")
    pdf.ln(22)
    at_x(who.get("name") or "(....................................................)", "BU")
    if len(title) > 1 or who.get("nip"):  # the Sekda signs with a NIP; a Bupati has none
        at_x(f"NIP. {who.get('nip') or '....................................'}")


def _lampiran(pdf: PackPDF, pack: RatificationPack, content: PackContent) -> None:
    pdf.add_page(orientation="L")
    day = timezone.localdate(pack.issued_at)
    pdf.line_of("LAMPIRAN BERITA ACARA PENGESAHAN USULAN DTKS", 11, "B")
    _labelled(pdf, "Nomor", pack.number)
    _labelled(pdf, "Tanggal", date_id(day))
    _labelled(pdf, "Periode", f"{_period(content)}, {area_label(content.area)}")
    pdf.ln(3)
    for section in sections(content):
        _section(pdf, section)


def _section(pdf: PackPDF, section: Section) -> None:
    kecamatan = section.desa.parent.name if section.desa.parent_id else ""
    pdf.line_of(f"{area_label(section.desa)}, Kecamatan {kecamatan} ({section.desa.code})", 10, "B")
    pdf.set_font("Helvetica", "", 8)
    widths = (8, 13, 32, 31, 31, 45, 97)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.2) as table:
        table.row(["No", "Usulan", "Jenis", "No. KK", "NIK", "Nama", "Keterangan"])
        for i, row in enumerate(section.rows, start=1):
            cells = (str(i), f"#{row.proposal_id}", row.kind, row.no_kk, row.nik, row.name)
            table.row([latin1(v) for v in (*cells, row.detail)])
    pdf.line_of(f"Jumlah: {section.proposals} usulan, {len(section.rows)} baris.", 9)
    pdf.ln(3)


def _verification(pdf: PackPDF, pack: RatificationPack) -> None:
    pdf.ln(4)
    pdf.line_of("Kode verifikasi dokumen (SHA-256):", 9, "B")
    pdf.set_font("Courier", "", 9)
    pdf.cell(0, 5, pack.code, new_x="LMARGIN", new_y="NEXT")
    pdf.line_of(
        "Keaslian berita acara ini dapat diperiksa pada aplikasi DTKS, halaman "
        f"/usulan/pengesahan/cek/?kode={pack.short_code}",
        8,
    )
