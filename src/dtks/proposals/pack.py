"""The ratification pack of a period: berita acara + lampiran as a PDF, and the ministry export.

A pack covers the proposals of one month (their batch's year and month) in one area that the
pengesah ratified (disahkan, and every later status: dikirim, ditetapkan, ditolak), by desa.
Its verification code is the SHA-256 of a canonical serialisation of the period, the area, the
number and, in id order, each proposal's ratified values (kind, subtype, target, proposed
values, the values they replaced, what ratification created): the same content always gives
the same code, and any change to it another. `verify_pack` tells which issued pack a code
(full, or the 16-digit short form printed in every footer) belongs to.

Who issues: the kabupaten DTKS manager (pengelola: `verify` over the pack's area) — the Dinas
Sosial prepares the berita acara for the Bupati's (or Sekda's) signature; the pengesah has
already ratified each proposal and holds no `view_identity`, while the lampiran prints NIK and
No. KK in full for the ministry. So the PDF and the xlsx go only to users with `view_identity`
over the pack's area. The CLI issues as the system (`by=None`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_codes, in_area
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.imports import export
from dtks.imports.columns import EXPORT_COLUMNS
from dtks.registry.models import Family, Person
from dtks.wilayah.models import Region, code_prefix_q

from .actions import take_step
from .models import Kind, Proposal, RatificationPack, Status

if TYPE_CHECKING:
    from dtks.accounts.models import User

FAMILY_KINDS = (Kind.NEW_FAMILY, Kind.CORRECT_FAMILY, Kind.PROGRAM)
RATIFIED = (Status.RATIFIED, Status.SENT, Status.DETERMINED, Status.REJECTED)
FORMAT_VERSION = 1
SHORT_CODE = 16
PROPOSAL_COLUMN = "usulan"  # extra column: the importer ignores unknown columns
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass
class PackContent:
    """What a pack is made of: the ratified proposals of the period in the area (by desa,
    then id) and their canonical serialisation (`canonical`), which the code is taken over."""

    year: int
    month: int
    area: Region
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def canonical(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "period": f"{self.year:04d}-{self.month:02d}",
            "area": self.area.code,
            "proposals": [ratified_values(p) for p in self.proposals],
        }


def ratified_values(proposal: Proposal) -> dict[str, Any]:
    """A proposal as ratified: what it changed and what it replaced (never its later status)."""
    result = {k: v for k, v in proposal.result.items() if k != "audit_events"}
    return {
        "id": proposal.pk,
        "desa": proposal.batch.desa_id,
        "kind": proposal.kind,
        "subtype": proposal.subtype,
        "family_id": proposal.family_id,
        "person_id": proposal.person_id,
        "payload": proposal.payload,
        "before": proposal.before,
        "result": result,
    }


def digest(content: dict[str, Any], number: str | None = None) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8), with the number if given."""
    data = dict(content) if number is None else {**content, "number": number}
    blob = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def ratified_proposals(year: int, month: int, area_code: str) -> list[Proposal]:
    """The period's ratified (and later) proposals of the area, by desa and id."""
    queryset = Proposal.objects.filter(
        code_prefix_q("batch__desa__code", area_code),
        batch__year=year,
        batch__month=month,
        status__in=RATIFIED,
    )
    related = ("batch__desa__parent", "family", "person")
    return list(queryset.select_related(*related).order_by("batch__desa_id", "id"))


def build_content(year: int, month: int, area: Region) -> PackContent:
    if not 1 <= month <= 12:
        raise DomainError(_("Choose a month from 1 to 12."), field="month")
    return PackContent(year, month, area, ratified_proposals(year, month, area.code))


def may_issue(user: User | None, area_code: str) -> bool:
    """The system, or a holder of `verify` over the whole area (the pengelola kabupaten)."""
    return user is None or in_area(user, area_code, Perm.VERIFY)


def may_download(user: User | None, pack: RatificationPack) -> bool:
    """Full NIK and No. KK are printed: `view_identity` over the whole area."""
    return user is None or in_area(user, pack.area_id, Perm.VIEW_IDENTITY)


def default_area(year: int, month: int, by: User | None) -> Region:
    """The user's one `verify` area, else the one kabupaten of the period's ratified batches."""
    codes = area_codes(by, Perm.VERIFY) if by is not None else []
    if len(codes) != 1:
        ratified = Proposal.objects.filter(
            batch__year=year, batch__month=month, status__in=RATIFIED
        )
        desa = ratified.values_list("batch__desa_id", flat=True).distinct()
        codes = sorted({code[:5] for code in desa})
    if len(codes) != 1:
        raise DomainError(_("Name the area of the pack."), field="wilayah", code="area")
    return Region.objects.get(code=codes[0])


def pack_number(sequence: int, when: dt.date) -> str:
    return settings.DTKS_PACK_NUMBER_FORMAT.format(
        seq=sequence, year=when.year, month=when.month, month_roman=ROMAN[when.month - 1]
    )


def _next_sequence(year: int) -> int:
    if connection.vendor == "postgresql":  # two issuers never draw the same number
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7390413)")
    last = RatificationPack.objects.filter(number_year=year).order_by("-sequence").first()
    return (last.sequence if last else 0) + 1


def pack_dir() -> Path:
    """Where issued PDFs live: under DATA_DIR, outside the web root."""
    return Path(settings.DATA_DIR) / "proposals" / "packs"


def pack_path(pack: RatificationPack) -> Path:
    return pack_dir() / pack.file_name


def export_name(pack: RatificationPack) -> str:
    """The ministry export's file name, beside the PDF's."""
    return pack.file_name.replace("pengesahan-", "kemensos-").replace(".pdf", ".xlsx")


def current_pack(year: int, month: int, area_code: str) -> RatificationPack | None:
    packs = RatificationPack.objects.filter(year=year, month=month, area_id=area_code)
    return packs.filter(state=RatificationPack.State.ISSUED).first()


def _refuse_issuing(by: User | None, area: Region, content: PackContent) -> None:
    if not may_issue(by, area.code):
        raise PermissionDeniedError(
            _("Only the kabupaten DTKS manager (verify permission) may issue a ratification pack."),
            code="wrong_role",
        )
    if not content.proposals:
        raise DomainError(
            _("No proposal of %(period)s in this area has been ratified.")
            % {"period": f"{content.month:02d}/{content.year}"},
            code="nothing",
        )


@transaction.atomic
def issue_ratification_pack(
    year: int, month: int, area: Region | None = None, *, by: User | None
) -> tuple[RatificationPack, bool]:
    """Issue the pack of the period and area (default: `default_area`): a new number, the
    verification code and the PDF stored under `pack_dir()`, one audit event; the previous
    pack of the period and area, if any, becomes superseded. When the content is the same as
    the current pack's, nothing is issued: `(that pack, False)`."""
    area = area or default_area(year, month, by)
    content = build_content(year, month, area)
    _refuse_issuing(by, area, content)
    canonical = content.canonical
    content_digest = digest(canonical)
    previous = current_pack(year, month, area.code)
    if previous is not None and previous.content_digest == content_digest:
        return previous, False
    now = timezone.now()
    sequence = _next_sequence(timezone.localdate(now).year)
    number = pack_number(sequence, timezone.localdate(now))
    pack = RatificationPack(
        year=year, month=month, area=area, number=number, sequence=sequence,
        number_year=timezone.localdate(now).year, code=digest(canonical, number),
        content_digest=content_digest, content=canonical, issued_by=by, issued_at=now,
        issued_by_label=getattr(by, "username", "sistem"),
        file_name=f"pengesahan-{area.code}-{year:04d}{month:02d}-{sequence:05d}.pdf",
    )  # fmt: skip
    path = _store_pdf(pack, content)
    try:
        pack.save()
        if previous is not None:
            previous.state = RatificationPack.State.SUPERSEDED
            previous.save(update_fields=["state"])
        _record_issue(pack, previous, by)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return pack, True


def _store_pdf(pack: RatificationPack, content: PackContent) -> Path:
    """Write the PDF (a re-issue after a rolled-back attempt overwrites the same name)."""
    from .pack_pdf import render_pdf

    path = pack_path(pack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(pack, content))
    return path


def _record_issue(pack: RatificationPack, previous: RatificationPack | None, by: Any) -> None:
    after = {
        "number": pack.number,
        "code": pack.code,
        "period": pack.period,
        "proposals": pack.proposal_ids,
        "supersedes": previous.number if previous else None,
    }
    change = Change("ratification_pack", str(pack.pk), None, after, region_code=pack.area_id)
    record_event(by, "issue_ratification_pack", change)


def normalise_code(text: str) -> str:
    return re.sub(r"[^0-9a-f]", "", (text or "").lower())


def verify_pack(code: str) -> RatificationPack | None:
    """The issued pack whose verification code is `code` (64 hex digits, or the 16-digit short
    form of the footer; spaces and dashes ignored), or None."""
    code = normalise_code(code)
    if len(code) == 64:
        return RatificationPack.objects.filter(code=code).select_related("area").first()
    if len(code) == SHORT_CODE:
        found = list(RatificationPack.objects.filter(code__startswith=code)[:2])
        return found[0] if len(found) == 1 else None
    return None


def pack_proposals(pack: RatificationPack) -> list[Proposal]:
    queryset = Proposal.objects.filter(pk__in=pack.proposal_ids).select_related("batch")
    return list(queryset.order_by("batch__desa_id", "id"))


def proposal_index(proposals: list[Proposal]) -> tuple[dict[str, set], dict[str, set]]:
    """`{No. KK: {proposal ids}}` of the proposals about a whole family (new, corrected, a
    program) and `{NIK: {proposal ids}}` of those about a person."""
    by_kk: dict[str, set] = {}
    by_nik: dict[str, set] = {}
    families = {p.family_id for p in proposals if p.family_id}
    no_kk = dict(Family.objects.filter(pk__in=families).values_list("pk", "no_kk"))
    for p in proposals:
        if p.family_id and p.kind in FAMILY_KINDS:
            by_kk.setdefault(no_kk[p.family_id], set()).add(p.pk)
    persons = _touched_persons(proposals)
    niks = dict(Person.objects.filter(pk__in=persons).values_list("pk", "nik"))
    for pid, proposal_ids in persons.items():
        by_nik.setdefault(niks.get(pid, ""), set()).update(proposal_ids)
    return by_kk, by_nik


def _touched_persons(proposals: list[Proposal]) -> dict[int, set]:
    persons: dict[int, set] = {}
    for p in proposals:
        for pid in {p.person_id, *p.result.get("person_ids", [])} - {None}:
            persons.setdefault(pid, set()).add(p.pk)
    return persons


def ministry_rows(pack: RatificationPack, by: User | None) -> list[list[Any]]:
    """The flat exchange rows (`EXPORT_COLUMNS`) of every current member of the families the
    pack's proposals touched, each with the ids of the proposals behind it (`usulan`)."""
    proposals = pack_proposals(pack)
    families = Family.objects.filter(pk__in={p.family_id for p in proposals if p.family_id})
    by_kk, by_nik = proposal_index(proposals)
    kk_at, nik_at = EXPORT_COLUMNS.index("nomor_kk"), EXPORT_COLUMNS.index("nomor_nik")
    rows = []
    for row in export.export_rows(by, families):
        ids = by_nik.get(row[nik_at], set()) | by_kk.get(row[kk_at], set())
        rows.append([*row, "; ".join(str(i) for i in sorted(ids))])
    return rows


def write_ministry_xlsx(pack: RatificationPack, *, by: User | None, out: BinaryIO | Path) -> int:
    """The ministry export of the pack (xlsx, the flat exchange format of the import with the
    `usulan` column added), recorded as an export and on the pack (`exported_at`)."""
    if not may_download(by, pack):
        raise PermissionDeniedError(
            _("Only users who may see full NIK and No. KK in the whole area may download it."),
            code="wrong_role",
        )
    count = _write_xlsx(ministry_rows(pack, by), out)
    with transaction.atomic():
        RatificationPack.objects.filter(pk=pack.pk).update(exported_at=timezone.now())
    export.record_export(
        by=by, scope=pack.area_id, fmt="xlsx", rows=count, filters={"pack": pack.number}
    )
    return count


def _write_xlsx(rows: list[list[Any]], out: BinaryIO | Path) -> int:
    """One sheet `dtks` as `imports.export.write_xlsx` writes it (NIK/No. KK text cells, dates
    `dd-mm-yyyy`, risky text quote-prefixed), with the `usulan` column after its columns."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("dtks")
    sheet.freeze_panes = "A2"
    sheet.append([*EXPORT_COLUMNS, PROPOSAL_COLUMN])
    for row in rows:
        sheet.append(export._xlsx_row(sheet, row))
    book.save(out)
    return len(rows)


@transaction.atomic
def mark_pack_sent(
    pack: RatificationPack, *, by: User, when: dt.datetime | None = None
) -> list[Proposal]:
    """Dikirim: every proposal of the current, exported pack still `ratified` takes the
    workflow's `send` step (`verify` over its desa, inside the `ratification_upload` window),
    all or none."""
    pack = RatificationPack.objects.select_for_update().get(pk=pack.pk)
    if pack.state != RatificationPack.State.ISSUED:
        raise DomainError(_("A newer pack replaces this one."), code="superseded")
    if pack.exported_at is None:
        raise DomainError(_("Download the ministry export first."), code="not_exported")
    waiting = [p for p in pack_proposals(pack) if p.status == Status.RATIFIED]
    if not waiting:
        raise DomainError(_("Every proposal of this pack is already sent."), code="nothing")
    return [take_step(p, "send", by=by, when=when) for p in waiting]
