"""The demo's staff and their 2023, as the seed describes the Bidang Perlindungan dan Jaminan
Sosial of Bengkulu Tengah: one Pengelola DTKS Kabupaten, two Pengisi Data and one
Administrasi Pengguna, appraised by the head of the Dinas under PP 30/2019; one bimtek at the
end of 2022 and none in 2023; no DTKS budget in 2023; fewer computers than data-entry staff; a
satisfaction survey of the Dinas's services.

Only inputs are written here (people, targets, sessions, facilities, behaviour ratings, survey
answers): the work itself is the history's proposals and data entry, and every verdict of
`dtks performance --year 2023` is computed from it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from dtks.accounts.models import User
from dtks.performance import actions as performance
from dtks.performance.models import Appraisal, Employee, EmployeeKind, Measure, Regime
from dtks.survey import actions as survey
from dtks.survey.elements import ELEMENT_CODES
from dtks.survey.models import ServiceKind
from dtks.training import actions as training
from dtks.training.models import FacilityItem, Mode

YEAR = 2023
UNIT = "Bidang Perlindungan dan Jaminan Sosial"
# username, NIP, name, jabatan; the first is the head of the Dinas, pejabat penilai of the rest.
STAFF = (
    ("pimpinan", "197203151998031004", "Drs. H. Hasanuddin", "Kepala Dinas Sosial"),
    ("pengelola", "198104122006042007", "Rina Marlina, S.Sos.", "Pengelola DTKS Kabupaten"),
    ("pengisi_data", "199002202015031002", "Andi Saputra, A.Md.", "Pengisi Data"),
    ("pengisi_data_2", "199208082019032005", "Sri Wahyuni, S.Kom.", "Pengisi Data"),
    ("admin_pengguna", "198811302014021001", "Yudi Pratama, S.T.", "Administrasi Pengguna"),
)
# username → (activity, measure, target, unit) of the 2023 SKP, proposed from the workload.
TARGETS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "pengelola": (
        ("Verifikasi dan finalisasi usulan desa", Measure.RECORDS_HANDLED, "800", "usulan"),
        ("Data DTKS tanpa perlu perbaikan", Measure.REGISTRY_CLEAN, "100", "%"),
        ("Verifikasi di dalam jendela bulanan", Measure.IN_WINDOW, "100", "%"),
        ("Lama verifikasi usulan", Measure.DAYS_TO_VERIFY, "10", "hari"),
        ("Bimtek operator desa", Measure.TRAININGS_HELD, "100", "%"),
        ("Anggaran DTKS terealisasi", Measure.BUDGET_REALISED, "100", "%"),
        ("Komputer untuk pengisi data", Measure.FACILITIES, "100", "%"),
    ),
    "pengisi_data": (
        ("Entri dan perbaikan data DTKS", Measure.RECORDS_HANDLED, "1500", "data"),
        ("Entri data tanpa kesalahan", Measure.WORK_CLEAN, "100", "%"),
        ("Pengajuan di dalam jendela bulanan", Measure.IN_WINDOW, "100", "%"),
    ),
    "pengisi_data_2": (
        ("Entri dan perbaikan data DTKS", Measure.RECORDS_HANDLED, "800", "data"),
        ("Entri data tanpa kesalahan", Measure.WORK_CLEAN, "100", "%"),
    ),
}
# The head's ratings of PP 30/2019 behaviour; commitment falls short (the seed's finding).
BEHAVIOUR = {
    "service_orientation": ("95", "Melayani operator desa yang datang dan menelepon."),
    "commitment": ("78", "Beberapa entri tertunda sampai akhir bulan; hadir rapat tidak penuh."),
    "initiative": ("90", "Menyusun daftar periksa entri data sendiri."),
    "cooperation": ("92", "Membantu rekan saat usulan menumpuk."),
}


def _users() -> dict[str, User]:
    return User.objects.in_bulk([row[0] for row in STAFF], field_name="username")


@transaction.atomic
def build_demo_performance(seed: int = 2023) -> int:
    """Staff, SKP 2023 with agreed targets and behaviour ratings, the 2022 bimtek, the 2023
    plan without a session, facilities and budget, and survey answers. Returns the number of
    employees. Idempotent: nothing is written twice."""
    if Employee.objects.exists():
        return Employee.objects.count()
    users = _users()
    head = users["pimpinan"]
    employees = {}
    for index, (username, nip, name, jabatan) in enumerate(STAFF):
        employees[username] = performance.save_employee(
            by=head,
            nip=nip,
            name=name,
            kind=EmployeeKind.PNS,
            jabatan=jabatan,
            unit="Dinas Sosial" if index == 0 else UNIT,
            appraiser=None if index == 0 else employees["pimpinan"],
            user=users[username],
        )
    for username, employee in employees.items():
        if username != "pimpinan":
            _appraise(employee, users[username], head)
    _training_and_resources(users, head)
    _survey(users["pengelola"], random.Random(seed))
    return len(employees)


def _appraise(employee: Employee, user: User, head: User) -> Appraisal:
    appraisal = performance.open_appraisal(employee, year=YEAR, regime=Regime.PP30, by=user)
    for activity, measure, value, unit in TARGETS.get(user.username, ()):
        performance.propose_target(
            appraisal, by=user, activity=activity, indicator=activity, measure=measure,
            value=Decimal(value), unit=unit,
        )  # fmt: skip
    if user.username == "admin_pengguna":
        target = performance.propose_target(
            appraisal, by=user, activity="Pengelolaan akun pengguna SIKS-NG",
            indicator="Permintaan akun dan reset kata sandi yang diselesaikan",
            measure=Measure.MANUAL, aspect="kuantitas", value=Decimal(120), unit="permintaan",
        )  # fmt: skip
    performance.agree_targets(appraisal, by=head)
    if user.username == "admin_pengguna":
        for month in range(1, 13):
            performance.enter_manual_realisation(
                target, by=user, month=month, value=Decimal(10),
                note="Buku catatan permintaan akun bulan ini",
            )  # fmt: skip
    for aspect, (score, evidence) in BEHAVIOUR.items():
        performance.rate_behaviour(
            appraisal, by=head, aspect=aspect, score=Decimal(score), evidence=evidence
        )
    return appraisal


def _training_and_resources(users: dict[str, User], head: User) -> None:
    """One bimtek at the end of 2022 (operators and the pengisi data attend); a 2023 plan of
    two online sessions of which none was held; no DTKS budget line in 2023; one computer for
    three data-entry staff."""
    manager = users["pengelola"]
    session = training.create_session(
        {
            "title": "Bimtek pemutakhiran DTKS melalui SIKS-NG",
            "topic": "Usulan, perbaikan data dan musdes",
            "date": dt.date(2022, 12, 13),
            "mode": Mode.OFFLINE,
            "place": "Aula Dinas Sosial Bengkulu Tengah",
            "cost": Decimal(0),
            "organiser": "Dinas Sosial Kabupaten Bengkulu Tengah",
            "notes": "",
        },
        by=manager,
    )
    attendees = User.objects.filter(
        username__in=["operator_desa", "pengisi_data", "pengisi_data_2"]
    )
    training.record_attendance(session, {u.pk: True for u in attendees}, by=manager)
    training.set_plan(
        YEAR, planned_sessions=2, planned_online=2, planned_budget=Decimal(0),
        note="Dua bimtek daring yang dianjurkan; tidak ada anggaran.", by=manager,
    )  # fmt: skip
    training.set_facility_need(
        YEAR, FacilityItem.COMPUTER, needed=3, available=1,
        note="Satu komputer dipakai bergantian oleh pengelola dan dua pengisi data.", by=manager,
    )  # fmt: skip


def _survey(officer: User, rng: random.Random) -> None:
    """Sixty services of 2023 rated by those served (mostly 3s and 4s)."""
    for i in range(60):
        day = dt.date(YEAR, 1 + i % 12, 3 + (i * 7) % 24)
        service = survey.record_service(rng.choice(ServiceKind.values), day, by=officer)
        answers = {code: rng.choices((2, 3, 4), (1, 6, 4))[0] for code in ELEMENT_CODES}
        survey.submit_response(service.token, answers)
