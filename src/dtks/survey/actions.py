"""Survey actions: recording a service (staff) and answering its survey (the public).

Atomic and audited. Nothing about the person served is stored or audited: the answer is tied
to the service only, and reaches the index anonymously (PermenPANRB 14/2017).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtks.accounts.scope import area_codes, in_area
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.wilayah.models import Level, Region

from .elements import ELEMENT_CODES, SCORES
from .models import ANSWER_DAYS, RECORDING_PERMS, Response, Service, ServiceKind

if TYPE_CHECKING:
    from dtks.accounts.models import User

# The audit's actor for an answer: the public, through the link, without an account.
PUBLIC_ACTOR = "publik"
PROFILE_FIELDS = ("sex", "age_group", "education", "occupation")


def recording_areas(user: User) -> list[str]:
    """Region codes where `user` serves the public (EDIT_REGISTRY or VERIFY), widest first."""
    codes = {code for perm in RECORDING_PERMS for code in area_codes(user, perm)}
    return sorted(codes, key=lambda code: (code.count("."), code))


def may_record_in(user: User, code: str) -> bool:
    return any(in_area(user, code, perm) for perm in RECORDING_PERMS)


def _service_area(desa: Region | None, by: User) -> tuple[Region | None, str]:
    """The service's desa and the area it counts in: the desa, else the officer's widest area
    (a desa operator's own desa, the kabupaten office's kabupaten)."""
    if desa is not None:
        if desa.level != Level.DESA:
            raise DomainError(_("Choose a desa or kelurahan."), field="desa")
        if not may_record_in(by, desa.code):
            raise PermissionDeniedError(
                _("This area lies outside your area."), field="desa", code="out_of_area"
            )
        return desa, desa.code
    areas = recording_areas(by)
    if not areas:
        raise PermissionDeniedError(
            _("Only officers who serve the public may record a service."), code="forbidden"
        )
    if areas[0].count(".") == 3:  # a desa operator: the service is the desa's
        return Region.objects.get(code=areas[0]), areas[0]
    return None, areas[0]


@transaction.atomic
def record_service(kind: str, served_on: date, *, by: User, desa: Region | None = None) -> Service:
    """Record a service given today or earlier and open its survey link (an unguessable
    token of 256 bits from `secrets`) for `ANSWER_DAYS` days. Only officers holding
    EDIT_REGISTRY or VERIFY over the desa (or, without a desa, over some area) may."""
    if kind not in ServiceKind.values:
        raise DomainError(_("Unknown service."), field="kind")
    if served_on > timezone.localdate():
        raise DomainError(_("A service cannot be served in the future."), field="served_on")
    desa, area = _service_area(desa, by)
    service = Service.objects.create(
        kind=kind,
        served_on=served_on,
        desa=desa,
        area_id=area,
        served_by=by,
        token=secrets.token_urlsafe(32),
    )
    after = {"kind": kind, "served_on": served_on.isoformat(), "area": area}
    change = Change("survey_service", str(service.pk), None, after, region_code=area)
    record_event(by, "record_service", change)
    return service


def _check_answers(answers: Mapping[str, int]) -> dict[str, int]:
    clean = {code: answers.get(code) for code in ELEMENT_CODES}
    if any(value not in SCORES for value in clean.values()):
        raise DomainError(_("Answer every question with one of its four answers."), field="u1")
    return clean  # type: ignore[return-value]


def _check_profile(profile: Mapping[str, str]) -> dict[str, str]:
    """The respondent's profile: each field blank or one of its choices."""
    clean = {}
    for name in PROFILE_FIELDS:
        value = profile.get(name) or ""
        if value and value not in dict(Response._meta.get_field(name).choices or ()):
            raise DomainError(_("Unknown answer."), field=name)
        clean[name] = value
    return clean


def open_service(token: str, *, lock: bool = False) -> Service:
    """The service of `token` if its link still takes an answer (locked with `lock`); else
    a DomainError whose code says why: `unknown_token`, `answered` or `expired`."""
    services = Service.objects.select_for_update() if lock else Service.objects.all()
    service = services.filter(token=token).first() if token else None
    if service is None:
        raise DomainError(_("This survey link is not valid."), code="unknown_token")
    if Response.objects.filter(service=service).exists():
        raise DomainError(
            _("This service has already been rated. Each service is rated once."),
            code="answered",
        )
    if not service.is_open():
        raise DomainError(
            _("This survey link has closed: a service can be rated for %(days)s days.")
            % {"days": ANSWER_DAYS},
            code="expired",
        )
    return service


@transaction.atomic
def submit_response(
    token: str,
    answers: Mapping[str, int],
    *,
    suggestion: str = "",
    profile: Mapping[str, str] | None = None,
) -> Response:
    """Take the one answer of the service whose link is `token` (no account: the link is the
    key). Refused when the token is unknown, the link has closed (`ANSWER_DAYS` after the
    recording) or the service has its answer already; the database holds one response per
    service whatever the race (OneToOne)."""
    service = open_service(token, lock=True)
    profile = _check_profile(profile or {})
    try:
        with transaction.atomic():
            response = Response.objects.create(
                service=service,
                suggestion=suggestion.strip()[:1000],
                **_check_answers(answers),
                **profile,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("This service has already been rated. Each service is rated once."),
            code="answered",
        ) from exc
    change = Change(
        "survey_service", str(service.pk), {"answered": False}, {"answered": True},
        region_code=service.area_id,
    )  # fmt: skip
    record_event(PUBLIC_ACTOR, "submit_response", change)
    return response
